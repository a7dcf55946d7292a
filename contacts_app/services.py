"""Writes on the CRM core. Business rules live here, named by their SPEC ids."""
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Min, OuterRef, Subquery
from django.db.models.functions import Lower
from django.utils import timezone

from .audit import audit_log
from .automations import automations_fire
from .errors import Conflict, InvalidInput, NotFound
from .fields import IdSetAgg
from .sqlutil import in_ids, table
from .archive_models import ARCHIVE_RETENTION
from .models import (
    Account,
    ArchivedContactTag,
    ArchivedDealLink,
    ArchivedListMembership,
    ArchiveRecord,
    AuditEvent,
    CampaignSend,
    Contact,
    ContactStatus,
    ContactTag,
    DealContact,
    Deal,
    ListMembership,
    MailingList,
    MembershipStatus,
    Tag,
    Trigger,
    Workspace,
)


def chunked(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def normalize_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(f"“{email}” is not a valid email address.", code="invalid_email") from None
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def _email_taken_error(workspace: Workspace, email: str) -> Conflict:
    existing = (
        Contact.objects.filter(workspace=workspace)
        .exclude(status=ContactStatus.MERGED)
        .annotate(lemail=Lower("email"))
        .filter(lemail=email.lower())
        .values_list("status", flat=True)
        .first()
    )
    if existing == ContactStatus.ARCHIVED:
        return Conflict(
            f"{email} belongs to an archived contact. Restore it from Archived contacts instead of adding it again.",
            code="email_archived",
        )
    return Conflict(f"A contact with the email {email} already exists.", code="email_taken")


# --- Contacts, lists, tags: the normal actions that DO fire automations -------------


def contact_create(
    *,
    workspace: Workspace,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    list_ids: Iterable[int] = (),
    tag_ids: Iterable[int] = (),
    consent: bool = False,
    actor=None,
) -> Contact:
    """Add a contact. Fires the contact-created, list-subscribed and tag-added
    automations like any normal action. Email is unique per workspace among
    non-merged contacts, case-insensitively (enforced by the database).

    Without `consent` the contact's list memberships are `unconfirmed`, never
    `subscribed`: we only email people who gave permission (C6)."""
    email = normalize_email(email)
    lists = _workspace_objects(MailingList, workspace, list_ids, "list")
    tags = _workspace_objects(Tag, workspace, tag_ids, "tag")
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                workspace=workspace,
                email=email,
                first_name=first_name.strip()[:100],
                last_name=last_name.strip()[:100],
                phone=phone.strip()[:40],
            )
            audit_log(
                workspace_id=workspace.id,
                actor=actor,
                action=AuditEvent.Action.CONTACT_CREATE,
                contact_ids=[contact.id],
                details={"consent": consent},
            )
            automations_fire(workspace_id=workspace.id, trigger=Trigger.CONTACT_CREATED, contact_ids=[contact.id])
            status = MembershipStatus.SUBSCRIBED if consent else MembershipStatus.UNCONFIRMED
            for mailing_list in lists:
                list_subscribe(contact=contact, mailing_list=mailing_list, status=status)
            for tag in tags:
                tag_add(contact=contact, tag=tag)
    except IntegrityError:
        raise _email_taken_error(workspace, email) from None
    return contact


def _workspace_objects(model, workspace: Workspace, ids: Iterable[int], label: str) -> list:
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise InvalidInput(f"Each {label} must be given by its numeric id.") from None
    found = list(model.objects.filter(workspace=workspace, id__in=wanted))
    if len(found) != len(wanted):
        raise NotFound(f"Unknown {label} id(s): {sorted(wanted - {o.id for o in found})}.")
    return found


def _require_active(contact: Contact) -> None:
    if contact.status != ContactStatus.ACTIVE:
        raise Conflict(f"{contact.email} is {contact.status}; only active contacts can be changed.", code="not_active")


def list_subscribe(*, contact: Contact, mailing_list: MailingList, status: str = MembershipStatus.SUBSCRIBED) -> bool:
    """Put the contact on the list with `status`. Fires the list-subscribed
    automations when the contact becomes subscribed. Returns True if it fired."""
    _require_active(contact)
    if mailing_list.workspace_id != contact.workspace_id:
        raise NotFound("Unknown list.")
    if contact.is_cleaned:
        status = MembershipStatus.BOUNCED  # C1: a cleaned address stays bounced everywhere
    membership, created = ListMembership.objects.get_or_create(
        contact=contact, mailing_list=mailing_list, defaults={"status": status}
    )
    was_subscribed = not created and membership.status == MembershipStatus.SUBSCRIBED
    if not created and membership.status != status:
        membership.status = status
        membership.save(update_fields=["status"])
    if status == MembershipStatus.SUBSCRIBED and not was_subscribed:
        automations_fire(
            workspace_id=contact.workspace_id,
            trigger=Trigger.LIST_SUBSCRIBED,
            contact_ids=[contact.id],
            list_id=mailing_list.id,
        )
        return True
    return False


def tag_add(*, contact: Contact, tag: Tag) -> bool:
    """Tag the contact; fires the tag-added automations when the tag is new on it."""
    _require_active(contact)
    if tag.workspace_id != contact.workspace_id:
        raise NotFound("Unknown tag.")
    _, created = ContactTag.objects.get_or_create(contact=contact, tag=tag)
    if created:
        automations_fire(workspace_id=contact.workspace_id, trigger=Trigger.TAG_ADDED, contact_ids=[contact.id], tag_id=tag.id)
    return created


def campaign_send(*, workspace: Workspace, mailing_list: MailingList, subject: str) -> int:
    """Queue a campaign to the list's subscribed members. A4/C2: archived, merged
    and cleaned contacts receive nothing."""
    if mailing_list.workspace_id != workspace.id:
        raise NotFound("Unknown list.")
    recipients = (
        Contact.objects.in_workspace(workspace)
        .sendable()
        .filter(list_memberships__mailing_list=mailing_list, list_memberships__status=MembershipStatus.SUBSCRIBED)
        .values_list("id", flat=True)
    )
    sends = [
        CampaignSend(workspace=workspace, contact_id=cid, mailing_list=mailing_list, subject=subject) for cid in recipients
    ]
    CampaignSend.objects.bulk_create(sends, batch_size=1000)
    return len(sends)


# --- Archive (A1–A3) ---------------------------------------------------------------


def contacts_archive(*, workspace: Workspace, contact_ids: Iterable[int], actor=None, now: datetime | None = None) -> int:
    """A1–A3: archive the given contacts of the workspace, in chunks of
    ARCHIVE_CHUNK_SIZE, each chunk in its own transaction with its audit row.

    Ids that are not active contacts of this workspace are ignored (S2: another
    workspace's ids behave as if they did not exist). Returns how many were archived."""
    ids = sorted({int(i) for i in contact_ids})
    if len(ids) > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(f"At most {settings.MAX_SELECTION_SIZE:,} contacts can be archived at once.", code="selection_too_large")
    now = now or timezone.now()
    archived = 0
    for chunk in chunked(ids, settings.ARCHIVE_CHUNK_SIZE):
        archived += _archive_chunk(workspace=workspace, ids=chunk, actor=actor, now=now)
    return archived


@transaction.atomic
def _archive_chunk(*, workspace: Workspace, ids: Sequence[int], actor, now: datetime) -> int:
    # Lock in pk order so two concurrent bulk archives cannot deadlock.
    contact_ids = list(
        Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=ids, status=ContactStatus.ACTIVE)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not contact_ids:
        return 0
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None

    actor_id = actor_obj.pk if actor_obj else None
    record_of = _snapshot_in_sql(workspace_id=workspace.id, contact_ids=contact_ids, now=now, actor_id=actor_id)
    _snapshot_and_detach_deals(contact_ids, record_of)

    Contact.objects.filter(id__in=contact_ids).update(
        status=ContactStatus.ARCHIVED, archived_at=now, archived_by=actor_obj, account=None, updated_at=now, **snapshot_summary()
    )
    audit_log(workspace_id=workspace.id, actor=actor_obj, action=AuditEvent.Action.ARCHIVE, contact_ids=contact_ids)
    return len(contact_ids)


def _snapshot_in_sql(*, workspace_id: int, contact_ids: list[int], now: datetime, actor_id: int | None) -> dict[int, int]:
    """A2: one archive record per contact (with its account), then copy its list
    memberships (with status) and tags into the snapshot tables and detach them —
    INSERT … SELECT, so the rows never travel through Python. Returns the new
    archive record id of each contact."""
    c_in, c_params = in_ids("c.id", contact_ids)
    m_in, m_params = in_ids("m.contact_id", contact_ids)
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table(ArchiveRecord)} (workspace_id, contact_id, archived_at, archived_by_id, account_id_snapshot, account_name, restore_source)
                SELECT %s, c.id, %s, %s, c.account_id, COALESCE(a.name, ''), ''
                FROM {table(Contact)} c LEFT JOIN {table(Account)} a ON a.id = c.account_id
                WHERE {c_in}
                RETURNING contact_id, id""",
            [workspace_id, now, actor_id, *c_params],
        )
        # Join the snapshots to the records just written rather than to the whole
        # archive-record table, whose statistics lag behind a bulk archive.
        pairs = cur.fetchall()
        records_sql, records_params = _new_records_relation(pairs)
        for target, columns, select in (
            (ArchivedListMembership, "record_id, contact_id, list_id_snapshot, list_name, status, subscribed_at",
             f"r.id, m.contact_id, m.mailing_list_id, x.name, m.status, m.created_at FROM {table(ListMembership)} m "
             f"JOIN {table(MailingList)} x ON x.id = m.mailing_list_id"),
            (ArchivedContactTag, "record_id, contact_id, tag_id_snapshot, tag_name",
             f"r.id, m.contact_id, m.tag_id, x.name FROM {table(ContactTag)} m JOIN {table(Tag)} x ON x.id = m.tag_id"),
        ):
            cur.execute(
                f"INSERT INTO {table(target)} ({columns}) SELECT {select} JOIN {records_sql} ON r.contact_id = m.contact_id WHERE {m_in}",
                [*records_params, *m_params],
            )
    ListMembership.objects.filter(contact_id__in=contact_ids).delete()  # no cascades: one DELETE each
    ContactTag.objects.filter(contact_id__in=contact_ids).delete()
    return dict(pairs)


def snapshot_summary() -> dict:
    """Column values copying what each contact's open archive snapshot holds onto
    the contact row (`Contact.snapshot_*`), for an UPDATE of archived contacts.

    Every lookup is a scalar probe by contact id (open record) then record id, never
    a join: a join planned from statistics taken before a bulk archive hashed every
    open record once per contact."""
    open_record = ArchiveRecord.objects.filter(contact_id=OuterRef(OuterRef("id")), restored_at__isnull=True).values("id")

    def ids_of(model, column):
        rows = model.objects.filter(record_id=Subquery(open_record)).values("record_id")
        return Subquery(rows.annotate(ids=IdSetAgg(column)).values("ids"))

    return {
        "snapshot_list_ids": ids_of(ArchivedListMembership, "list_id_snapshot"),
        "snapshot_tag_ids": ids_of(ArchivedContactTag, "tag_id_snapshot"),
        "snapshot_account_id": Subquery(
            ArchiveRecord.objects.filter(contact_id=OuterRef("id"), restored_at__isnull=True).values("account_id_snapshot")
        ),
    }


def _new_records_relation(pairs: list[tuple[int, int]]) -> tuple[str, list]:
    """(contact_id, record_id) pairs as a relation `r` to join on."""
    if connection.vendor == "postgresql":
        return "unnest(%s::bigint[], %s::bigint[]) AS r(contact_id, id)", [[p[0] for p in pairs], [p[1] for p in pairs]]
    values = ", ".join(["(%s, %s)"] * len(pairs))
    return f"(SELECT column1 AS contact_id, column2 AS id FROM (VALUES {values})) r", [v for p in pairs for v in p]


def _snapshot_and_detach_deals(contact_ids: list[int], record_of: dict[int, int]) -> None:
    """A3: a deal left with no contact is deleted; a shared deal keeps its other
    contacts, and if the primary contact left, the longest-standing remaining
    contact becomes primary."""
    links = list(
        DealContact.objects.filter(contact_id__in=contact_ids).values_list("deal_id", "contact_id", "is_primary", "deal__title")
    )
    if not links:
        return
    deal_ids = {deal_id for deal_id, *_ in links}
    surviving = set(
        DealContact.objects.filter(deal_id__in=deal_ids)
        .exclude(contact_id__in=contact_ids)
        .values_list("deal_id", flat=True)
        .distinct()
    )
    ArchivedDealLink.objects.bulk_create(
        [
            ArchivedDealLink(
                record_id=record_of[cid],
                contact_id=cid,
                deal_id_snapshot=deal_id,
                deal_title=title,
                was_primary=primary,
                deal_deleted=deal_id not in surviving,
            )
            for deal_id, cid, primary, title in links
        ],
        batch_size=2000,
    )
    primary_left = {deal_id for deal_id, _, primary, _ in links if primary and deal_id in surviving}
    DealContact.objects.filter(contact_id__in=contact_ids).delete()
    doomed = deal_ids - surviving
    if doomed:
        Deal.objects.filter(id__in=doomed).delete()
    if primary_left:
        first_remaining = (
            DealContact.objects.filter(deal_id__in=primary_left).values("deal_id").annotate(first=Min("id")).values("first")
        )
        DealContact.objects.filter(id__in=first_remaining).update(is_primary=True)


# --- Merge -------------------------------------------------------------------------


@transaction.atomic
def contacts_merge(*, workspace: Workspace, survivor_id: int, duplicate_id: int, actor=None) -> Contact:
    """Merge a duplicate into a survivor: the duplicate's lists, tags, deals and
    account move to the survivor (what the survivor already has wins), and the
    duplicate becomes `merged` with `merged_into`. A merged contact can never be
    restored (R3)."""
    if survivor_id == duplicate_id:
        raise InvalidInput("A contact cannot be merged into itself.")
    locked = {
        c.id: c
        for c in Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=[survivor_id, duplicate_id])
        .order_by("id")
    }
    if len(locked) != 2:
        raise NotFound("Unknown contact.")
    survivor, duplicate = locked[survivor_id], locked[duplicate_id]
    if survivor.status != ContactStatus.ACTIVE:
        raise Conflict("Contacts can only be merged into an active contact.", code="not_active")
    if duplicate.status == ContactStatus.MERGED:
        raise Conflict(f"{duplicate.email} was already merged.", code="already_merged")

    survivor_lists = ListMembership.objects.filter(contact=survivor).values("mailing_list_id")
    ListMembership.objects.filter(contact=duplicate).exclude(mailing_list_id__in=survivor_lists).update(contact=survivor)
    ListMembership.objects.filter(contact=duplicate).delete()

    survivor_tags = ContactTag.objects.filter(contact=survivor).values("tag_id")
    ContactTag.objects.filter(contact=duplicate).exclude(tag_id__in=survivor_tags).update(contact=survivor)
    ContactTag.objects.filter(contact=duplicate).delete()

    survivor_deals = set(DealContact.objects.filter(contact=survivor).values_list("deal_id", flat=True))
    for link in DealContact.objects.filter(contact=duplicate):
        if link.deal_id in survivor_deals:
            was_primary = link.is_primary
            link.delete()
            if was_primary:
                DealContact.objects.filter(deal_id=link.deal_id, contact=survivor).update(is_primary=True)
        else:
            link.contact = survivor
            link.save(update_fields=["contact"])

    if survivor.account_id is None and duplicate.account_id is not None:
        survivor.account_id = duplicate.account_id
        survivor.save(update_fields=["account", "updated_at"])

    now = timezone.now()
    duplicate.status = ContactStatus.MERGED
    duplicate.merged_into = survivor
    duplicate.account = None
    # The date it left the contact list: it orders the archived list and starts A5's year.
    duplicate.archived_at = duplicate.archived_at or now
    duplicate.save(update_fields=["status", "merged_into", "account", "archived_at", "updated_at"])
    audit_log(
        workspace_id=workspace.id,
        actor=actor,
        action=AuditEvent.Action.MERGE,
        contact_ids=[duplicate.id, survivor.id],
        details={"survivor": survivor.id, "duplicate": duplicate.id},
    )
    return survivor


# --- Purge (A5) ----------------------------------------------------------------------


def contacts_purge(*, workspace: Workspace, contact_ids: Sequence[int], reason: str, actor=None) -> int:
    """Delete archived/merged contacts for good: the contact row, its snapshots and
    its history go; an anonymous audit row keeps only the count."""
    with transaction.atomic():
        doomed = Contact.objects.filter(
            workspace=workspace, id__in=list(contact_ids), status__in=[ContactStatus.ARCHIVED, ContactStatus.MERGED]
        )
        count = doomed.delete()[1].get(Contact._meta.label, 0)
        if not count:
            return 0
        audit_log(workspace_id=workspace.id, actor=actor, actor_label="purge", action=AuditEvent.Action.PURGE, count=count, details={"reason": reason})
    return count


def contacts_purge_expired(*, now: datetime | None = None) -> int:
    """A5: contacts archived (or merged) a year ago or more are purged, 1,000 at a
    time, each chunk in its own transaction."""
    cutoff = (now or timezone.now()) - ARCHIVE_RETENTION
    purged = 0
    while True:
        batch = list(
            Contact.objects.filter(status__in=[ContactStatus.ARCHIVED, ContactStatus.MERGED], archived_at__lte=cutoff)
            .order_by("workspace_id", "id")
            .values_list("workspace_id", "id")[: settings.ARCHIVE_CHUNK_SIZE]
        )
        if not batch:
            return purged
        by_workspace: dict[int, list[int]] = {}
        for workspace_id, cid in batch:
            by_workspace.setdefault(workspace_id, []).append(cid)
        for workspace_id, ids in by_workspace.items():
            purged += contacts_purge(workspace=Workspace(id=workspace_id), contact_ids=ids, reason="one year after archiving")


# --- Editing (C2) ----------------------------------------------------------------------


def contact_update(*, contact: Contact, email: str, first_name: str, last_name: str, phone: str, actor=None) -> Contact:
    """Edit a contact. C2: a cleaned contact is read-only; the fix for a typo is a new
    contact with the corrected address (C6)."""
    if contact.is_cleaned:
        raise Conflict(
            "This address bounced and was cleaned, so the contact cannot be edited. "
            "If the address had a typo, add the corrected address as a new contact.",
            code="contact_cleaned",
        )
    _require_active(contact)
    contact.email = normalize_email(email)
    contact.first_name, contact.last_name, contact.phone = first_name.strip()[:100], last_name.strip()[:100], phone.strip()[:40]
    try:
        with transaction.atomic():
            contact.save(update_fields=["email", "first_name", "last_name", "phone", "updated_at"])
    except IntegrityError:
        raise _email_taken_error(contact.workspace, contact.email) from None
    return contact
