"""R13's words for a restore job: when it finishes (succeeded, failed or cancelled), the
admin who started it is told — an email with the counts and a link to the job, and a
notice on their next page view. Once: the machinery (contacts_app/jobs/kinds.py
`JobKind.notify`) records it on the job row, and the sweeper sends what a lost message
did not."""

from django.utils.translation import gettext as _

from contacts_app.lib.i18n import num

from ..models import RestoreJob


def restore_job_summary(job: RestoreJob) -> str:
    values = {
        "id": job.number,
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
