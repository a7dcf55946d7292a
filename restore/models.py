"""Restore jobs. The job row is the truth (R11): its cursor and counters advance in
the same transaction as each chunk of restored contacts; the broker only carries
the job id."""
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from contacts_app.lifecycle import SKIP_REASONS, Outcome


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


ACTIVE_JOB_STATUSES = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED_JOB_STATUSES = (JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED)


class RestoreJob(models.Model):
    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="restore_jobs")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    selection = models.JSONField(default=dict, blank=True, help_text="How the admin selected the contacts.")
    confirm_overage = models.BooleanField(default=False)

    requested = models.PositiveIntegerField(default=0)
    restored = models.PositiveIntegerField(default=0)
    skipped_frozen = models.PositiveIntegerField(default=0)
    skipped_expired = models.PositiveIntegerField(default=0)
    skipped_merged = models.PositiveIntegerField(default=0)
    skipped_already_active = models.PositiveIntegerField(default=0)
    skipped_not_found = models.PositiveIntegerField(default=0)
    skipped_email_conflict = models.PositiveIntegerField(default=0)

    cursor = models.PositiveIntegerField(default=0, help_text="Items processed so far, in position order.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    notified_at = models.DateTimeField(null=True, blank=True, help_text="When the requester was told it finished (R13).")
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            # R4: one queued-or-running job per workspace, enforced by PostgreSQL itself.
            models.UniqueConstraint(
                fields=["workspace"], condition=Q(status__in=ACTIVE_JOB_STATUSES), name="one_active_restore_job_per_workspace"
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="restorejob_ws_created"),
            models.Index(fields=["status", "heartbeat_at"], name="restorejob_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"Restore job #{self.pk} ({self.status})"

    @property
    def skipped(self) -> dict[str, int]:
        return {reason.value: getattr(self, f"skipped_{reason}") for reason in SKIP_REASONS}

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def not_processed(self) -> int:
        """R13: what a cancelled or failed job never reached, so the counts add up:
        restored + skipped + not processed = requested."""
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


class RestoreJobItem(models.Model):
    """One requested contact id and, once processed, its outcome (R10).

    `contact_id` is a plain integer: it may name a contact of another workspace or
    one that no longer exists, which must come out as `not_found`."""

    job = models.ForeignKey(RestoreJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    contact_id = models.BigIntegerField()
    outcome = models.CharField(max_length=20, blank=True, choices=Outcome.choices)  # blank: not processed yet

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="uniq_restore_item_position")]
