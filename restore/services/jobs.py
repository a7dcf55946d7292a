"""Restore jobs: one at a time per workspace (R4), in the background (R5), crash-safe
and resumable (R11). The job row is the truth; the broker only carries its id."""

import json
import logging
import time
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.jobs.machinery import (
    MAX_ATTEMPTS,
    job_chunk_commit,
    job_claim,
    job_enqueue,
    job_items_claim,
    job_items_insert,
    job_joinable,
    job_outcomes_write,
    job_stale_before,
    job_steps_run,
    jobs_to_resume,
)
from contacts_app.jobs.queueing import publish, publish_soon
from contacts_app.lib.errors import Conflict, InvalidInput
from contacts_app.lib.i18n import num
from contacts_app.lifecycle import Outcome
from contacts_app.models import AuditEvent, RestoreSource, Workspace

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
        _(
            "A restore is already in progress in this workspace. Only one restore can run at a time; "
            "wait until it finishes, then try again."
        ),
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
    ids = selection.ids()
    try:
        with transaction.atomic():
            job = RestoreJob.objects.create(
                workspace=ws,
                requested_by=actor if getattr(actor, "is_authenticated", False) else None,
                selection=selection.description,
                confirm_overage=confirm_overage,
                requested=len(ids),
                language=translation.get_language() or "",
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


class ChunkClock:
    """Where a chunk's time goes (claim and lock, restore SQL, outcomes, counters,
    commit), appended as one JSON line to JOB_PROFILE when that is set (the P1
    benchmark reads it); nothing is measured otherwise."""

    def __init__(self):
        self.path = settings.JOB_PROFILE
        self.laps: dict[str, float] = {}
        self.last = time.perf_counter()

    def lap(self, name: str) -> None:
        if self.path:
            now = time.perf_counter()
            self.laps[name] = round((now - self.last) * 1000, 2)
            self.last = now

    def record(self, items: int) -> None:
        if self.path:
            with open(self.path, "a") as fh:
                fh.write(json.dumps({"items": items, **self.laps}) + "\n")


def restore_job_step(*, job_id: int, chunk_size: int | None = None, now: datetime | None = None) -> bool:
    """R11/R14: restore one chunk of a running job — the next unprocessed items no other
    worker holds — in ONE transaction with its outcomes, the job's counters and
    heartbeat. A crash rolls the whole chunk back and its items are claimed again, so
    nobody is restored twice, whichever worker dies when. Returns False when this
    worker found nothing left to take (done, cancelled, or the rest held by others)."""
    chunk_size = chunk_size or settings.JOB_CHUNK_SIZE
    clock = ChunkClock()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Don't wait for the WAL flush of each chunk: outcomes and counters commit
            # with the chunk, so a chunk lost in a crash is lost whole and simply redone.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL synchronous_commit TO OFF")
        job = RestoreJob.objects.select_related("workspace", "requested_by").get(id=job_id)
        if job.status != JobStatus.RUNNING:
            return False  # cancelled (or finished): no new chunk starts
        now = now or timezone.now()
        items = job_items_claim(
            item_model=RestoreJobItem, job_id=job.id, limit=chunk_size, columns=("id", "contact_id")
        )
        if not items:
            return False
        clock.lap("claim")
        outcomes = contacts_restore(
            workspace=job.workspace,
            contact_ids=[cid for _item, cid in items],
            actor=job.requested_by,
            source=RestoreSource.MANUAL,
            now=now,
            job_id=job.id,
        )
        clock.lap("restore")
        tally = job_outcomes_write(item_model=RestoreJobItem, items=items, outcomes=outcomes)
        clock.lap("outcomes")
        counters = {
            "restored": tally.pop(Outcome.RESTORED, 0),
            **{f"skipped_{reason}": n for reason, n in tally.items()},
        }
        if job_chunk_commit(model=RestoreJob, job_id=job.id, processed=len(items), counters=counters, now=now):
            job.refresh_from_db()
            restore_job_notify_soon(job_id=job.id)
            audit_log(
                workspace_id=job.workspace_id,
                actor=job.requested_by,
                action=AuditEvent.Action.RESTORE,
                count=job.restored,
                details={"job": job.id, "phase": "finished", "restored": job.restored, "skipped": job.skipped},
            )
        clock.lap("counters")
    clock.lap("commit")
    clock.record(len(items))
    return True


def restore_job_run(*, job_id: int) -> str:
    """Run a job until nothing is left for this worker, or until the task's time
    budget is spent (then another task is queued to carry on, keeping each task far
    below the broker's visibility timeout). R14: the worker that claims the job queues
    helpers; every free worker that picks one up joins and takes chunks beside it."""
    now = timezone.now()
    if restore_job_claim(job_id=job_id, now=now):
        for _helper in range(settings.JOB_WORKERS_PER_JOB - 1):
            publish(RUN_TASK, job_id)
    elif not job_joinable(model=RestoreJob, job_id=job_id, now=now):
        return "not_claimed"
    finished, chunks = job_steps_run(
        step=lambda: restore_job_step(job_id=job_id), carry_on=lambda: restore_job_enqueue(job_id=job_id)
    )
    return f"done: {chunks} chunks" if finished else f"continued after {chunks} chunks"


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
        RestoreJob.objects.filter(
            status__in=FINISHED_JOB_STATUSES, notified_at__isnull=True, finished_at__lt=stale
        ).values_list("id", flat=True)
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
        audit_log(
            workspace_id=job.workspace_id,
            actor=actor,
            action=AuditEvent.Action.STAFF_CHANGE,
            details={"job": job.id, "verb": "cancel"},
        )
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
            audit_log(
                workspace_id=job.workspace_id,
                actor=actor,
                action=AuditEvent.Action.STAFF_CHANGE,
                details={"job": job.id, "verb": "retry"},
            )
            transaction.on_commit(lambda: restore_job_enqueue_soon(job_id=job_id))
    except IntegrityError:
        raise _job_in_progress(None) from None
    return True
