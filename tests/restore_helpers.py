from django.db import transaction

from contacts_app.services.archive import contacts_archive
from restore.services.jobs import RESTORE_JOBS
from restore.services.restoring import contacts_restore

from .factories import days_ago


def archive(workspace, contacts, actor=None, days: float = 45):
    contacts_archive(workspace=workspace, contact_ids=[c.id for c in contacts], actor=actor, now=days_ago(days))


def restore_now(workspace, contacts, **kw) -> dict[int, str]:
    with transaction.atomic():
        return contacts_restore(workspace=workspace, contact_ids=[c.id for c in contacts], **kw)


def run_job_inline(job) -> None:
    """Run a job to the end in this process (the worker tests use real workers)."""
    RESTORE_JOBS.run(job_id=job.id)
    job.refresh_from_db()
