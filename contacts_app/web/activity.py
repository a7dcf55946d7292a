"""U4: the workspace's activity for its admins — who did what, when, to how many — from
the audit log (archive, restore, clean, export, staff actions, …), filterable and
exportable to CSV."""

from datetime import datetime, time, timedelta

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from contacts_app.audit import actor_words
from contacts_app.deliverability import provider_label
from contacts_app.jobs.kinds import KINDS
from contacts_app.lib.csv_stream import IsoUtc
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import check_date_range, validate_date
from contacts_app.models import AuditEvent, Contact
from contacts_app.web.access import handles_service_errors, workspace_view
from contacts_app.web.downloads import table_download
from contacts_app.web.forms import ServiceForm
from contacts_app.web.pagination import paginate


class ActivityFilterForm(ServiceForm):
    action = forms.ChoiceField(choices=[("", _("Any action")), *AuditEvent.Action.choices], required=False)
    since = forms.DateField(required=False, validators=[validate_date], label=_("From"))
    until = forms.DateField(required=False, validators=[validate_date], label=_("Until"))


def activity_events(*, workspace, action: str = "", since=None, until=None):
    """U4: the workspace's audit events, newest first (S2: only its own), one per action a
    person took: a background job is its request row only — the rows each chunk wrote
    (they carry the contact ids, for each contact's history) and the finish row are
    folded into it, and `job_outcomes` tells how it ended."""
    qs = AuditEvent.objects.filter(workspace=workspace).select_related("actor").order_by("-created_at", "-id")
    part_of_a_job = Q()
    for kind in KINDS.values():
        part_of_a_job |= Q(**{f"details__{kind.audit_key}__isnull": False})
    folded = part_of_a_job & ~Q(details__phase="requested")
    qs = qs.exclude(folded & ~Q(action__in=(AuditEvent.Action.EXPORT, AuditEvent.Action.STAFF_CHANGE)))
    if action == AuditEvent.Action.STAFF_CHANGE:  # what support did, through any of its tools
        qs = qs.filter(Q(action=action) | Q(actor__is_staff=True))
    elif action:
        qs = qs.filter(action=action)
    tz = timezone.get_current_timezone()
    if since:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min), tz))
    if until:
        qs = qs.filter(created_at__lt=timezone.make_aware(datetime.combine(until, time.min), tz) + timedelta(days=1))
    return qs


def job_outcomes(events) -> dict[tuple[str, int], object]:
    """The jobs the events are the requests of, by (audit key, id): one query per kind."""
    wanted: dict[str, set[int]] = {}
    for e in events:
        for kind in KINDS.values():
            job_id = (e.details or {}).get(kind.audit_key)
            if isinstance(job_id, int):
                wanted.setdefault(kind.audit_key, set()).add(job_id)
    found = {}
    for kind in KINDS.values():
        ids = wanted.get(kind.audit_key)
        if ids:
            for job in kind.model.objects.filter(id__in=ids).select_related("workspace"):
                found[(kind.audit_key, job.id)] = (kind, job)
    return found


def _with_outcomes(events, outcomes) -> None:
    for e in events:
        details = e.details or {}
        numbers = {  # U7: the jobs' numbers in the workspace, not their global ids
            k.audit_key: outcomes[(k.audit_key, details[k.audit_key])][1].number
            for k in KINDS.values()
            if (k.audit_key, details.get(k.audit_key)) in outcomes
        }
        e.who, e.what, e.link = actor_words(e), describe(e, numbers=numbers), ""
        if details.get("phase") != "requested":
            continue
        for kind in KINDS.values():
            pair = outcomes.get((kind.audit_key, details.get(kind.audit_key)))
            if pair is not None:
                kind, job = pair
                if job.is_active:
                    e.what = f"{e.what} — {job.get_status_display().lower()} ({round(job.progress * 100)}%)"
                    e.link = kind.notice(job)[2]
                else:
                    __, message, e.link = kind.notice(job)
                    e.what = message
                if details.get("reason"):  # why it was asked for (an incident revert's reason)
                    e.what = f"{e.what} — “{details['reason']}”"
                break


# U7: reasons the product itself stores, in the reader's language (an admin's own reason
# is shown as typed)
STORED_REASONS = {"one year after archiving": _("one year after archiving")}
NAMED_AT_MOST = 3  # an action on this many contacts names them; more, and it links to its job


def _with_contacts(events, *, workspace) -> None:
    """Name the contacts of an action on a few of them (U4: "archived ada@…", not "1"),
    linked to their pages: the ids an event carries, or a small job's items. Two queries
    at most per kind and one for the addresses, whatever the page holds; a contact
    since deleted (purged, erased) is said to be so."""
    wanted: dict[int, list[int]] = {}
    small_jobs: dict[object, dict[int, AuditEvent]] = {}
    for e in events:
        if e.action == AuditEvent.Action.ERASE:
            continue  # G1: erased contacts are named by no one (the row says how many)
        ids = [i for i in (e.contact_ids or []) if isinstance(i, int)]
        if ids and len(ids) <= NAMED_AT_MOST:
            wanted[e.id] = ids
            continue
        details = e.details or {}
        if ids or details.get("phase") != "requested" or not 0 < (e.count or 0) <= NAMED_AT_MOST:
            continue
        for kind in KINDS.values():
            if getattr(kind, "subject", "") == "contact_id" and isinstance(details.get(kind.audit_key), int):
                small_jobs.setdefault(kind, {})[details[kind.audit_key]] = e
    for kind, by_job in small_jobs.items():
        items = kind.item_model.objects.filter(job_id__in=list(by_job)).order_by("job_id", "position")
        for job_id, contact_id in items.values_list("job_id", "contact_id"):
            wanted.setdefault(by_job[job_id].id, []).append(contact_id)
    every = {i for ids in wanted.values() for i in ids}
    emails = dict(Contact.objects.filter(workspace=workspace, id__in=every).values_list("id", "email")) if every else {}
    for e in events:
        e.contacts = [(i, emails.get(i)) for i in wanted.get(e.id, [])]


def _annotated(events, *, workspace, batch: int = 500):
    """Events with who, what (and a job's outcome) and the few contacts they name, in
    batches (the CSV streams)."""
    chunk = []
    for e in events:
        chunk.append(e)
        if len(chunk) == batch:
            _with_outcomes(chunk, job_outcomes(chunk))
            _with_contacts(chunk, workspace=workspace)
            yield from chunk
            chunk = []
    if chunk:
        _with_outcomes(chunk, job_outcomes(chunk))
        _with_contacts(chunk, workspace=workspace)
        yield from chunk


def describe(event: AuditEvent, *, numbers: dict | None = None) -> str:
    """The event in the admin's words; `numbers`: the workspace's number of each job
    named in it, by audit key."""
    d = event.details or {}
    phase = {
        "requested": pgettext("job phase", "requested"),
        "finished": pgettext("job phase", "finished"),
        "cancel": pgettext("job phase", "cancelled"),
        "retry": pgettext("job phase", "retried"),
    }.get(d.get("phase") or d.get("verb"), "")
    for key, words in (
        ("job", gettext("Restore job #%(id)s")),
        ("archive_job", gettext("Archive job #%(id)s")),
        ("erasure_job", gettext("Erasure job #%(id)s")),
        ("revert_job", gettext("Incident revert #%(id)s")),
        ("export", gettext("Export #%(id)s")),
    ):
        if d.get(key):
            return (words % {"id": (numbers or {}).get(key, d[key])} + f" {phase}").strip()
    if event.action == AuditEvent.Action.FORM_CHANGE:
        words = {
            "created": gettext("Form “%(form)s” created"),
            "updated": gettext("Form “%(form)s” changed"),
            "deactivated": gettext("Form “%(form)s” deactivated"),
            "activated": gettext("Form “%(form)s” activated"),
        }.get(d.get("verb"), gettext("Form “%(form)s” changed"))
        return words % {"form": d.get("form", "")}
    if event.action == AuditEvent.Action.SUPPRESSION:  # G2
        return {
            "added": gettext("Addresses added to the suppression list"),
            "removed": gettext("%(address)s taken off the suppression list") % {"address": d["address"]}
            if d.get("address")
            else gettext("An address taken off the suppression list"),
            "lifted_by_consent": gettext("A suppressed address signed up again through a form, with consent"),
        }.get(d.get("verb"), gettext("Suppression list changed"))
    if event.action == AuditEvent.Action.WEBHOOK_CHANGE:
        words = {
            "created": gettext("Webhook endpoint %(url)s added"),
            "deleted": gettext("Webhook endpoint %(url)s deleted"),
            "secret rotated": gettext("Secret of webhook endpoint %(url)s rotated"),
        }.get(d.get("verb"), gettext("Webhook endpoint %(url)s changed"))
        return words % {"url": d.get("endpoint", "")}
    if d.get("source") == "form" and d.get("form"):
        return gettext("Restored automatically by form “%(form)s”") % {"form": d["form"]}
    if d.get("provider"):
        return gettext("Bounces from %(provider)s") % {"provider": provider_label(str(d["provider"]))}
    if d.get("reason"):
        reason = str(d["reason"])
        return str(STORED_REASONS.get(reason, reason))
    if d.get("model"):
        return f"{d.get('verb', 'change')} {d['model']} {d.get('object', '')}".strip()
    return ""


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def activity(request):
    download = bool(request.GET.get("format"))  # table_download refuses what it does not write
    try:
        data = ActivityFilterForm(request.GET).cleaned_or_error()
        check_date_range(data["since"], data["until"], start_label=_("From"), end_label=_("Until"))
        filter_error = ""
    except InvalidInput as error:  # S4/U1: the page again, the filters as typed, and what is wrong
        if download:
            raise
        data, filter_error = {"action": "", "since": None, "until": None}, error.detail
    events = activity_events(
        workspace=request.workspace, action=data["action"], since=data["since"], until=data["until"]
    )
    if filter_error:
        events = events.none()
    if download:
        rows = (
            (e.when_text, e.who, e.action, e.count, e.what, "; ".join(email or "" for _id, email in e.contacts))
            for e in _annotated(
                events.annotate(when_text=IsoUtc("created_at")).iterator(chunk_size=2000), workspace=request.workspace
            )
        )
        return table_download(
            request,
            basename=f"activity-{request.workspace.slug}",
            header=["when", "who", "action", "count", "what", "contacts"],
            rows=rows,
        )
    page, _per_page = paginate(request, events)
    _with_outcomes(page.object_list, job_outcomes(page.object_list))
    _with_contacts(page.object_list, workspace=request.workspace)
    query = request.GET.copy()
    query.pop("page", None)
    query["format"] = "csv"
    csv_query = query.urlencode()
    query["format"] = "xlsx"
    return render(
        request,
        "contacts/activity.html",
        {
            "page": page,
            "form": ActivityFilterForm(request.GET),
            "csv_query": csv_query,
            "xlsx_query": query.urlencode(),
            "filter_error": filter_error,
        },
        status=400 if filter_error else 200,
    )
