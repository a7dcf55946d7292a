"""Restore jobs. The job row is the truth (R11): its cursor and counters advance in
the same transaction as each chunk of restored contacts; the broker only carries
the job id."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts_app.job_models import (
    ACTIVE_JOB_STATUSES,
    FINISHED_JOB_STATUSES,
    BackgroundJob,
    JobStatus,
)
from contacts_app.lifecycle import SKIP_REASONS, Outcome

__all__ = [
    "ACTIVE_JOB_STATUSES",
    "FINISHED_JOB_STATUSES",
    "FormSubmission",
    "JobStatus",
    "RestoreJob",
    "RestoreJobItem",
]


class RestoreJob(BackgroundJob):
    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="restore_jobs")
    selection = models.JSONField(default=dict, blank=True, help_text="How the admin selected the contacts.")
    confirm_overage = models.BooleanField(default=False)

    restored = models.PositiveIntegerField(default=0)
    skipped_frozen = models.PositiveIntegerField(default=0)
    skipped_expired = models.PositiveIntegerField(default=0)
    skipped_merged = models.PositiveIntegerField(default=0)
    skipped_already_active = models.PositiveIntegerField(default=0)
    skipped_not_found = models.PositiveIntegerField(default=0)
    skipped_email_conflict = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("restore job")
        verbose_name_plural = _("restore jobs")
        constraints = [
            # R4: one queued-or-running job per workspace, enforced by PostgreSQL itself.
            models.UniqueConstraint(
                fields=["workspace"],
                condition=Q(status__in=ACTIVE_JOB_STATUSES),
                name="one_active_restore_job_per_workspace",
            ),
        ]
        indexes = [
            models.Index(fields=["workspace", "-created_at"], name="restorejob_ws_created"),
            models.Index(fields=["status", "heartbeat_at"], name="restorejob_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"Restore job #{self.number} ({self.status})"

    @property
    def skipped(self) -> dict[str, int]:
        return {reason.value: getattr(self, f"skipped_{reason}") for reason in SKIP_REASONS}

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


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
        # R14: the items still to do, in order, for the chunk claims (FOR UPDATE SKIP LOCKED).
        indexes = [models.Index(fields=["job", "position"], condition=models.Q(outcome=""), name="restoreitem_pending")]


class FormSubmission(models.Model):
    """R9: one visitor's submission of a form — what the Forms page counts, and what a
    double opt-in confirms. No address is kept here: the contact holds it."""

    class Outcome(models.TextChoices):
        CREATED = "created", _("New contact")
        RESTORED = "restored", _("Restored automatically")
        UPDATED = "updated", _("Existing contact")

    form = models.ForeignKey("contacts_app.Form", on_delete=models.CASCADE, related_name="submissions")
    contact = models.ForeignKey(
        "contacts_app.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="form_submissions"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    created_at = models.DateTimeField(default=timezone.now)
    double_opt_in = models.BooleanField(default=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=8, blank=True, help_text=_("The visitor's language: the email's."))

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        indexes = [
            models.Index(fields=["form", "created_at"], name="formsub_form_created"),
            models.Index(
                fields=["created_at"],
                condition=Q(double_opt_in=True, confirmation_sent_at__isnull=True),
                name="formsub_confirmation_due",
            ),
        ]

    def __str__(self) -> str:
        return f"Submission of form {self.form_id} ({self.outcome})"
