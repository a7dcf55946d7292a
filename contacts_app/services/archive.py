"""Archive (A1–A3): snapshot each contact's associations, detach them, mark the
contact archived. Set-based, 1,000 contacts a transaction, rows locked in pk order."""

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts_app.associations import LISTS, TAGS
from contacts_app.audit import audit_log
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.fields import IdSetAgg
from contacts_app.lib.hygiene import typed_word_check
from contacts_app.lib.i18n import num
from contacts_app.lib.sqlutil import in_ids, table
from contacts_app.models import (
    Account,
    ArchivedContactTag,
    ArchivedDealLink,
    ArchivedListMembership,
    ArchiveOutcome,
    ArchiveRecord,
    AuditEvent,
    Contact,
    ContactStatus,
    Deal,
    DealContact,
    Workspace,
)
from contacts_app.services.webhooks import webhook_emit


def chunked(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


CONFIRMATION_WORD = "ARCHIVE"


def archive_confirmation_check(confirmation: str) -> None:
    """A1/C5: archiving "all matching" a search, or cleaned contacts in bulk, needs the
    admin to type the word (a click is too easy for hundreds of contacts frozen 30 days)."""
    typed_word_check(confirmation, word=CONFIRMATION_WORD)


def archive_size_check(count: int) -> None:
    """S4: one archive (at once or as a job) takes at most MAX_SELECTION_SIZE contacts."""
    if count > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(
            _("At most %(max)s contacts can be archived at once.") % {"max": num(settings.MAX_SELECTION_SIZE)},
            code="selection_too_large",
        )


def contacts_archive(
    *, workspace: Workspace, contact_ids: Iterable[int], actor=None, now: datetime | None = None
) -> int:
    """A1–A3: archive the given contacts of the workspace, in chunks of
    ARCHIVE_CHUNK_SIZE, each chunk in its own transaction with its audit row.

    Ids that are not active contacts of this workspace are ignored (S2: another
    workspace's ids behave as if they did not exist). Returns how many were archived."""
    ids = sorted({int(i) for i in contact_ids})
    archive_size_check(len(ids))
    now = now or timezone.now()
    archived = 0
    for chunk in chunked(ids, settings.ARCHIVE_CHUNK_SIZE):
        archived += len(_archive_chunk(workspace=workspace, ids=chunk, actor=actor, now=now))
    return archived


def contacts_archive_chunk(
    *, workspace: Workspace, contact_ids: Sequence[int], actor, now: datetime, job_id: int | None = None
) -> dict[int, str]:
    """A1/A6: archive one chunk (the caller's transaction, e.g. an archive job's) and
    say what happened to each id: archived, not active (already archived or merged), or
    not found (not a contact of this workspace, S2)."""
    ids = sorted({int(i) for i in contact_ids})
    archived = set(_archive_chunk(workspace=workspace, ids=ids, actor=actor, now=now, job_id=job_id))
    rest = [i for i in ids if i not in archived]
    known = (
        set(Contact.objects.filter(workspace=workspace, id__in=rest).values_list("id", flat=True)) if rest else set()
    )
    return {
        i: ArchiveOutcome.ARCHIVED
        if i in archived
        else ArchiveOutcome.NOT_ACTIVE
        if i in known
        else ArchiveOutcome.NOT_FOUND
        for i in ids
    }


@transaction.atomic
def _archive_chunk(
    *, workspace: Workspace, ids: Sequence[int], actor, now: datetime, job_id: int | None = None
) -> list[int]:
    # Lock in pk order so two concurrent bulk archives cannot deadlock.
    contact_ids = list(
        Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=ids, status=ContactStatus.ACTIVE)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not contact_ids:
        return []
    actor_obj = actor if getattr(actor, "is_authenticated", False) else None

    actor_id = actor_obj.pk if actor_obj else None
    record_of = _snapshot_in_sql(workspace_id=workspace.id, contact_ids=contact_ids, now=now, actor_id=actor_id)
    _snapshot_and_detach_deals(contact_ids, record_of)

    Contact.objects.filter(id__in=contact_ids).update(
        status=ContactStatus.ARCHIVED,
        archived_at=now,
        archived_by=actor_obj,
        account=None,
        updated_at=now,
        **snapshot_summary(),
    )
    audit_log(
        workspace_id=workspace.id,
        actor=actor_obj,
        action=AuditEvent.Action.ARCHIVE,
        contact_ids=contact_ids,
        details={"archive_job": job_id} if job_id else None,
    )
    webhook_emit(
        workspace_id=workspace.id,
        type="contact.archived",
        data={"contacts": contact_ids, **({"archive_job": job_id} if job_id else {})},
        now=now,
    )
    return contact_ids


def _snapshot_in_sql(
    *, workspace_id: int, contact_ids: list[int], now: datetime, actor_id: int | None
) -> dict[int, int]:
    """A2: one archive record per contact (with its account), then copy its list
    memberships (with status) and tags into the snapshot tables and detach them —
    INSERT … SELECT, so the rows never travel through Python. Returns the new
    archive record id of each contact."""
    c_in, c_params = in_ids("c.id", contact_ids)
    m_in, m_params = in_ids("m.contact_id", contact_ids)
    with connection.cursor() as cur:
        cur.execute(
            f"""INSERT INTO {table(ArchiveRecord)} (workspace_id, contact_id, archived_at, archived_by_id,
                    account_id_snapshot, account_name, restore_source)
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
        # kind, the link's column naming the target, snapshot columns <- link columns
        for kind, link_column, columns, values in (
            (
                LISTS,
                "mailing_list_id",
                "list_id_snapshot, list_name, status, subscribed_at",
                "m.mailing_list_id, x.name, m.status, m.created_at",
            ),
            (TAGS, "tag_id", "tag_id_snapshot, tag_name", "m.tag_id, x.name"),
        ):
            cur.execute(
                f"INSERT INTO {table(kind.snapshot)} (record_id, contact_id, {columns}) "
                f"SELECT r.id, m.contact_id, {values} "
                f"FROM {table(kind.link)} m JOIN {table(kind.target)} x ON x.id = m.{link_column} "
                f"JOIN {records_sql} ON r.contact_id = m.contact_id WHERE {m_in}",
                [*records_params, *m_params],
            )
    for kind in (LISTS, TAGS):
        kind.link.objects.filter(contact_id__in=contact_ids).delete()  # no cascades: one DELETE each
    return dict(pairs)


def snapshot_summary() -> dict:
    """Column values copying what each contact's open archive snapshot holds onto
    the contact row (`Contact.snapshot_*`), for an UPDATE of archived contacts.

    Every lookup is a scalar probe by contact id (open record) then record id, never
    a join: a join planned from statistics taken before a bulk archive hashed every
    open record once per contact."""
    open_record = ArchiveRecord.objects.filter(contact_id=OuterRef(OuterRef("id")), restored_at__isnull=True).values(
        "id"
    )

    def ids_of(model, column):
        rows = model.objects.filter(record_id=Subquery(open_record)).values("record_id")
        return Subquery(rows.annotate(ids=IdSetAgg(column)).values("ids"))

    return {
        "snapshot_list_ids": ids_of(ArchivedListMembership, "list_id_snapshot"),
        "snapshot_tag_ids": ids_of(ArchivedContactTag, "tag_id_snapshot"),
        "snapshot_account_id": Subquery(
            ArchiveRecord.objects.filter(contact_id=OuterRef("id"), restored_at__isnull=True).values(
                "account_id_snapshot"
            )
        ),
    }


def _new_records_relation(pairs: list[tuple[int, int]]) -> tuple[str, list]:
    """(contact_id, record_id) pairs as a relation `r` to join on."""
    if connection.vendor == "postgresql":
        return "unnest(%s::bigint[], %s::bigint[]) AS r(contact_id, id)", [[p[0] for p in pairs], [p[1] for p in pairs]]
    values = ", ".join(["(%s, %s)"] * len(pairs))
    return f"(SELECT column1 AS contact_id, column2 AS id FROM (VALUES {values})) r", [v for p in pairs for v in p]


def deals_detach(*, contact_ids: list[int]) -> tuple[list[tuple], set[int]]:
    """A3: take these contacts off their deals. A deal left with no contact is deleted;
    a shared deal keeps its other contacts, and if the primary contact left, the
    longest-standing remaining contact becomes primary. Returns the links as they were
    (deal id, contact id, primary, title) and the deals that survive."""
    links = list(
        DealContact.objects.filter(contact_id__in=contact_ids).values_list(
            "deal_id", "contact_id", "is_primary", "deal__title"
        )
    )
    if not links:
        return [], set()
    deal_ids = {deal_id for deal_id, *_rest in links}
    surviving = set(
        DealContact.objects.filter(deal_id__in=deal_ids)
        .exclude(contact_id__in=contact_ids)
        .values_list("deal_id", flat=True)
        .distinct()
    )
    primary_left = {deal_id for deal_id, _contact, primary, _title in links if primary and deal_id in surviving}
    DealContact.objects.filter(contact_id__in=contact_ids).delete()
    doomed = deal_ids - surviving
    if doomed:
        Deal.objects.filter(id__in=doomed).delete()
    if primary_left:
        first_remaining = (
            DealContact.objects.filter(deal_id__in=primary_left)
            .values("deal_id")
            .annotate(first=Min("id"))
            .values("first")
        )
        DealContact.objects.filter(id__in=first_remaining).update(is_primary=True)
    return links, surviving


def _snapshot_and_detach_deals(contact_ids: list[int], record_of: dict[int, int]) -> None:
    """A2/A3: the deal links into the snapshot, then off the deals."""
    links, surviving = deals_detach(contact_ids=contact_ids)
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
