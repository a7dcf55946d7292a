"""Reads for restore jobs, scoped to one workspace (S2)."""

from datetime import datetime, timedelta

from django.core.cache import cache
from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
)
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from contacts_app.associations import ACCOUNT, ASSOCIATION_KINDS, DEALS, LISTS, TAGS
from contacts_app.job_models import JobStatus
from contacts_app.lib.fields import id_set_elements
from contacts_app.lib.sqlutil import table
from contacts_app.lifecycle import Outcome, annotate_skip_reason, purge_due_q
from contacts_app.models import DELIVERABLE, ArchiveRecord, AuditEvent, Contact, Form, RestoreSource
from contacts_app.selectors import job_item_rows

from .models import FormSubmission, RestoreJob, RestoreJobItem

ARCHIVED_SORTS = {
    "-archived": ("-archived_at", "-id"),
    "archived": ("archived_at", "id"),
    "email": ("email", "id"),
    "-email": ("-email", "-id"),
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
}
DATE_SORTS = ("-archived", "archived")
# What a row of the archived list shows (P5): the contact's other columns, and those of
# the user who archived it and of the contact it was merged into, are neither fetched
# nor turned into attributes (a third of the rows' cost in the database driver and
# the model constructors).
ARCHIVED_ROW_FIELDS = (
    "workspace_id",
    "email",
    "first_name",
    "last_name",
    "status",
    "archived_at",
    "email_status",
    "archived_by",
    "archived_by__username",
    "merged_into",
    "merged_into__email",
)
DATE_ORDER_PROBE = 5_000


def archived_in_date_order(*, filterset, sort: str, needed: int) -> QuerySet[Contact]:
    """The archived list's matches in date order (P2).

    Read in index order, the first page's matches are found among the newest rows.
    But the planner assumes a list's or tag's archived contacts are spread evenly over
    time; a tag only long-archived contacts had (an old import, last year's webinar)
    would make it walk most of the index (1.9 s at 1,000,000). So with a list or tag
    filter, first count the matches among the DATE_ORDER_PROBE newest rows (a bounded
    range scan); if they do not fill the page, sort the matches instead, which costs
    what their number costs (GIN bitmap + top-N sort)."""
    newest_first = sort == "-archived"
    qs = filterset.qs_or_error()
    ordering = ARCHIVED_SORTS[sort]
    if sort not in DATE_SORTS or not (
        filterset.form.cleaned_data.get("list") or filterset.form.cleaned_data.get("tag")
    ):
        return qs.order_by(*ordering)  # name and email orders are read from their own indexes
    edge = filterset.queryset.order_by(*ordering).values_list("archived_at", flat=True)[
        DATE_ORDER_PROBE - 1 : DATE_ORDER_PROBE
    ]
    edge = next(iter(edge), None)
    if edge is None:
        return qs.order_by(*ordering)  # a short list: nothing to walk
    head = qs.filter(**{"archived_at__gte" if newest_first else "archived_at__lte": edge})
    if head.order_by()[:needed].count() >= needed:
        return qs.order_by(*ordering)
    # An expression the date index does not cover: the planner has to collect the
    # matches and sort them.
    by_date = ExpressionWrapper(F("archived_at") + timedelta(0), output_field=DateTimeField())
    return qs.order_by(by_date.desc() if newest_first else by_date.asc(), ordering[1])


PURGE_FORECAST_TTL = 60  # seconds


def purge_forecast(*, workspace, now) -> int:
    """U5: how many of the workspace's contacts the purge deletes within 30 days.

    P5: counting them costs a range scan of the archived index (10–15 ms at 1,000,000
    archived contacts), and the number moves by the day, so the banner reads it from
    the cache for up to PURGE_FORECAST_TTL seconds (docs/decisions.md)."""
    key = f"purge-forecast:{workspace.pk}"
    forecast = cache.get(key)
    if forecast is None:
        forecast = Contact.objects.filter(workspace=workspace).filter(purge_due_q(now=now)).count()
        cache.set(key, forecast, timeout=PURGE_FORECAST_TTL)
    return forecast


def job_for(*, workspace, number: int) -> RestoreJob | None:
    """The workspace's restore job by its number (U7: pages name jobs by it)."""
    return RestoreJob.objects.filter(workspace=workspace, number=number).select_related("requested_by").first()


def restored_contact_ids(*, job: RestoreJob) -> QuerySet:
    """R7: the ids of the contacts this job restored (a subquery)."""
    return RestoreJobItem.objects.filter(job=job, outcome=Outcome.RESTORED).values("contact_id")


def job_history(*, job: RestoreJob) -> list[tuple]:
    """What happened to a job, for its page: requested, started, and what support did
    to it (cancelled, retried), from the audit log; newest last."""
    by = job.requested_by.get_username() if job.requested_by else _("system")
    events = [(job.created_at, pgettext("job history", "Requested"), by)]
    if job.started_at:  # when a worker took it (the time between is the queue's)
        events.append((job.started_at, pgettext("job history", "Started"), ""))
    staff = (
        AuditEvent.objects.filter(
            workspace_id=job.workspace_id, action=AuditEvent.Action.STAFF_CHANGE, details__job=job.id
        )
        .select_related("actor")
        .order_by("created_at")
    )
    verbs = {"cancel": _("Cancelled by support"), "retry": _("Retried by support")}
    events += [
        (
            e.created_at,
            verbs.get(e.details.get("verb"), _("Changed by support")),
            e.actor.get_username() if e.actor else "",
        )
        for e in staff
    ]
    cancelled_by_support = any(e.details.get("verb") == "cancel" for e in staff)
    if job.finished_at and not (job.status == JobStatus.CANCELLED and cancelled_by_support):
        events.append((job.finished_at, job.get_status_display(), ""))  # (support's cancel says it once)
    return sorted(events, key=lambda e: e[0])


def recent_jobs(*, workspace) -> QuerySet[RestoreJob]:
    """Every restore job of the workspace, newest first (the page paginates: no list
    stops at its first 20)."""
    return RestoreJob.objects.filter(workspace=workspace).select_related("requested_by").order_by("-number")


def job_report_rows(*, job: RestoreJob):
    """R10: one row per requested contact with its outcome, and who brought it back
    (R9: a contact skipped as already active because a visitor's form submission
    restored it after the job was requested names that form). Ids that are not
    contacts of this workspace show no email: their existence is not revealed."""
    by_form = dict(
        ArchiveRecord.objects.filter(
            workspace_id=job.workspace_id,
            restore_source=RestoreSource.FORM,
            restored_at__gte=job.created_at,
            contact_id__in=RestoreJobItem.objects.filter(job=job, outcome=Outcome.ALREADY_ACTIVE).values("contact_id"),
        ).values_list("contact_id", "restored_by_form__name")
    )
    ours = _("Restore job #%(number)s") % {"number": job.number}
    for contact_id, email, first, last, outcome in job_item_rows(item_model=RestoreJobItem, job=job):
        source = ""
        if not outcome:
            status, code, reason = "pending", "", ""
        elif outcome == Outcome.RESTORED:
            status, code, reason, source = Outcome.RESTORED.value, "", "", ours
        else:
            status, code, reason = "skipped", outcome, str(Outcome(outcome).label)
            if contact_id in by_form:
                source = _("Form “%(form)s”") % {"form": by_form[contact_id] or "—"}
        yield contact_id, email, first, last, status, code, reason, source


def selection_breakdown(contacts: QuerySet[Contact], *, now) -> dict[str, tuple[int, int, datetime | None]]:
    """One pass over a selection (R1–R3, B1): {skip reason ('' = restorable):
    (contacts, billable ones, earliest archiving among them)}."""
    rows = (
        annotate_skip_reason(contacts.order_by(), now=now)
        .values("skip_reason")
        .annotate(
            n=Count("id"), billable=Count("id", filter=DELIVERABLE), first=Min("archived_at")
        )  # B2: billable once active
        .order_by()
    )
    return {row["skip_reason"]: (row["n"], row["billable"], row["first"]) for row in rows}


def snapshot_references(contacts: QuerySet[Contact]) -> dict[str, dict[int, tuple[int, int]]]:
    """Every list, tag, account and deal id the open snapshots of `contacts` refer
    to: {"lists": {id: (how many contacts, one of them)}, "tags": …, "accounts": …,
    "deals": …}. One pass over the contacts (a CTE the four branches share): lists,
    tags and the account from the copy on the contact row, deals from their snapshot
    rows by contact id."""
    inner, params = (
        contacts.order_by()
        .values("id", "snapshot_list_ids", "snapshot_tag_ids", "snapshot_account_id")
        .query.sql_with_params()
    )
    branches = []
    for kind, column, alias in ((LISTS, "sel.snapshot_list_ids", "l"), (TAGS, "sel.snapshot_tag_ids", "t")):
        elements, ref = id_set_elements(column, alias=alias)
        branches.append(
            f"SELECT '{kind.key}', {ref}, COUNT(*), MIN(sel.id) FROM sel CROSS JOIN {elements} GROUP BY {ref}"
        )
    branches.append(
        f"SELECT '{ACCOUNT.key}', sel.snapshot_account_id, COUNT(*), MIN(sel.id) FROM sel"
        " WHERE sel.snapshot_account_id IS NOT NULL GROUP BY sel.snapshot_account_id"
    )
    branches.append(
        f"SELECT '{DEALS.key}', d.deal_id_snapshot, COUNT(DISTINCT d.contact_id), MIN(d.contact_id) FROM sel"
        f" JOIN {table(DEALS.snapshot)} d ON d.contact_id = sel.id"
        f" JOIN {table(ArchiveRecord)} r ON r.id = d.record_id AND r.restored_at IS NULL"
        " GROUP BY d.deal_id_snapshot"
    )
    refs: dict[str, dict[int, tuple[int, int]]] = {kind.key: {} for kind in ASSOCIATION_KINDS}
    with connection.cursor() as cur:
        cur.execute(f"WITH sel AS ({inner}) " + " UNION ALL ".join(branches), params)
        for kind, ref, n, sample in cur.fetchall():
            refs[kind][int(ref)] = (n, sample)
    return refs


def forms_with_counts(*, workspace, now: datetime):
    """R9: the workspace's forms for its Forms page, each with its submissions and
    automatic restores over the last 30 days and all time (one query)."""
    recent = Q(submissions__created_at__gte=now - timedelta(days=30))
    restored = Q(submissions__outcome=FormSubmission.Outcome.RESTORED)
    return (
        Form.objects.filter(workspace=workspace)
        .annotate(
            submissions_all=Count("submissions"),
            submissions_30d=Count("submissions", filter=recent),
            restores_all=Count("submissions", filter=restored),
            restores_30d=Count("submissions", filter=restored & recent),
        )
        .prefetch_related("lists")
        .order_by("-is_active", "name", "id")
    )
