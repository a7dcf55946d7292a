"""Reads on the CRM core. Every selector is scoped to one workspace (S2)."""

import functools

from django.db import connection
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Lower

from contacts_app.archive_models import ArchivedContactTag, ArchivedListMembership
from contacts_app.lib.sqlutil import CompiledQuery, table
from contacts_app.models import (
    ArchiveJob,
    ArchiveJobItem,
    ArchiveRecord,
    Contact,
    ContactStatus,
    ContactTag,
    DealContact,
    ErasureJob,
    ListMembership,
    Suppression,
    Workspace,
    WorkspaceMembership,
)


def membership_for(*, user, slug: str) -> WorkspaceMembership | None:
    """The user's membership of the workspace at `slug`, with its workspace (S2: None if
    not a member). Every page asks: one precompiled query (P5)."""
    if not user.is_authenticated:
        return None
    rows = _MEMBERSHIP(user_id=user.id, slug=slug)
    if not rows:
        return None
    split = len(_MEMBERSHIP_FIELDS)
    membership = WorkspaceMembership.from_db("default", _MEMBERSHIP_FIELDS, rows[0][:split])
    membership.workspace = Workspace.from_db("default", _WORKSPACE_FIELDS, rows[0][split:])
    return membership


_MEMBERSHIP_FIELDS = [f.attname for f in WorkspaceMembership._meta.concrete_fields]
_WORKSPACE_FIELDS = [f.attname for f in Workspace._meta.concrete_fields]
_MEMBERSHIP = CompiledQuery(
    lambda user_id, slug: (
        WorkspaceMembership.objects.filter(user_id=user_id, workspace__slug=slug)
        .order_by("id")
        .values_list(*_MEMBERSHIP_FIELDS, *(f"workspace__{name}" for name in _WORKSPACE_FIELDS))[:1]
    ),
    user_id=int,
    slug=str,
)


def default_membership_for(*, user) -> WorkspaceMembership | None:
    if not user.is_authenticated:
        return None
    return WorkspaceMembership.objects.select_related("workspace").filter(user=user).order_by("id").first()


def other_workspaces(*, user, workspace, limit: int) -> list[tuple[str, str]]:
    """The (name, slug) of up to `limit` of the user's workspaces other than
    `workspace`, by name (S2: only the user's own). Pairs, not rows: the top bar reads
    them on every page (P5)."""
    return _other_workspaces(limit)(user_id=user.id, workspace_id=workspace.id)


@functools.cache
def _other_workspaces(limit: int) -> CompiledQuery:
    return CompiledQuery(
        lambda user_id, workspace_id: (
            WorkspaceMembership.objects.filter(user_id=user_id)
            .exclude(workspace_id=workspace_id)
            .order_by("workspace__name")
            .values_list("workspace__name", "workspace__slug")[:limit]
        ),
        user_id=int,
        workspace_id=int,
    )


def contact_list(*, workspace, q: str = "", within: QuerySet | None = None) -> QuerySet[Contact]:
    """The Contacts page: active contacts (cleaned ones included, with their badge),
    newest first, searchable by name or email; optionally only those whose id is in
    `within` (a subquery of ids, e.g. what a restore job brought back: R7)."""
    qs = Contact.objects.in_workspace(workspace).active().search(q)
    if within is not None:
        qs = qs.filter(id__in=within)
    return qs.select_related("account").order_by("-created_at", "-id")


def archived_match(*, workspace, q: str) -> Contact | None:
    """U6: an archived contact a search of the Contacts page would have found (the
    page lists active contacts only, and said "No contact matches" with no word of it);
    else a merged duplicate, whose page says which contact it became."""
    if not q:
        return None
    return (
        Contact.objects.in_workspace(workspace)
        .filter(status__in=(ContactStatus.ARCHIVED, ContactStatus.MERGED))
        .search(q)
        .order_by("status", "-archived_at", "-id")  # "archived" sorts before "merged"
        .only("id", "email", "archived_at", "status")
        .first()
    )


def contact_ids_by_email(*, workspace_id: int, emails, status: str | None = None) -> dict[str, int]:
    """P1: the contact that holds each address (lower-cased) in one workspace, merged
    duplicates aside: at most one each, by the unique index on (lower(email),
    workspace) (S2: only this workspace's). `status` keeps only contacts in it.

    On PostgreSQL each address is one probe of that index (a lateral join). The ORM's
    `lower(email) IN (…)` was planned as a walk of the workspace's every contact: the
    index is partial, so PostgreSQL has no statistics on its expression and took the IN
    list to match them all. At a million contacts that walk cost 450–700 ms per restore
    chunk or bounce batch, 4 ms as probes."""
    emails = sorted({e.lower() for e in emails})
    if not emails:
        return {}
    if connection.vendor != "postgresql":
        qs = Contact.objects.filter(workspace_id=workspace_id).exclude(status=ContactStatus.MERGED)
        if status:
            qs = qs.filter(status=status)
        return dict(qs.annotate(lemail=Lower("email")).filter(lemail__in=emails).values_list("lemail", "id"))
    in_status = " AND status = %s" if status else ""
    with connection.cursor() as cur:
        cur.execute(
            f"""SELECT e.email, c.id FROM unnest(%s::text[]) AS e(email)
                CROSS JOIN LATERAL (
                    SELECT id FROM {table(Contact)}
                    WHERE lower(email) = e.email AND workspace_id = %s AND NOT status = %s{in_status}
                    LIMIT 1) c""",
            [emails, workspace_id, ContactStatus.MERGED.value, *([status] if status else [])],
        )
        return dict(cur.fetchall())


def contact_detail(*, workspace, contact_id: int) -> Contact | None:
    return (
        Contact.objects.in_workspace(workspace)
        .select_related("account", "archived_by", "merged_into", "replaces")
        .prefetch_related(
            Prefetch(
                "list_memberships",
                queryset=ListMembership.objects.select_related("mailing_list").order_by("mailing_list__name"),
            ),
            "tags",
            "replaced_by",
            Prefetch("deal_links", queryset=DealContact.objects.select_related("deal").order_by("deal__title")),
            Prefetch(
                "archive_records",
                queryset=ArchiveRecord.objects.select_related("archived_by", "restored_by", "restored_by_form")
                .prefetch_related("list_memberships", "tags", "deal_links")
                .order_by("-archived_at"),
            ),
            # U6: the duplicates merged into this contact, which its page names
            Prefetch(
                "merged_from",
                queryset=Contact.objects.only("id", "email", "archived_at", "merged_into_id").order_by(
                    "-archived_at", "-id"
                ),
            ),
        )
        .filter(id=contact_id)
        .first()
    )


def billable_count(*, workspace) -> int:
    """B1: active contacts whose email is not cleaned."""
    return Contact.objects.in_workspace(workspace).billable().count()


def archivable_ids(*, workspace, ids: list[int]) -> list[int]:
    """A1/S2: of the ticked ids, the workspace's active contacts — what the confirmation
    counts (another workspace's id, or an archived one, is not "1 contact")."""
    return list(
        Contact.objects.filter(workspace=workspace, id__in=ids, status=ContactStatus.ACTIVE)
        .order_by("id")
        .values_list("id", flat=True)
    )


def archive_jobs(*, workspace):
    """Every archive job of the workspace, newest first."""
    return ArchiveJob.objects.filter(workspace=workspace).select_related("requested_by").order_by("-number")


def archive_job(*, workspace, job_id: int | None = None, number: int | None = None) -> ArchiveJob | None:
    """The workspace's archive job by id (the API) or by number (the pages, U7)."""
    found = ArchiveJob.objects.filter(workspace=workspace).select_related("requested_by")
    return (found.filter(number=number) if job_id is None else found.filter(id=job_id)).first()


def erasure_jobs(*, workspace):
    """G1: every erasure job of the workspace, newest first."""
    return ErasureJob.objects.filter(workspace=workspace).select_related("requested_by").order_by("-number")


def erasure_job(*, workspace, job_id: int | None = None, number: int | None = None) -> ErasureJob | None:
    found = ErasureJob.objects.filter(workspace=workspace).select_related("requested_by")
    return (found.filter(number=number) if job_id is None else found.filter(id=job_id)).first()


def suppressions(*, workspace) -> QuerySet[Suppression]:
    """G2: the workspace's suppression list, newest first."""
    return Suppression.objects.filter(workspace=workspace).select_related("created_by").order_by("-created_at", "-id")


def job_item_rows(*, item_model, job):
    """A job's items in order, each as (contact id, email, first name, last name,
    outcome — "" until processed), streamed. Ids that are not contacts of this workspace
    show no email: their existence is not revealed (S2). For every kind whose items
    are contacts (restore and archive reports)."""
    own = Contact.objects.filter(workspace_id=job.workspace_id, id=OuterRef("contact_id"))
    items = (
        item_model.objects.filter(job=job)
        .annotate(
            email=Subquery(own.values("email")),
            first_name=Subquery(own.values("first_name")),
            last_name=Subquery(own.values("last_name")),
        )
        .order_by("position")
        .values_list("contact_id", "email", "first_name", "last_name", "outcome")
    )
    for contact_id, email, first, last, outcome in items.iterator(chunk_size=2000):
        yield contact_id, email or "", first or "", last or "", outcome


def archive_job_report_rows(*, job: ArchiveJob):
    """A6: one row per requested contact with its outcome ("pending" until processed)."""
    for *person, outcome in job_item_rows(item_model=ArchiveJobItem, job=job):
        yield *person, outcome or "pending"


def contact_export_extras(*, contact_ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """U5: (lists, tags, account) of each contact, names joined with " | ", read in a
    fixed number of queries for a whole chunk: an active contact's own memberships,
    tags and account; an archived one's open archive snapshot (A2 kept them there)."""
    lists: dict[int, list[str]] = {i: [] for i in contact_ids}
    tags: dict[int, list[str]] = {i: [] for i in contact_ids}
    accounts: dict[int, str] = {}
    for cid, name in ListMembership.objects.filter(contact_id__in=contact_ids).values_list(
        "contact_id", "mailing_list__name"
    ):
        lists[cid].append(name)
    for cid, name in ArchivedListMembership.objects.filter(
        contact_id__in=contact_ids, record__restored_at__isnull=True
    ).values_list("contact_id", "list_name"):
        lists[cid].append(name)
    for cid, name in ContactTag.objects.filter(contact_id__in=contact_ids).values_list("contact_id", "tag__name"):
        tags[cid].append(name)
    for cid, name in ArchivedContactTag.objects.filter(
        contact_id__in=contact_ids, record__restored_at__isnull=True
    ).values_list("contact_id", "tag_name"):
        tags[cid].append(name)
    for cid, name in Contact.objects.filter(id__in=contact_ids, account__isnull=False).values_list(
        "id", "account__name"
    ):
        accounts[cid] = name
    for cid, name in (
        ArchiveRecord.objects.filter(contact_id__in=contact_ids, restored_at__isnull=True)
        .exclude(account_name="")
        .values_list("contact_id", "account_name")
    ):
        accounts.setdefault(cid, name)
    return {
        i: (" | ".join(sorted(set(lists[i]))), " | ".join(sorted(set(tags[i]))), accounts.get(i, ""))
        for i in contact_ids
    }


def archive_consequences(*, workspace, contact_ids: list[int]) -> dict[str, int]:
    """A1/A3, said before archiving: how many deals lose these contacts, and how many
    are deleted because one of them was their only contact."""
    if not contact_ids:
        return {"deals": 0, "deals_deleted": 0}
    links = DealContact.objects.filter(deal__workspace=workspace, contact_id__in=contact_ids)
    deal_ids = set(links.values_list("deal_id", flat=True))
    if not deal_ids:
        return {"deals": 0, "deals_deleted": 0}
    others = set(
        DealContact.objects.filter(deal_id__in=deal_ids)
        .exclude(contact_id__in=contact_ids)
        .values_list("deal_id", flat=True)
    )
    return {"deals": len(deal_ids), "deals_deleted": len(deal_ids - others)}
