"""Thin Celery tasks: they take ids and call services. The job row is the truth."""

from celery import shared_task

from contacts_app.services.archive_jobs import ARCHIVE_JOBS
from contacts_app.services.erasure_jobs import ERASURE_JOBS
from contacts_app.services.purge import contacts_purge_expired
from contacts_app.services.webhook_delivery import webhooks_relay
from contacts_app.services.workers import worker_heartbeat_record


@shared_task(ignore_result=True)
def contacts_purge_expired_task() -> int:
    return contacts_purge_expired()


@shared_task(ignore_result=True, bind=True)
def worker_heartbeat_task(self) -> None:
    worker_heartbeat_record(name=self.request.hostname or "worker")


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def archive_job_run_task(job_id: int) -> str:
    """A6: thin, idempotent: the job row is the truth; a redelivery resumes it."""
    return ARCHIVE_JOBS.run_in_task(job_id=job_id)


@shared_task(ignore_result=True)
def archive_jobs_sweep_task() -> int:
    return ARCHIVE_JOBS.sweep()


@shared_task(acks_late=True, ignore_result=True)
def archive_job_notify_task(job_id: int) -> bool:
    return ARCHIVE_JOBS.notify(job_id=job_id)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def erasure_job_run_task(job_id: int) -> str:
    """G1/A6: thin, idempotent: the job row is the truth; a redelivery resumes it."""
    return ERASURE_JOBS.run_in_task(job_id=job_id)


@shared_task(ignore_result=True)
def erasure_jobs_sweep_task() -> int:
    return ERASURE_JOBS.sweep()


@shared_task(acks_late=True, ignore_result=True)
def erasure_job_notify_task(job_id: int) -> bool:
    return ERASURE_JOBS.notify(job_id=job_id)


@shared_task(ignore_result=True)
def webhooks_relay_task() -> int:
    """W3: deliver the due webhook deliveries (and, every 10 s from beat, the sweep)."""
    return webhooks_relay()
