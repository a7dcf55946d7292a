"""Archive snapshots (A2).

Archiving detaches a contact's associations; these tables keep what it had so that
restore (R6) can put it back. Referenced lists, tags, accounts and deals are stored
as plain ids, not foreign keys: a list deleted after archiving must not delete the
snapshot row, it must make restore skip that list. Names are copied so the preview
can say *what* will not come back (R12). `associations.py` declares the kinds.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RestoreSource(models.TextChoices):
    """How an archiving was undone."""

    MANUAL = "manual", _("Restore job")  # an admin's restore (R1–R5)
    FORM = "form", _("Form submission")  # automatic restore (R9)


class ArchiveRecord(models.Model):
    """One archiving of one contact. `restored_at` is set when it is undone."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="+")
    contact = models.ForeignKey("contacts_app.Contact", on_delete=models.CASCADE, related_name="archive_records")
    archived_at = models.DateTimeField(default=timezone.now)
    archived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    account_id_snapshot = models.BigIntegerField(null=True, blank=True)
    account_name = models.CharField(max_length=200, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)
    restored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    restore_source = models.CharField(max_length=20, blank=True, choices=RestoreSource.choices)
    restored_by_form = models.ForeignKey(
        "contacts_app.Form", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("archive record")
        verbose_name_plural = _("archive records")
        constraints = [
            models.UniqueConstraint(
                fields=["contact"], condition=Q(restored_at__isnull=True), name="one_open_archive_record_per_contact"
            )
        ]

    def __str__(self) -> str:
        return f"Archive of contact {self.contact_id} at {self.archived_at:%Y-%m-%d}"


class ArchivedListMembership(models.Model):
    record = models.ForeignKey(ArchiveRecord, on_delete=models.CASCADE, related_name="list_memberships")
    contact = models.ForeignKey("contacts_app.Contact", on_delete=models.CASCADE, related_name="+")
    list_id_snapshot = models.BigIntegerField()
    list_name = models.CharField(max_length=200)
    status = models.CharField(max_length=12)
    subscribed_at = models.DateTimeField()


class ArchivedContactTag(models.Model):
    record = models.ForeignKey(ArchiveRecord, on_delete=models.CASCADE, related_name="tags")
    contact = models.ForeignKey("contacts_app.Contact", on_delete=models.CASCADE, related_name="+")
    tag_id_snapshot = models.BigIntegerField()
    tag_name = models.CharField(max_length=100)


class ArchivedDealLink(models.Model):
    record = models.ForeignKey(ArchiveRecord, on_delete=models.CASCADE, related_name="deal_links")
    contact = models.ForeignKey("contacts_app.Contact", on_delete=models.CASCADE, related_name="+")
    deal_id_snapshot = models.BigIntegerField()
    deal_title = models.CharField(max_length=200)
    was_primary = models.BooleanField(default=False)
    deal_deleted = models.BooleanField(default=False, help_text="A3: the contact was the deal's only contact.")
