from urllib.parse import urlencode

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from contacts_app.access import handles_service_errors, workspace_view
from contacts_app.pagination import paginate

from . import selectors
from .forms import CleanedArchiveForm, ExportForm, filter_params
from .models import ExportJob, ExportScope, ExportStatus
from .services.archive import CONFIRMATION_WORD, cleaned_contacts_archive
from .services.exports import export_create, export_path


@require_GET
@workspace_view()
@handles_service_errors
def cleaned_list(request):
    filterset = selectors.cleaned_filter(request.GET, workspace=request.workspace)
    qs = filterset.qs_or_error().select_related("account").order_by("-cleaned_at", "-id")
    page, _ = paginate(request, qs)
    params = filter_params(request.GET)
    return render(request, "cleaned/list.html", {
        "page": page, "filter": filterset, "filter_query": urlencode(params),
        "is_filtered": bool(params), "word": CONFIRMATION_WORD,
    })


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def cleaned_archive_confirm(request):
    """C5 without JavaScript (U1): the page the modal stands for — what will be
    archived, and the box where the admin types the word. Changes nothing."""
    form = CleanedArchiveForm(request.POST)
    data = form.cleaned_or_error()
    if data["select_all"]:
        count = selectors.cleaned_contacts(workspace=request.workspace, params=form.filter_params()).count()
    else:
        count = len(data["ids"])
    return render(request, "cleaned/archive_confirm.html", {"data": data, "count": count, "word": CONFIRMATION_WORD})


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def cleaned_archive(request):
    form = CleanedArchiveForm(request.POST)
    data = form.cleaned_or_error()
    if data["select_all"]:
        matching = selectors.cleaned_contacts(workspace=request.workspace, params=form.filter_params())
        ids = list(matching.values_list("id", flat=True))
    else:
        ids = data["ids"]
    archived = cleaned_contacts_archive(workspace=request.workspace, contact_ids=ids, confirmation=data["confirmation"], actor=request.user)
    messages.success(request, f"Archived {archived:,} cleaned contact{'s' if archived != 1 else ''}. Their data is kept in Archived contacts.")
    return redirect(reverse("restore:archived", args=[request.workspace.slug]) + "?email_status=cleaned")


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def export_start(request):
    scope, params = ExportForm(request.POST).scope_and_params()
    job = export_create(workspace=request.workspace, actor=request.user, params=params, scope=scope)
    what = "cleaned contacts" if scope == ExportScope.CLEANED else "contacts"
    messages.success(request, f"Export #{job.id} started for {job.total:,} {what}. It appears here when ready.")
    return redirect("cleaned:exports", slug=request.workspace.slug)


@require_GET
@workspace_view(admin_only=True)
def exports(request):
    jobs = selectors.exports_for(workspace=request.workspace)
    return render(request, "cleaned/exports.html", {"jobs": jobs, "any_running": any(j.status in ("queued", "running") for j in jobs)})


@require_GET
@workspace_view(admin_only=True)
def export_download(request, export_id: int):
    job = ExportJob.objects.filter(workspace=request.workspace, id=export_id, status=ExportStatus.SUCCEEDED).first()
    if job is None:
        raise Http404("No such export, or it is not ready yet.")
    path = export_path(job)
    if not path.is_file():
        raise Http404("This export file is no longer available.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"cleaned-contacts-{job.id}.csv", content_type="text/csv; charset=utf-8")
