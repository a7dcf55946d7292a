"""Bounce events with their evidence (C1, C7), cleanings and their undoing (C8),
incident reverts (C8, the shared job machinery) and background CSV exports (C4)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts_app.job_models import ACTIVE_JOB_STATUSES, BackgroundJob


class BounceType(models.TextChoices):
    HARD = "hard", _("Hard bounce")
    SOFT = "soft", _("Soft bounce")
    DELIVERED = "delivered", _("Delivered")


class BounceClass(models.TextChoices):
    """C7: what the evidence says happened (the table is in classification.py)."""

    ADDRESS_GONE = "address_gone", _("Address gone")
    MAILBOX_FULL = "mailbox_full", _("Mailbox full")
    BLOCKED = "blocked", _("Blocked (policy, spam or reputation)")
    TEMPORARY = "temporary", _("Temporary failure")
    UNDETERMINED = "undetermined", _("Not stated")
    DELIVERED = "delivered", _("Delivered")


class BounceSource(models.TextChoices):
    PROVIDER = "provider", _("Provider webhook")
    SIGNED = "signed", _("Signed webhook")
    FILE = "file", _("File import")


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
    contact = models.ForeignKey(
        "contacts_app.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="bounce_events"
    )
    received_at = models.DateTimeField(default=timezone.now)
    # C7: the evidence. `type` above is the effect the classification decided.
    code = models.CharField(max_length=20, blank=True, help_text="RFC 3463 enhanced status code, x.y.z.")
    diagnostic = models.CharField(max_length=1000, blank=True)
    bounce_class = models.CharField(max_length=20, choices=BounceClass.choices, default=BounceClass.UNDETERMINED)
    source = models.CharField(max_length=10, choices=BounceSource.choices, default=BounceSource.SIGNED)
    reported_as = models.CharField(max_length=40, blank=True, help_text="The source's own label.")

    @classmethod
    def limit(cls, field: str) -> int:
        """The longest value a column holds: the one limit the parsers and the provider
        webhook read (a signed batch refuses a longer value; a provider's text is cut)."""
        return cls._meta.get_field(field).max_length

    class Meta:
        verbose_name = _("bounce event")
        verbose_name_plural = _("bounce events")
        constraints = [models.UniqueConstraint(fields=["workspace", "provider", "event_id"], name="uniq_bounce_event")]
        indexes = [
            models.Index(fields=["workspace", "-occurred_at"], name="bounce_ws_occurred"),
            models.Index(fields=["contact", "-occurred_at"], name="bounce_contact_occurred"),
            # G1: an erased address's events, also those that matched no contact.
            models.Index(F("workspace"), Lower("email"), name="bounce_ws_email_ci"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.email} ({self.provider})"


class Cleaning(models.Model):
    """C8: one time an address was cleaned, with the event that did it and the
    membership statuses it replaced, so that it can be undone exactly."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="cleanings")
    contact = models.ForeignKey("contacts_app.Contact", on_delete=models.CASCADE, related_name="cleanings")
    cleaned_at = models.DateTimeField()
    event = models.ForeignKey(BounceEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    provider = models.CharField(max_length=30)
    bounce_class = models.CharField(max_length=20, choices=BounceClass.choices)
    code = models.CharField(max_length=20, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.CharField(max_length=500, blank=True)
    undone_by_job = models.ForeignKey(
        "IncidentRevertJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            # A contact has at most one cleaning in force.
            models.UniqueConstraint(
                fields=["contact"], condition=Q(undone_at__isnull=True), name="one_open_cleaning_per_contact"
            ),
        ]
        indexes = [models.Index(fields=["workspace", "provider", "cleaned_at"], name="cleaning_ws_provider_at")]

    def __str__(self) -> str:
        return f"Cleaning of contact {self.contact_id} ({self.bounce_class})"


class CleanedMembership(models.Model):
    """The status a list membership had when the cleaning set it to bounced (C8).
    Keyed by contact and list, so it survives an archive and restore in between."""

    cleaning = models.ForeignKey(Cleaning, on_delete=models.CASCADE, related_name="memberships")
    contact_id = models.BigIntegerField()
    list_id = models.BigIntegerField()
    status = models.CharField(max_length=20)

    class Meta:
        indexes = [models.Index(fields=["cleaning"], name="cleanedmembership_cleaning")]


class RevertOutcome(models.TextChoices):
    REVERTED = "reverted", _("Un-cleaned")
    ALREADY_UNDONE = "already_undone", _("Already un-cleaned")
    NOT_ACTIVE = "not_active", _("Archived or merged since (left cleaned)")


class IncidentRevertJob(BackgroundJob):
    """C8: undo the cleanings of a provider incident, in the background, with the
    same machinery as restore jobs (contacts_app.jobs.machinery)."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="incident_reverts")
    provider = models.CharField(max_length=30)
    bounce_class = models.CharField(max_length=20, choices=BounceClass.choices)
    cleaned_from = models.DateTimeField()
    cleaned_until = models.DateTimeField()
    reason = models.CharField(max_length=500)
    reverted = models.PositiveIntegerField(default=0)
    skipped_already_undone = models.PositiveIntegerField(default=0)
    skipped_not_active = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(status__in=ACTIVE_JOB_STATUSES),
                name="one_active_incident_revert_per_workspace",
            ),
        ]
        indexes = [models.Index(fields=["workspace", "-created_at"], name="revertjob_ws_created")]

    def __str__(self) -> str:
        return f"Incident revert #{self.number} ({self.status})"

    @property
    def skipped_total(self) -> int:
        return self.skipped_already_undone + self.skipped_not_active


class IncidentRevertItem(models.Model):
    job = models.ForeignKey(IncidentRevertJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    cleaning = models.ForeignKey(Cleaning, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(max_length=20, blank=True, choices=RevertOutcome.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="uniq_revert_item_position")]
        indexes = [models.Index(fields=["job", "position"], condition=Q(outcome=""), name="revertitem_pending")]


class ExportStatus(models.TextChoices):
    """The job statuses (contacts_app.job_models.JobStatus), a finished export
    being "Ready" to download."""

    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Ready")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ExportScope(models.TextChoices):
    """Which contacts an export's filter applies to."""

    CLEANED = "cleaned", _("Cleaned contacts")  # the cleaned view's Export CSV (C4)
    CONTACTS = "contacts", _("Contacts")  # the API: any contact filter


class ExportJob(BackgroundJob):
    """C4/A6: a CSV export, a kind on the job machinery. Its chunks are sequential: each
    appends the next rows (by contact id) to the file and commits how far the file is
    good (`last_id`, `file_bytes`) with the job's counters, so a killed worker's
    successor cuts the file back to that point and carries on: every row once."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="exports")
    scope = models.CharField(max_length=10, choices=ExportScope.choices, default=ExportScope.CLEANED)
    filter = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    file_name = models.CharField(max_length=200, blank=True)
    last_id = models.BigIntegerField(default=0, help_text="The last contact id written to the file.")
    file_bytes = models.BigIntegerField(default=0, help_text="How much of the file the committed chunks wrote.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="When the file is deleted.")
    file_deleted_at = models.DateTimeField(null=True, blank=True)
    withdrawn = models.BooleanField(
        default=False, help_text="The file was deleted because it held a contact who was erased (G1)."
    )

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="export_ws_created"),
            models.Index(fields=["status", "heartbeat_at"], name="export_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"Export #{self.number} ({self.status})"

    @property
    def total(self) -> int:
        """Contacts matching when it was requested."""
        return self.requested

    @property
    def rows(self) -> int:
        """Rows written so far."""
        return self.cursor

    @property
    def progress(self) -> float:
        if self.status == ExportStatus.SUCCEEDED:
            return 1.0
        return min(1.0, self.cursor / self.requested) if self.requested else 0.0

    @property
    def downloadable(self) -> bool:
        return self.status == ExportStatus.SUCCEEDED and self.file_deleted_at is None
