"""Thin Celery tasks: they take ids and call services. The job row is the truth."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from .services.jobs import RESTORE_JOBS

log = logging.getLogger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def restore_job_run_task(job_id: int) -> str:
    try:
        return RESTORE_JOBS.run(job_id=job_id)
    except SoftTimeLimitExceeded:
        # The finished chunks are committed; the sweeper resumes from the cursor.
        log.warning("restore job %s hit the soft time limit; it will be resumed", job_id)
        return "timeout"
    except Exception as exc:
        log.exception("restore job %s crashed", job_id)
        # Leave the job running with its heartbeat: the sweeper resumes it, and the
        # attempts counter fails it after MAX_ATTEMPTS instead of looping forever.
        return f"error: {exc}"


@shared_task(ignore_result=True)
def restore_jobs_sweep_task() -> int:
    return RESTORE_JOBS.sweep()


@shared_task(acks_late=True, ignore_result=True)
def restore_job_notify_task(job_id: int) -> bool:
    """R13: tell the requester the job finished (idempotent: the job row records it)."""
    return RESTORE_JOBS.notify(job_id=job_id)
