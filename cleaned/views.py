from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.i18n import num
from contacts_app.lib.xlsx import xlsx_max_rows
from contacts_app.lifecycle import restorable_from, restorable_until
from contacts_app.models import Contact
from contacts_app.services.archive import archive_confirmation_check
from contacts_app.web.access import handles_service_errors, workspace_view
from contacts_app.web.downloads import table_download, wants_xlsx
from contacts_app.web.jobs import NO_WORKER_AFTER
from contacts_app.web.pagination import paginate

from . import selectors
from .forms import (
    CleanedArchiveForm,
    ExportForm,
    IncidentForm,
    UncleanForm,
    filter_params,
)
from .models import Cleaning, ExportJob, ExportScope, ExportStatus, IncidentRevertJob
from .services import cleanings, incidents
from .services.archive import CONFIRMATION_WORD, cleaned_contacts_archive
from .services.bounces import cleaned_reason_display
from .services.exports import export_cancel, export_create, export_file


@require_GET
@workspace_view()
@handles_service_errors
def cleaned_list(request):
    filterset = selectors.cleaned_filter(request.GET, workspace=request.workspace)
    open_cleaning = Cleaning.objects.filter(contact=OuterRef("pk"), undone_at__isnull=True).order_by("-cleaned_at")
    try:
        matching, filter_error = filterset.qs_or_error(), ""
    except InvalidInput as error:  # S4/U1: the page again, the filters as typed, and what is wrong
        matching, filter_error = Contact.objects.none(), error.detail
    qs = (
        matching.select_related("account")
        .annotate(
            why_class=Subquery(open_cleaning.values("bounce_class")[:1]),
            why_code=Subquery(open_cleaning.values("code")[:1]),
        )
        .order_by("-cleaned_at", "-id")
    )
    page, _per_page = paginate(request, qs)
    for c in page.object_list:  # U7: the reason in the reader's language
        c.why = cleaned_reason_display(reason=c.cleaned_reason, bounce_class=c.why_class, code=c.why_code or "")
    params = filter_params(request.GET)
    return render(
        request,
        "cleaned/list.html",
        {
            "page": page,
            "filter": filterset,
            "filter_query": urlencode(params),
            "is_filtered": bool(params),
            "word": CONFIRMATION_WORD,
            "restorable_from": restorable_from(timezone.now()),
            "restorable_until": restorable_until(timezone.now()),
            "filter_error": filter_error,
        },
        status=400 if filter_error else 200,
    )


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def cleaned_archive_confirm(request):
    """C5 without JavaScript (U1): the page the modal stands for — what will be
    archived, and the box where the admin types the word. Changes nothing."""
    return _archive_confirm_page(request, form=CleanedArchiveForm(request.POST))


def _archive_confirm_page(request, *, form: CleanedArchiveForm, error: str = "", status: int = 200):
    data = form.cleaned_or_error()
    if data["select_all"]:
        count = selectors.cleaned_contacts(workspace=request.workspace, params=form.filter_params()).count()
    else:
        count = len(data["ids"])
    now = timezone.now()
    context = {
        "data": data,
        "count": count,
        "word": CONFIRMATION_WORD,
        "error": error,
        "restorable_from": restorable_from(now),
        "restorable_until": restorable_until(now),
    }
    return render(request, "cleaned/archive_confirm.html", context, status=status)


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def cleaned_archive(request):
    """C5: a wrong word shows the confirmation again, with what was typed (U1)."""
    form = CleanedArchiveForm(request.POST)
    data = form.cleaned_or_error()
    try:
        archive_confirmation_check(data["confirmation"])
    except InvalidInput as error:
        return _archive_confirm_page(request, form=form, error=error.detail, status=400)
    if data["select_all"]:
        matching = selectors.cleaned_contacts(workspace=request.workspace, params=form.filter_params())
        ids = list(matching.values_list("id", flat=True))
    else:
        ids = data["ids"]
    result = cleaned_contacts_archive(
        workspace=request.workspace,
        contact_ids=ids,
        confirmation=data["confirmation"],
        actor=request.user,
        all_matching=data["select_all"],
    )
    if result.job is not None:
        messages.success(request, result.message())
        return redirect("contacts:archive_job", slug=request.workspace.slug, number=result.job.number)
    messages.success(
        request,
        ngettext(
            "Archived %(n)s cleaned contact. Its data is kept in Archived contacts.",
            "Archived %(n)s cleaned contacts. Their data is kept in Archived contacts.",
            result.archived,
        )
        % {"n": num(result.archived)},
    )
    return redirect(reverse("restore:archived", args=[request.workspace.slug]) + "?email_status=cleaned")


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def export_start(request):
    scope, params = ExportForm(request.POST).scope_and_params()
    job = export_create(workspace=request.workspace, actor=request.user, params=params, scope=scope)
    if scope == ExportScope.CLEANED:
        text = ngettext(
            "Export #%(id)s started for %(n)s cleaned contact. It appears here when ready.",
            "Export #%(id)s started for %(n)s cleaned contacts. It appears here when ready.",
            job.total,
        )
    else:
        text = ngettext(
            "Export #%(id)s started for %(n)s contact. It appears here when ready.",
            "Export #%(id)s started for %(n)s contacts. It appears here when ready.",
            job.total,
        )
    messages.success(request, text % {"id": job.number, "n": num(job.total)})
    return redirect("cleaned:exports", slug=request.workspace.slug)


@require_GET
@workspace_view(admin_only=True)
def exports(request):
    jobs = selectors.exports_for(workspace=request.workspace)
    return render(
        request,
        "cleaned/exports.html",
        {
            "jobs": jobs,
            "any_running": any(j.is_active for j in jobs),
            "waiting_for_worker": any(j.waiting_seconds > NO_WORKER_AFTER for j in jobs),
            "retention_days": settings.EXPORT_RETENTION_DAYS,
            "xlsx_max_rows": xlsx_max_rows(),
        },
    )


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def export_download(request, number: int):
    job = ExportJob.objects.filter(workspace=request.workspace, number=number, status=ExportStatus.SUCCEEDED).first()
    if job is None:
        raise Http404(_("No such export, or it is not ready yet."))
    path, filename, content_type = export_file(job, xlsx=wants_xlsx(request))
    return FileResponse(path.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


@require_POST
@workspace_view(admin_only=True)
def export_cancel_view(request, number: int):
    """C4/A6: stop a queued or running export."""
    found = ExportJob.objects.filter(workspace=request.workspace, number=number)
    export_id = found.values_list("id", flat=True).first()
    if export_id is None:
        raise Http404(_("No such export."))
    if export_cancel(workspace=request.workspace, export_id=export_id, actor=request.user):
        messages.success(request, _("Export #%(id)s is cancelled.") % {"id": number})
    else:
        messages.warning(request, _("Export #%(id)s had already finished.") % {"id": number})
    return redirect("cleaned:exports", slug=request.workspace.slug)


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def contact_unclean(request, contact_id: int):
    """C8: un-clean one contact with the typed reason; back to its page."""
    reason = UncleanForm(request.POST).cleaned_or_error()["reason"]
    contact = cleanings.contact_unclean(
        workspace=request.workspace, contact_id=contact_id, actor=request.user, reason=reason
    )
    messages.success(
        request,
        _("%(email)s is deliverable again; its lists are back to the statuses they had before the cleaning.")
        % {"email": contact.email},
    )
    return redirect("contacts:detail", slug=request.workspace.slug, contact_id=contact.id)


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def incident(request):
    """C8: pick provider, window and class; see how many cleanings match and some of
    the addresses; then confirm (a plain form: works without JavaScript)."""
    form = IncidentForm(request.GET or None)
    preview, filter_error = None, ""
    if request.GET:
        try:
            preview = incidents.incident_preview(incident=form.incident(workspace=request.workspace))
        except InvalidInput as error:  # S4/U1: the form again, as typed, with what is wrong
            filter_error = error.detail
    return _incident_page(request, form=form, preview=preview, error=filter_error)


def _incident_page(request, *, form, preview=None, error: str = ""):
    return render(
        request,
        "cleaned/incident.html",
        {
            "form": form,
            "preview": preview,
            "providers": selectors.cleaning_providers(workspace=request.workspace),
            "classes": selectors.CLEANING_CLASSES,
            "jobs": selectors.incident_reverts(workspace=request.workspace),
            "running": incidents.INCIDENT_REVERTS.active(workspace=request.workspace),
            "filter_error": error,
        },
        status=400 if error else 200,
    )


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def incident_revert(request):
    form = IncidentForm(request.POST)
    try:
        job = incidents.incident_revert_create(
            incident=form.incident(workspace=request.workspace), actor=request.user, reason=form.cleaned_data["reason"]
        )
    except InvalidInput as error:  # a missing reason, a bad window: the form again, as typed
        return _incident_page(request, form=form, error=error.detail)
    messages.success(
        request,
        ngettext(
            "Reverting %(n)s cleaning in the background.", "Reverting %(n)s cleanings in the background.", job.requested
        )
        % {"n": num(job.requested)},
    )
    return redirect("cleaned:revert_job", slug=request.workspace.slug, number=job.number)


def _revert_job(request, number: int) -> IncidentRevertJob:
    job = (
        IncidentRevertJob.objects.filter(workspace=request.workspace, number=number)
        .select_related("requested_by")
        .first()
    )
    if job is None:
        raise Http404(_("No such incident revert."))
    return job


@require_GET
@workspace_view(admin_only=True)
def revert_job(request, number: int):
    return render(request, "cleaned/revert_job.html", {"job": _revert_job(request, number)})


@require_GET
@workspace_view(admin_only=True)
@handles_service_errors
def revert_job_report(request, number: int):
    job = _revert_job(request, number)
    header = ["email", "code", "why_cleaned", "cleaned_at", "outcome"]
    return table_download(
        request,
        basename=f"incident-revert-{job.number}-report",
        header=header,
        rows=selectors.incident_revert_report_rows(job=job),
    )
