"""The four kinds of things a contact is associated with, declared once (A2, A3, R6,
R12): archiving snapshots each kind, restoring puts back what still exists, the
preview names what was deleted since, the Django admin shows the snapshots. Each of
them reads this table instead of spelling the kinds out again (Zulip's
`retention.py` declares its archive tables the same way).
"""

from dataclasses import dataclass

from django.db import models

from contacts_app.archive_models import (
    ArchivedContactTag,
    ArchivedDealLink,
    ArchivedListMembership,
    ArchiveRecord,
)
from contacts_app.models import (
    Account,
    ContactTag,
    Deal,
    DealContact,
    ListMembership,
    MailingList,
    Tag,
)


@dataclass(frozen=True)
class AssociationKind:
    key: str  # "lists": the key in previews, API answers and templates
    label: str  # "List": how the admin calls one of them
    target: type[models.Model]  # the live object the contact is associated with
    link: type[models.Model] | None  # the live link row (None: a column on the contact)
    snapshot: type[models.Model]  # where archiving keeps the association
    snapshot_id: str  # snapshot column naming the target (a plain id: it may be deleted since)
    snapshot_name: str  # snapshot column keeping its name, for "what will not come back"
    snapshot_fields: tuple[str, ...]  # what support staff see of a snapshot row

    def open_snapshots(self):
        """Snapshot rows of archivings not undone yet."""
        if self.snapshot is ArchiveRecord:
            return ArchiveRecord.objects.filter(restored_at__isnull=True)
        return self.snapshot.objects.filter(record__restored_at__isnull=True)


LISTS = AssociationKind(
    "lists",
    "List",
    MailingList,
    ListMembership,
    ArchivedListMembership,
    "list_id_snapshot",
    "list_name",
    ("list_id_snapshot", "list_name", "status", "subscribed_at"),
)
TAGS = AssociationKind(
    "tags",
    "Tag",
    Tag,
    ContactTag,
    ArchivedContactTag,
    "tag_id_snapshot",
    "tag_name",
    ("tag_id_snapshot", "tag_name"),
)
ACCOUNT = AssociationKind(
    "accounts",
    "Account",
    Account,
    None,
    ArchiveRecord,
    "account_id_snapshot",
    "account_name",
    ("account_id_snapshot", "account_name"),
)
DEALS = AssociationKind(
    "deals",
    "Deal",
    Deal,
    DealContact,
    ArchivedDealLink,
    "deal_id_snapshot",
    "deal_title",
    ("deal_id_snapshot", "deal_title", "was_primary", "deal_deleted"),
)
ASSOCIATION_KINDS = (LISTS, TAGS, ACCOUNT, DEALS)
