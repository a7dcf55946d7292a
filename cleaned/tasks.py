"""Thin Celery tasks: they take ids and call services. The job rows are the truth."""

from celery import shared_task

from .services.exports import EXPORTS
from .services.incidents import INCIDENT_REVERTS


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_run_task(export_id: int) -> str:
    """C4/A6: a redelivery after a killed worker resumes the file where it is good."""
    return EXPORTS.run_in_task(job_id=export_id)


@shared_task(ignore_result=True)
def exports_sweep_task() -> int:
    """Resume lost or stale exports, tell what a lost message did not, and delete the
    files past EXPORT_RETENTION_DAYS."""
    resumed = EXPORTS.sweep()
    EXPORTS.expire()
    return resumed


@shared_task(acks_late=True, ignore_result=True)
def export_notify_task(export_id: int) -> bool:
    return EXPORTS.notify(job_id=export_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def incident_revert_run_task(job_id: int) -> str:
    """C8: thin, idempotent: the job row is the truth; a redelivery resumes it."""
    return INCIDENT_REVERTS.run_in_task(job_id=job_id)


@shared_task(ignore_result=True)
def incident_reverts_sweep_task() -> int:
    return INCIDENT_REVERTS.sweep()


@shared_task(acks_late=True, ignore_result=True)
def incident_revert_notify_task(job_id: int) -> bool:
    return INCIDENT_REVERTS.notify(job_id=job_id)
