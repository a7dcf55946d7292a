"""R13: when a job finishes (succeeded, failed or cancelled), the admin who started it
is told — an email with the counts and a link to the job, and a notice on their next
page view. Exactly once: the job row records it (a redelivered task does nothing), and
the sweeper sends what a lost message did not."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts_app.jobs.queueing import publish
from contacts_app.lib.i18n import num
from contacts_app.services.notices import notice_send

from ..models import FINISHED_JOB_STATUSES, RestoreJob

NOTIFY_TASK = "restore.tasks.restore_job_notify_task"


def restore_job_notify_soon(*, job_id: int) -> None:
    """From the transaction that finished the job: publish once it commits."""
    transaction.on_commit(lambda: publish(NOTIFY_TASK, job_id))


def restore_job_summary(job: RestoreJob) -> str:
    values = {
        "id": job.id,
        "status": job.get_status_display().lower(),
        "restored": num(job.restored),
        "skipped": num(job.skipped_total),
        "not_processed": num(job.not_processed),
        "requested": num(job.requested),
    }
    if job.not_processed:
        return (
            _(
                "Restore job #%(id)s %(status)s: %(restored)s restored, %(skipped)s not restored, "
                "%(not_processed)s not processed "
                "of %(requested)s requested."
            )
            % values
        )
    return (
        _("Restore job #%(id)s %(status)s: %(restored)s restored, %(skipped)s not restored of %(requested)s requested.")
        % values
    )


def restore_job_notify(*, job_id: int) -> bool:
    """Tell the requester, once. Returns False when there is nothing (more) to send."""
    with transaction.atomic():
        claimed = RestoreJob.objects.filter(
            id=job_id, status__in=FINISHED_JOB_STATUSES, notified_at__isnull=True
        ).update(notified_at=timezone.now())
        if not claimed:
            return False
        job = RestoreJob.objects.select_related("workspace", "requested_by").get(id=job_id)
        if job.requested_by is None:
            return True
        with translation.override(job.language or settings.LANGUAGE_CODE):  # U3: in the language the admin used
            notice_send(
                workspace=job.workspace,
                user=job.requested_by,
                subject=_("Restore job #%(id)s %(status)s")
                % {"id": job.id, "status": job.get_status_display().lower()},
                message=restore_job_summary(job) + (f" {job.error}" if job.error else ""),
                path=reverse("restore:job", args=[job.workspace.slug, job.id]),
            )
    return True
