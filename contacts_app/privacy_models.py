"""Privacy (G1, G2): the suppression list and bulk erasure jobs. Domain, beside the
other models (re-exported by contacts_app.models)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts_app.job_models import BackgroundJob


class SuppressionSource(models.TextChoices):
    ERASED = "erased", _("Erased contact")
    MANUAL = "manual", _("Added by hand")


class Suppression(models.Model):
    """G2: an address that may not be created again in the workspace. Only its keyed
    hash (HMAC-SHA256 of the normalised address with the workspace's suppression key)
    is kept for an erased contact; an address suppressed by hand is also shown."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="suppressions")
    digest = models.CharField(max_length=64, help_text="HMAC-SHA256 of the normalised address, in hex.")
    address = models.CharField(max_length=254, blank=True, help_text="Only for an address suppressed by hand.")
    source = models.CharField(max_length=10, choices=SuppressionSource.choices)
    reason = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        constraints = [models.UniqueConstraint(fields=["workspace", "digest"], name="uniq_suppression_digest")]
        indexes = [models.Index(fields=["workspace", "-created_at", "-id"], name="suppression_ws_created")]

    def __str__(self) -> str:
        return self.address or f"{self.digest[:12]}…"


class ErasureOutcome(models.TextChoices):
    ERASED = "erased", _("Erased")
    NOT_FOUND = "not_found", _("Not found")


class ErasureJob(BackgroundJob):
    """G1/A6: a bulk erasure, in the background, on the job machinery."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="erasure_jobs")
    selection = models.JSONField(default=dict, blank=True, help_text="How the admin selected the contacts.")
    reason = models.CharField(max_length=500)
    erased = models.PositiveIntegerField(default=0)
    skipped_not_found = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("erasure job")
        verbose_name_plural = _("erasure jobs")
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="erasurejob_ws_created"),
            models.Index(fields=["status", "heartbeat_at"], name="erasurejob_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"Erasure job #{self.number} ({self.status})"

    @property
    def skipped_total(self) -> int:
        return self.skipped_not_found


class ErasureJobItem(models.Model):
    job = models.ForeignKey(ErasureJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    contact_id = models.BigIntegerField()
    outcome = models.CharField(max_length=20, blank=True, choices=ErasureOutcome.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="uniq_erasure_item_position")]
        indexes = [models.Index(fields=["job", "position"], condition=models.Q(outcome=""), name="erasureitem_pending")]
