from celery import shared_task

from .services import exports, incidents


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def export_run_task(export_id: int) -> str:
    return exports.export_run(export_id=export_id)


@shared_task(ignore_result=True)
def exports_sweep_task() -> int:
    return exports.exports_sweep()


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def incident_revert_run_task(job_id: int) -> str:
    """C8: thin, idempotent: the job row is the truth; a redelivery resumes it."""
    return incidents.INCIDENT_REVERTS.run_in_task(job_id=job_id)


@shared_task(ignore_result=True)
def incident_reverts_sweep_task() -> int:
    return incidents.INCIDENT_REVERTS.sweep()
