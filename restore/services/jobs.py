"""Restore jobs: one at a time per workspace (R4), in the background (R5), crash-safe
and resumable (R11), shared by a fleet (R14), told when finished (R13) — a kind on the
job machinery (contacts_app/jobs/kinds.py). The job row is the truth; the broker only
carries its id."""

from collections import Counter
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from contacts_app.job_models import MAX_ATTEMPTS
from contacts_app.jobs.kinds import JobKind
from contacts_app.lib.errors import Conflict, InvalidInput
from contacts_app.lib.i18n import num
from contacts_app.lifecycle import Outcome
from contacts_app.models import AuditEvent, RestoreSource

from ..models import RestoreJob, RestoreJobItem
from .notify import restore_job_summary
from .preview import nothing_to_restore, restore_preview
from .restoring import contacts_restore
from .selection import Selection


class RestoreJobs(JobKind):
    name = "restore"
    event_type = "restore_job.finished"
    model = RestoreJob
    item_model = RestoreJobItem
    subject = "contact_id"
    run_task = "restore.tasks.restore_job_run_task"
    notify_task = "restore.tasks.restore_job_notify_task"
    audit_action = AuditEvent.Action.RESTORE
    helpers = True
    async_commit = True

    def in_progress(self, job):
        error = Conflict(
            _(
                "A restore is already in progress in this workspace. Only one restore can run at a time; "
                "wait until it finishes, then try again."
            ),
            code="job_in_progress",
        )
        error.job_number = job.number if job else None  # U7: the page's URL
        return error

    def give_up(self) -> str:
        return (
            f"The restore stopped {MAX_ATTEMPTS} times before finishing and was given up. "
            "Contacts restored so far stay restored; support can retry the rest."
        )

    def process(self, *, job, subject_ids, now):
        return contacts_restore(
            workspace=job.workspace,
            contact_ids=subject_ids,
            actor=job.requested_by,
            source=RestoreSource.MANUAL,
            now=now,
            job_id=job.id,
        )

    def counters(self, tally: Counter) -> dict[str, int]:
        tally = Counter(tally)
        return {"restored": tally.pop(Outcome.RESTORED, 0), **{f"skipped_{r}": n for r, n in tally.items()}}

    def requested_details(self, job) -> dict:
        return {"selection": job.selection, **({"overage_accepted": True} if job.confirm_overage else {})}

    def finished_audit(self, job) -> tuple[int, dict]:
        return job.restored, {"restored": job.restored, "skipped": job.skipped}

    def notice(self, job) -> tuple[str, str, str]:
        subject = _("Restore job #%(id)s %(status)s") % {"id": job.number, "status": job.status_words}
        return subject, restore_job_summary(job), reverse("restore:job", args=[job.workspace.slug, job.number])


RESTORE_JOBS = RestoreJobs()


def restore_job_create(
    *, selection: Selection, actor, confirm_overage: bool = False, now: datetime | None = None
) -> RestoreJob:
    """R4/B3/R5/R12: accept a restore request and queue it. Refused with 409 while
    another job is queued or running (the database has the last word), when nothing in
    the selection can be restored, and when the restore reaches 90% of the plan without
    `confirm_overage`. Returns at once: the worker does the restoring, and the sweeper
    picks the job up if the broker is down."""
    ws = selection.workspace
    existing = RESTORE_JOBS.active(workspace=ws)
    if existing:
        raise RESTORE_JOBS.in_progress(existing)
    preview = restore_preview(selection=selection, now=now, details=False)
    if not preview.restorable:
        raise InvalidInput(nothing_to_restore(preview), code="nothing_to_restore")  # R12: no job that restores nobody
    if preview.needs_confirmation and not confirm_overage:
        raise Conflict(
            _(
                "Restoring would bring you to %(after)s billable contacts for a plan of %(limit)s (%(percent)s%%). "
                "Confirm the restore to accept a possible overage."
            )
            % {
                "after": num(preview.billable_after),
                "limit": num(preview.contact_limit),
                "percent": preview.usage_percent,
            },
            code="overage_confirmation_required",
        )
    job = RESTORE_JOBS.create(
        workspace=ws,
        actor=actor,
        ids=selection.ids(),
        selection=selection.description,
        # B3: recorded only when it was asked for — the admin accepted going near or past the plan
        confirm_overage=confirm_overage and preview.needs_confirmation,
    )
    job.expected_restored = preview.restorable  # what the preview promised, for the page's message
    return job
