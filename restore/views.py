from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from contacts_app.filters import NOTHING_RESTORABLE
from contacts_app.lib.errors import Conflict, InvalidInput
from contacts_app.lib.i18n import num
from contacts_app.lifecycle import (
    Outcome,
    restorable_from,
    restorable_until,
    skip_reason,
)
from contacts_app.models import Contact
from contacts_app.web.access import (
    came_from,
    handles_service_errors,
    render_service_error,
    workspace_view,
)
from contacts_app.web.downloads import table_download
from contacts_app.web.jobs import NO_WORKER_AFTER, job_status_response
from contacts_app.web.pagination import paginate, rows_up_to_page
from contacts_app.web.views import contact_list_page

from . import selectors
from .forms import RestoreForm, archived_filter, selection_from_post
from .services.jobs import RESTORE_JOBS, restore_job_create
from .services.preview import restore_details
from .services.preview import restore_preview as preview_service


def _skipped(skipped: dict[str, int]) -> list[tuple[str, int]]:
    """R10: the skip counts that are not zero, with the admin's words for them."""
    return [(Outcome(reason).label, n) for reason, n in skipped.items() if n]


def _filter_chips(filterset, params) -> list[tuple[str, str, str]]:
    """The active filters as (label, value, link that removes just this one)."""
    chips = []
    for name, value in filterset.form.cleaned_data.items():
        if value in (None, "", []) or name not in params:
            continue
        field = filterset.filters[name]
        if isinstance(value, date):
            shown = date_format(value)
        else:
            shown = getattr(value, "name", None) or dict(field.extra.get("choices", ())).get(value, value)
        rest = params.copy()
        for key in (name, "page"):
            rest.pop(key, None)
        chips.append((field.label or name.replace("_", " ").capitalize(), str(shown), f"?{rest.urlencode()}"))
    return chips


def _sort_links(params, current: str) -> dict[str, tuple[str, str]]:
    """Per column: the link that sorts by it (again: the other way) and its arrow."""
    links = {}
    for column, first in (("archived", "-archived"), ("email", "email"), ("name", "name")):
        on = current.lstrip("-") == column
        target = (current[1:] if current.startswith("-") else f"-{current}") if on else first
        query = params.copy()
        for key in ("sort", "page"):
            query.pop(key, None)
        query["sort"] = target
        links[column] = (f"?{query.urlencode()}", ("↓" if current.startswith("-") else "↑") if on else "")
    return links


def _presets(now) -> list[tuple[str, str]]:
    """One-click filters an admin reaches for most."""
    return [
        (_("Archived in the last 30 days"), f"archived_after={(now - timedelta(days=30)).date().isoformat()}"),
        (_("Restorable now"), "restorable=yes"),
        (_("Deleted for good within 30 days"), "restorable=expiring"),
    ]


def _row_block(contact, now, job_running: bool, memo: dict) -> str:
    """Why the per-row Restore button is disabled, in the admin's words (R1–R4); each
    reason is worded once per page (`memo`), not once per row (P5)."""
    reason = contact.restore_reason = skip_reason(status=contact.status, archived_at=contact.archived_at, now=now)
    day = restorable_from(contact.archived_at).date() if reason == Outcome.FROZEN else None
    if (reason, day) not in memo:
        memo[reason, day] = _block_words(reason, day, job_running)
    return memo[reason, day]


def _block_words(reason, day: date | None, job_running: bool) -> str:
    if reason == Outcome.MERGED:  # the row's status already names the contact it was merged into
        return _("A merged contact cannot be restored")
    if reason == Outcome.FROZEN:
        return _("Can be restored from %(day)s") % {"day": date_format(day).replace(" ", "\u00a0")}  # one line
    if reason == Outcome.EXPIRED:
        return _("Archived over a year ago: scheduled for deletion")
    if job_running:
        return _("A restore is already running: one at a time")
    return ""


@require_GET
@workspace_view()
@handles_service_errors
def archived_list(request):
    ws = request.workspace
    filterset = archived_filter(request.GET, workspace=ws)
    sort = request.GET.get("sort", "-archived")
    if sort not in selectors.ARCHIVED_SORTS:
        sort = "-archived"
    try:
        qs = selectors.archived_in_date_order(filterset=filterset, sort=sort, needed=rows_up_to_page(request))
        filter_error = ""
    except InvalidInput as error:  # S4/U1: the page again, the filters as typed, and what is wrong
        qs, filter_error = Contact.objects.none(), error.detail
    page, per_page = paginate(
        request, qs.select_related("archived_by", "merged_into").only(*selectors.ARCHIVED_ROW_FIELDS)
    )
    now = timezone.now()
    running = RESTORE_JOBS.active(workspace=ws)
    memo = {}
    for c in page.object_list:
        c.restore_block = _row_block(c, now, bool(running), memo)
        c.restorable_from = restorable_from(c.archived_at)
        c.purge_on = restorable_until(c.archived_at)
    filter_params = request.GET.copy()
    for key in ("page", "per_page"):
        filter_params.pop(key, None)
    return render(
        request,
        "restore/archived_list.html",
        {
            "page": page,
            "filter": filterset,
            "sort": sort,
            "per_page": per_page,
            "running_job": running,
            "purge_forecast": selectors.purge_forecast(workspace=ws, now=now),
            "chips": _filter_chips(filterset, filter_params),
            "sorts": _sort_links(filter_params, sort),
            "presets": _presets(now),
            "current_query": filter_params.urlencode(),  # the preset in force is highlighted
            "filter_query": filter_params.urlencode(),
            "is_filtered": any(v for k, v in filter_params.items() if k != "sort"),
            "nothing_restorable": request.GET.get("restorable") in NOTHING_RESTORABLE,
            "filter_error": filter_error,
        },
        status=400 if filter_error else 200,
    )


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def restore_preview(request):
    selection = selection_from_post(request)
    # The modal (X-Fragment) shows the counts at once and loads what will not come
    # back from restore_preview_details; the page without JavaScript gets both.
    fragment = bool(request.headers.get("X-Fragment"))
    preview = preview_service(selection=selection, details=not fragment)
    context = {
        "preview": preview,
        "skipped": _skipped(preview.skipped),
        "post": request.POST,
        "ids": request.POST.getlist("ids"),
        "running_job": RESTORE_JOBS.active(workspace=request.workspace),
        "fragment": fragment,
        "back": came_from(request),  # the no-JS Cancel: a contact's page, the list at its page
    }
    return render(request, "restore/_preview.html" if fragment else "restore/preview.html", context)


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def restore_preview_details(request):
    """R12: what comes back and what will not, for the selection the modal was opened with."""
    return render(
        request, "restore/_not_coming_back.html", {"d": restore_details(selection=selection_from_post(request))}
    )


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def restore_start(request):
    form = RestoreForm(request.POST)
    selection = form.selection(workspace=request.workspace)
    try:
        job = restore_job_create(
            selection=selection, actor=request.user, confirm_overage=form.cleaned_data["confirm_overage"]
        )
    except Conflict as error:
        if error.code == "job_in_progress" and getattr(error, "job_number", None):
            messages.warning(request, error.detail)
            return redirect("restore:job", slug=request.workspace.slug, number=error.job_number)
        return render_service_error(request, error)
    expected = getattr(job, "expected_restored", job.requested)
    if expected < job.requested:  # what the preview said: "4 will be restored" of 8 selected
        started = ngettext(
            "Restore started: %(n)s of the %(total)s selected contacts will be restored; the report says why "
            "the others are not. You can leave this page; it runs in the background.",
            "Restore started: %(n)s of the %(total)s selected contacts will be restored; the report says why "
            "the others are not. You can leave this page; it runs in the background.",
            expected,
        )
    else:
        started = ngettext(
            "Restore started for %(n)s contact. You can leave this page; it runs in the background.",
            "Restore started for %(n)s contacts. You can leave this page; it runs in the background.",
            expected,
        )
    messages.success(request, started % {"n": num(expected), "total": num(job.requested)})
    return redirect("restore:job", slug=request.workspace.slug, number=job.number)


def _job_or_404(request, number: int):
    job = selectors.job_for(workspace=request.workspace, number=number)
    if job is None:
        raise Http404(_("No such restore job."))  # another workspace's job too (S2)
    return job


@require_GET
@workspace_view()
def job_detail(request, number: int):
    job = _job_or_404(request, number)
    context = {
        "job": job,
        "skipped": _skipped(job.skipped),
        "history": selectors.job_history(job=job),
        "no_worker_after": NO_WORKER_AFTER,
        "watch": job.keeps_polling,  # R13: a job just finished polls until its requester is told
    }
    return render(request, "restore/job_detail.html", context)


@require_GET
@workspace_view()
def job_status(request, number: int):
    job = _job_or_404(request, number)
    return job_status_response(job, restored=job.restored, skipped=job.skipped_total)


@require_GET
@workspace_view()
@handles_service_errors
def jobs_list(request):
    page, _per_page = paginate(request, selectors.recent_jobs(workspace=request.workspace))
    return render(request, "restore/jobs_list.html", {"jobs": page.object_list, "page": page})


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def job_report_csv(request, number: int):
    """R10's report lists every email of the job: an export, so admins only (S1, S8)."""
    job = _job_or_404(request, number)
    header = ["contact_id", "email", "first_name", "last_name", "outcome", "reason_code", "reason", "restored_by"]
    return table_download(
        request, basename=f"restore-job-{job.number}-report", header=header, rows=selectors.job_report_rows(job=job)
    )


@require_GET
@workspace_view()
@handles_service_errors
def restored_contacts(request, number: int):
    """R7: "Find restored contacts" — the Contacts page narrowed to what the job brought back."""
    job = _job_or_404(request, number)
    return contact_list_page(request, within=selectors.restored_contact_ids(job=job), context={"restored_by_job": job})
