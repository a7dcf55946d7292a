"""Bounce events (C1) and background CSV exports (C4)."""
from django.conf import settings
from django.db import models
from django.utils import timezone


class BounceType(models.TextChoices):
    HARD = "hard", "Hard bounce"
    SOFT = "soft", "Soft bounce"
    DELIVERED = "delivered", "Delivered"


class BounceEvent(models.Model):
    """One provider event, kept once: the (workspace, provider, event id) key makes a
    redelivered event a no-op."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="bounce_events")
    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=200)
    email = models.CharField(max_length=254)
    type = models.CharField(max_length=10, choices=BounceType.choices)
    occurred_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    contact = models.ForeignKey("contacts_app.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="bounce_events")
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "provider", "event_id"], name="uniq_bounce_event")]
        indexes = [models.Index(fields=["workspace", "-occurred_at"], name="bounce_ws_occurred")]

    def __str__(self) -> str:
        return f"{self.type} {self.email} ({self.provider})"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Ready"
    FAILED = "failed", "Failed"


class ExportScope(models.TextChoices):
    """Which contacts an export's filter applies to."""

    CLEANED = "cleaned", "Cleaned contacts"  # the cleaned view's Export CSV (C4)
    CONTACTS = "contacts", "Contacts"  # the API: any contact filter


class ExportJob(models.Model):
    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scope = models.CharField(max_length=10, choices=ExportScope.choices, default=ExportScope.CLEANED)
    filter = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-created_at"], name="export_ws_created")]

    @property
    def progress(self) -> float:
        if self.status == ExportStatus.SUCCEEDED:
            return 1.0
        return min(1.0, self.rows / self.total) if self.total else 0.0
