"""Thin Celery tasks: they take ids and call services. The job row is the truth."""

from celery import shared_task

from .services.form_confirmation import form_comeback_email_send, form_confirmations_send
from .services.jobs import RESTORE_JOBS


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def restore_job_run_task(job_id: int) -> str:
    return RESTORE_JOBS.run_in_task(job_id=job_id)


@shared_task(ignore_result=True)
def restore_jobs_sweep_task() -> int:
    return RESTORE_JOBS.sweep()


@shared_task(acks_late=True, ignore_result=True)
def restore_job_notify_task(job_id: int) -> bool:
    """R13: tell the requester the job finished (idempotent: the job row records it)."""
    return RESTORE_JOBS.notify(job_id=job_id)


@shared_task(ignore_result=True)
def form_confirmations_send_task() -> int:
    """R9's double opt-in emails; also the sweeper for any whose message was lost."""
    return form_confirmations_send()


@shared_task(ignore_result=True)
def form_comeback_email_task(form_id: int, token: str) -> bool:
    """G2: the link that lets the owner of a suppressed address sign up again."""
    return form_comeback_email_send(form_id=form_id, token=token)
