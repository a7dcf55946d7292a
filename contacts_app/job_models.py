"""The words of every background job (R5, R11): its statuses and the fields each kind of
job has. Domain, beside the other models: the job machinery (contacts_app/jobs/) reads
and writes these rows; the models of each kind extend `BackgroundJob`."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MAX_ATTEMPTS = 3  # claims of one job before it is failed instead of crashing a worker forever


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED_JOB_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class BackgroundJob(models.Model):
    """The fields every kind of job has. A concrete job adds its workspace, its
    counters and the unique index on active jobs."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    requested = models.PositiveIntegerField(default=0)
    cursor = models.PositiveIntegerField(default=0, help_text="Items processed so far, in position order.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    language = models.CharField(
        max_length=10, blank=True, help_text="The requester's language, for what the job tells them."
    )
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the requester was told it finished.")
    # U7: what people read ("Restore job #3"): counted in the workspace, so a customer's
    # numbers say nothing of other customers' jobs (ids are global). Pages are addressed
    # by it (/restore-jobs/3/); the API keeps ids.
    number = models.PositiveIntegerField(default=0, editable=False, help_text="The job's number in its workspace.")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        """A job written without the machinery (a fixture, a shell) still gets the next
        number; the machinery passes one computed under the workspace's lock."""
        if self._state.adding and not self.number:
            last = type(self).objects.filter(workspace_id=self.workspace_id).aggregate(n=models.Max("number"))["n"]
            self.number = (last or 0) + 1
        super().save(*args, **kwargs)

    @property
    def status_words(self) -> str:
        """The status in a sentence ("Restore job #3 succeeded"); a job that succeeded
        but skipped some of what it was asked ("4 restored, 59 not restored") is said to
        have finished with skips, not plainly to have succeeded."""
        if self.status == JobStatus.SUCCEEDED and getattr(self, "skipped_total", 0):
            return gettext("finished with skips")
        return str(self.get_status_display()).lower()

    @property
    def not_processed(self) -> int:
        """What a cancelled or failed job never reached, so the counts add up."""
        return max(0, self.requested - self.cursor)

    @property
    def waiting_seconds(self) -> int:
        """How long a queued job has waited for a worker (0 once one took it)."""
        if self.status != JobStatus.QUEUED or self.started_at:
            return 0
        return max(0, int((timezone.now() - self.created_at).total_seconds()))

    @property
    def progress(self) -> float:
        if self.status == JobStatus.SUCCEEDED or not self.requested:
            return 1.0 if self.status == JobStatus.SUCCEEDED else 0.0
        return min(1.0, self.cursor / self.requested)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_JOB_STATUSES

    @property
    def keeps_polling(self) -> bool:
        """Its page polls while it runs, and just after, until its requester is told (R13)."""
        return self.is_active or self.awaiting_notice

    @property
    def awaiting_notice(self) -> bool:
        """Finished within JOB_STALE_AFTER and its requester not told yet (R13): its page
        keeps polling until the notice exists."""
        if self.is_active or self.notified_at or not self.finished_at:
            return False
        return self.finished_at > job_stale_before(timezone.now())


def job_stale_before(now: datetime) -> datetime:
    return now - timedelta(seconds=settings.JOB_STALE_AFTER)
