"""Restore jobs: one at a time per workspace (R4), in the background (R5), crash-safe
and resumable (R11). The job row is the truth; the broker only carries its id."""
import logging
import time
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from contacts_app.audit import audit_log
from contacts_app.errors import Conflict, InvalidInput
from contacts_app.jobs import (
    MAX_ATTEMPTS,
    job_claim,
    job_enqueue,
    job_hand_over,
    job_items_insert,
    job_stale_before,
    jobs_to_resume,
)
from contacts_app.lifecycle import Outcome
from contacts_app.models import AuditEvent, RestoreSource, Workspace
from contacts_app.queueing import publish, publish_soon

from ..models import (
    ACTIVE_JOB_STATUSES,
    FINISHED_JOB_STATUSES,
    JobStatus,
    RestoreJob,
    RestoreJobItem,
)
from .notify import NOTIFY_TASK, restore_job_notify_soon
from .preview import nothing_to_restore, restore_preview
from .restoring import contacts_restore
from .selection import Selection

log = logging.getLogger(__name__)
RUN_TASK = "restore.tasks.restore_job_run_task"


def active_job(*, workspace: Workspace) -> RestoreJob | None:
    return RestoreJob.objects.filter(workspace=workspace, status__in=ACTIVE_JOB_STATUSES).first()


def _job_in_progress(job: RestoreJob | None) -> Conflict:
    error = Conflict(
        "A restore is already in progress in this workspace. Only one restore can run at a time; "
        "wait until it finishes, then try again.",
        code="job_in_progress",
    )
    error.job_id = job.id if job else None
    return error


def restore_job_create(
    *, selection: Selection, actor, confirm_overage: bool = False, now: datetime | None = None
) -> RestoreJob:
    """R4/B3/R5: accept a restore request and queue it. Refused with 409 while
    another job is queued or running (the database has the last word), and when the
    restore reaches 90% of the plan without `confirm_overage`. Returns at once: the
    worker does the restoring, and the sweeper picks the job up if the broker is down."""
    ws = selection.workspace
    existing = active_job(workspace=ws)
    if existing:
        raise _job_in_progress(existing)
    preview = restore_preview(selection=selection, now=now, details=False)
    if not preview.restorable:
        raise InvalidInput(nothing_to_restore(preview), code="nothing_to_restore")  # R12: no job that restores nobody
    if preview.needs_confirmation and not confirm_overage:
        raise Conflict(
            f"Restoring would bring you to {preview.billable_after:,} billable contacts for a plan of "
            f"{preview.contact_limit:,} ({preview.usage_percent}%). Confirm the restore to accept a possible overage.",
            code="overage_confirmation_required",
        )
    ids = selection.ids()
    try:
        with transaction.atomic():
            job = RestoreJob.objects.create(
                workspace=ws,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                selection=selection.description,
                confirm_overage=confirm_overage,
                requested=len(ids),
            )
            job_items_insert(item_model=RestoreJobItem, job_id=job.id, column="contact_id", ids=ids)
            audit_log(
                workspace_id=ws.id,
                actor=actor,
                action=AuditEvent.Action.RESTORE,
                count=len(ids),
                details={"job": job.id, "phase": "requested", "selection": selection.description},
            )
            transaction.on_commit(lambda: restore_job_enqueue_soon(job_id=job.id))
    except IntegrityError:
        raise _job_in_progress(active_job(workspace=ws)) from None
    return job


def restore_job_enqueue(*, job_id: int) -> bool:
    return job_enqueue(model=RestoreJob, task=RUN_TASK, job_id=job_id)


def restore_job_enqueue_soon(*, job_id: int) -> None:
    """From a request: at most ENQUEUE_WAIT on the broker (R11: under 2 s with the
    broker down). A late duplicate is harmless: a job is claimed by a conditional update."""
    publish_soon(lambda: restore_job_enqueue(job_id=job_id), name=f"enqueue-restore-job-{job_id}")


def restore_job_claim(*, job_id: int, now: datetime | None = None) -> bool:
    """R11: take the job for this worker (the shared claim: a conditional update)."""
    result = job_claim(
        model=RestoreJob,
        job_id=job_id,
        now=now or timezone.now(),
        give_up=f"The restore stopped {MAX_ATTEMPTS} times before finishing and was given up. "
        "Contacts restored so far stay restored; support can retry the rest.",
    )
    if result == "failed":
        publish(NOTIFY_TASK, job_id)  # R13 (not in a transaction here; the sweeper covers a lost message)
    return result == "claimed"


def restore_job_step(*, job_id: int, chunk_size: int | None = None, now: datetime | None = None) -> bool:
    """R11: restore the next chunk of a running job in ONE transaction with its
    outcomes, counters, cursor and heartbeat. A crash rolls the whole chunk back;
    the next run starts again from the cursor, so nobody is restored twice.
    Returns True while there is more to do."""
    chunk_size = chunk_size or settings.RESTORE_CHUNK_SIZE
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Don't wait for the WAL flush of each chunk: the cursor commits with the
            # chunk, so a chunk lost in a crash is lost whole and simply redone.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
        job = RestoreJob.objects.select_for_update(of=("self",)).select_related("workspace", "requested_by").get(id=job_id)
        if job.status != JobStatus.RUNNING:
            return False
        now = now or timezone.now()
        items = list(
            RestoreJobItem.objects.filter(job=job, position__gte=job.cursor, position__lt=job.cursor + chunk_size)
            .order_by("position")
            .values_list("id", "contact_id")
        )
        if items:
            outcomes = contacts_restore(
                workspace=job.workspace,
                contact_ids=[cid for _, cid in items],
                actor=job.requested_by,
                source=RestoreSource.MANUAL,
                now=now,
                job_id=job.id,
            )
            by_outcome: dict[str, list[int]] = {}
            for item_id, cid in items:
                by_outcome.setdefault(outcomes[cid], []).append(item_id)
            for outcome, item_ids in by_outcome.items():
                RestoreJobItem.objects.filter(id__in=item_ids).update(outcome=outcome)
            tally = Counter({o: len(v) for o, v in by_outcome.items()})
            job.restored += tally.pop(Outcome.RESTORED, 0)
            for reason, n in tally.items():
                setattr(job, f"skipped_{reason}", getattr(job, f"skipped_{reason}") + n)
            job.cursor += len(items)
        job.heartbeat_at = now
        done = job.cursor >= job.requested
        if done:
            job.status = JobStatus.SUCCEEDED
            restore_job_notify_soon(job_id=job.id)
            job.finished_at = now
            audit_log(
                workspace_id=job.workspace_id,
                actor=job.requested_by,
                action=AuditEvent.Action.RESTORE,
                count=job.restored,
                details={"job": job.id, "phase": "finished", "restored": job.restored, "skipped": job.skipped},
            )
        job.save()
    return not done


def restore_job_run(*, job_id: int) -> str:
    """Run a job from its cursor until done, or until the task's time budget is
    spent (then it is re-enqueued, keeping each task far below the broker's
    visibility timeout)."""
    if not restore_job_claim(job_id=job_id):
        return "not_claimed"
    deadline = time.monotonic() + settings.RESTORE_TASK_BUDGET
    while restore_job_step(job_id=job_id):
        if settings.RESTORE_CHUNK_PAUSE:
            time.sleep(settings.RESTORE_CHUNK_PAUSE)
        if time.monotonic() > deadline:
            job_hand_over(model=RestoreJob, job_id=job_id)
            restore_job_enqueue(job_id=job_id)
            return "continued"
    return "done"


def restore_jobs_sweep(*, now: datetime | None = None) -> int:
    """Periodic: enqueue jobs that were accepted but never picked up (the broker was
    down) and jobs whose worker died (stale heartbeat), and the R13 notice of finished
    jobs whose message was lost. Returns how many jobs were enqueued."""
    now = now or timezone.now()
    stale = job_stale_before(now)
    job_ids = jobs_to_resume(model=RestoreJob, now=now)
    for job_id in job_ids:
        restore_job_enqueue(job_id=job_id)
    untold = list(
        RestoreJob.objects.filter(status__in=FINISHED_JOB_STATUSES, notified_at__isnull=True, finished_at__lt=stale).values_list("id", flat=True)
    )
    for job_id in untold:  # R13: the finish was committed but its message was lost
        publish(NOTIFY_TASK, job_id)
    return len(job_ids)


def restore_job_cancel(*, job_id: int, actor) -> bool:
    """Support staff stop a job; what was restored stays restored."""
    with transaction.atomic():
        job = RestoreJob.objects.select_for_update().filter(id=job_id).first()
        if job is None or not job.is_active:
            return False
        job.status, job.finished_at = JobStatus.CANCELLED, timezone.now()
        job.error = f"Cancelled by support ({actor.get_username()})."
        job.save(update_fields=["status", "finished_at", "error"])
        audit_log(workspace_id=job.workspace_id, actor=actor, action=AuditEvent.Action.STAFF_CHANGE, details={"job": job.id, "verb": "cancel"})
        restore_job_notify_soon(job_id=job.id)
    return True


def restore_job_retry(*, job_id: int, actor) -> bool:
    """Support staff resume a failed or cancelled job from its cursor."""
    try:
        with transaction.atomic():
            job = RestoreJob.objects.select_for_update().filter(id=job_id).first()
            if job is None or job.status not in (JobStatus.FAILED, JobStatus.CANCELLED) or job.cursor >= job.requested:
                return False
            job.status, job.attempts, job.error, job.finished_at, job.enqueued_at = JobStatus.QUEUED, 0, "", None, None
            job.notified_at = None  # its next end is told again (R13)
            job.save(update_fields=["status", "attempts", "error", "finished_at", "enqueued_at", "notified_at"])
            audit_log(workspace_id=job.workspace_id, actor=actor, action=AuditEvent.Action.STAFF_CHANGE, details={"job": job.id, "verb": "retry"})
            transaction.on_commit(lambda: restore_job_enqueue_soon(job_id=job_id))
    except IntegrityError:
        raise _job_in_progress(None) from None
    return True
