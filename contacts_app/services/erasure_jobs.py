"""G1/A6: erasure of one contact or many. A selection that fits one chunk is erased at
once, in the request; anything larger — and every "all matching this filter" — is an
erasure job, a kind on the job machinery (contacts_app/jobs/kinds.py): claimed in the
database, chunked (each chunk erases its contacts in one transaction), shared by free
workers, resumable after a killed worker (a chunk rolled back is erased again, and a
contact already erased is simply not found), with a report and a finished notice."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts_app.job_models import MAX_ATTEMPTS
from contacts_app.jobs.kinds import JobKind
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import typed_word_check
from contacts_app.lib.i18n import num
from contacts_app.models import AuditEvent, Contact, ErasureJob, ErasureJobItem, ErasureOutcome, Workspace
from contacts_app.services.erasure import contacts_erase, erasure_reason_clean

CONFIRMATION_WORD = "ERASE"


class ErasureJobs(JobKind):
    name = "erasure"
    event_type = "erasure_job.finished"
    model = ErasureJob
    item_model = ErasureJobItem
    subject = "contact_id"
    run_task = "contacts_app.tasks.erasure_job_run_task"
    notify_task = "contacts_app.tasks.erasure_job_notify_task"
    audit_action = AuditEvent.Action.ERASE  # the request and the finish; each chunk writes its own row too
    audit_key = "erasure_job"
    one_at_a_time = False
    helpers = True

    def give_up(self) -> str:
        return (
            f"The erasure stopped {MAX_ATTEMPTS} times before finishing and was given up. "
            "Contacts erased so far are gone; support can retry the rest."
        )

    def process(self, *, job, subject_ids, now):
        return contacts_erase(
            workspace=job.workspace,
            contact_ids=subject_ids,
            actor=job.requested_by,
            reason=job.reason,
            job_id=job.id,
            now=now,
        )

    def counters(self, tally: Counter) -> dict[str, int]:
        return {"erased": tally[ErasureOutcome.ERASED], "skipped_not_found": tally[ErasureOutcome.NOT_FOUND]}

    def requested_details(self, job) -> dict:
        return {"reason": job.reason}

    def finished_audit(self, job) -> tuple[int, dict]:
        return job.erased, {"erased": job.erased, "skipped": job.skipped_total}

    def notice(self, job) -> tuple[str, str, str]:
        subject = _("Erasure job #%(id)s %(status)s") % {"id": job.number, "status": job.status_words}
        counts = [
            ngettext("%(n)s erased", "%(n)s erased", job.erased) % {"n": num(job.erased)},
            ngettext("%(n)s not found", "%(n)s not found", job.skipped_total) % {"n": num(job.skipped_total)},
        ]
        message = self.summary(job, title=subject, counts=counts)
        return subject, message, reverse("contacts:erasure_job", args=[job.workspace.slug, job.number])


ERASURE_JOBS = ErasureJobs()


def erasure_confirmation_check(confirmation: str) -> None:
    """G1: erasing cannot be undone: the admin types the word."""
    typed_word_check(confirmation, word=CONFIRMATION_WORD)


@dataclass(frozen=True)
class ErasureRequest:
    erased: int = 0
    not_found: int = 0
    job: ErasureJob | None = None

    def message(self) -> str:
        if self.job is not None:
            return ngettext(
                "Erasing %(n)s contact in the background (erasure job #%(id)s).",
                "Erasing %(n)s contacts in the background (erasure job #%(id)s).",
                self.job.requested,
            ) % {"n": num(self.job.requested), "id": self.job.number}
        return ngettext(
            "Erased %(n)s contact: its data is deleted and its address is on the suppression list.",
            "Erased %(n)s contacts: their data is deleted and their addresses are on the suppression list.",
            self.erased,
        ) % {"n": num(self.erased)}


def erasure_request(
    *, workspace: Workspace, actor, contact_ids: list[int], reason: str, selection: dict, all_matching: bool = False
) -> ErasureRequest:
    """G1/A6: erase the selection — at once when it fits one chunk (and was ticked, not
    "all matching"), else as an erasure job. Refuses an empty or too large selection
    and a missing reason (S4), before anything changes."""
    reason = erasure_reason_clean(reason)
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    if not ids:
        raise InvalidInput(_("Select the contacts to erase first."), code="empty_selection")
    if len(ids) > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(
            _("At most %(max)s contacts can be erased at once.") % {"max": num(settings.MAX_SELECTION_SIZE)},
            code="selection_too_large",
        )
    if not all_matching and len(ids) <= settings.JOB_CHUNK_SIZE:
        outcomes = contacts_erase(workspace=workspace, contact_ids=ids, actor=actor, reason=reason)
        erased = sum(1 for o in outcomes.values() if o == ErasureOutcome.ERASED)
        return ErasureRequest(erased=erased, not_found=len(ids) - erased)
    job = ERASURE_JOBS.create(workspace=workspace, actor=actor, ids=ids, selection=selection, reason=reason)
    return ErasureRequest(job=job)


def erasable_ids(*, workspace: Workspace, queryset) -> list[int]:
    """ "All matching": the workspace's contacts the filter shows, in id order (S2)."""
    return list(queryset.filter(workspace=workspace).order_by("id").values_list("id", flat=True))


def erasure_consequences(*, workspace: Workspace, contact_ids: list[int]) -> dict[str, int]:
    """What the confirmation states before anything is deleted (G1)."""
    return {"merged": Contact.objects.filter(workspace=workspace, merged_into_id__in=contact_ids).count()}
