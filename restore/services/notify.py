"""R13's words for a restore job: when it finishes (succeeded, failed or cancelled), the
admin who started it is told — an email with the counts and a link to the job, and a
notice on their next page view. Once: the machinery (contacts_app/jobs/kinds.py
`JobKind.notify`) records it on the job row, and the sweeper sends what a lost message
did not."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from contacts_app.jobs.kinds import JobKind
from contacts_app.lib.i18n import num

from ..models import RestoreJob


def restore_job_summary(job: RestoreJob) -> str:
    title = _("Restore job #%(id)s %(status)s") % {"id": job.number, "status": job.status_words}
    counts = [
        ngettext("%(n)s restored", "%(n)s restored", job.restored) % {"n": num(job.restored)},
        ngettext("%(n)s not restored", "%(n)s not restored", job.skipped_total) % {"n": num(job.skipped_total)},
    ]
    return JobKind.summary(job, title=title, counts=counts)
