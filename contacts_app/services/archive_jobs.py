"""A1/A6: bulk archive. A selection that fits one chunk is archived at once, in the
request; anything larger — and every "all matching this filter" — becomes an archive
job, a kind on the job machinery (contacts_app/jobs/kinds.py): claimed in the
database, chunked, shared by free workers, resumable, cancellable, with per-contact
outcomes, a report and a finished notice."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts_app.job_models import MAX_ATTEMPTS
from contacts_app.jobs.kinds import JobKind
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.i18n import num
from contacts_app.models import ArchiveJob, ArchiveJobItem, ArchiveOutcome, AuditEvent, Workspace
from contacts_app.services.archive import archive_size_check, contacts_archive, contacts_archive_chunk


class ArchiveJobs(JobKind):
    name = "archive"
    event_type = "archive_job.finished"
    model = ArchiveJob
    item_model = ArchiveJobItem
    subject = "contact_id"
    run_task = "contacts_app.tasks.archive_job_run_task"
    notify_task = "contacts_app.tasks.archive_job_notify_task"
    audit_action = AuditEvent.Action.ARCHIVE  # the request and the finish; each chunk writes its own row too
    audit_key = "archive_job"
    one_at_a_time = False  # two admins may archive two segments at once
    helpers = True

    def give_up(self) -> str:
        return (
            f"The archive stopped {MAX_ATTEMPTS} times before finishing and was given up. "
            "Contacts archived so far stay archived; support can retry the rest."
        )

    def process(self, *, job, subject_ids, now):
        return contacts_archive_chunk(
            workspace=job.workspace, contact_ids=subject_ids, actor=job.requested_by, now=now, job_id=job.id
        )

    def counters(self, tally: Counter) -> dict[str, int]:
        return {
            "archived": tally[ArchiveOutcome.ARCHIVED],
            "skipped_not_active": tally[ArchiveOutcome.NOT_ACTIVE],
            "skipped_not_found": tally[ArchiveOutcome.NOT_FOUND],
        }

    def finished_audit(self, job) -> tuple[int, dict]:
        return job.archived, {"archived": job.archived, "skipped": job.skipped_total}

    def notice(self, job) -> tuple[str, str, str]:
        values = {
            "id": job.number,
            "status": job.status_words,
            "archived": num(job.archived),
            "skipped": num(job.skipped_total),
            "not_processed": num(job.not_processed),
            "requested": num(job.requested),
        }
        subject = _("Archive job #%(id)s %(status)s") % values
        counts = [
            ngettext("%(n)s archived", "%(n)s archived", job.archived) % {"n": values["archived"]},
            ngettext("%(n)s left as it was", "%(n)s left as they were", job.skipped_total) % {"n": values["skipped"]},
        ]
        message = self.summary(job, title=subject, counts=counts)
        return subject, message, reverse("contacts:archive_job", args=[job.workspace.slug, job.number])


ARCHIVE_JOBS = ArchiveJobs()


@dataclass(frozen=True)
class ArchiveRequest:
    """What an archive request gave: done at once (`archived`, `skipped`) or a job."""

    archived: int = 0
    skipped: int = 0
    job: ArchiveJob | None = None

    def message(self) -> str:
        if self.job is not None:
            return ngettext(
                "Archiving %(n)s contact in the background (archive job #%(id)s).",
                "Archiving %(n)s contacts in the background (archive job #%(id)s).",
                self.job.requested,
            ) % {"n": num(self.job.requested), "id": self.job.number}
        return ngettext("Archived %(n)s contact.", "Archived %(n)s contacts.", self.archived) % {
            "n": num(self.archived)
        }


def archive_request(
    *, workspace: Workspace, actor, contact_ids: list[int], selection: dict, all_matching: bool = False
) -> ArchiveRequest:
    """A1/A6: archive the selection — at once when it fits one chunk (and was ticked,
    not "all matching"), else as an archive job. No request archives more than one
    chunk. Refuses an empty or too large selection (S4)."""
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    if not ids:
        raise InvalidInput(_("Select the contacts to archive first."), code="empty_selection")
    archive_size_check(len(ids))
    if not all_matching and len(ids) <= settings.JOB_CHUNK_SIZE:
        archived = contacts_archive(workspace=workspace, contact_ids=ids, actor=actor)
        return ArchiveRequest(archived=archived, skipped=len(ids) - archived)
    job = ARCHIVE_JOBS.create(workspace=workspace, actor=actor, ids=ids, selection=selection)
    return ArchiveRequest(job=job)
