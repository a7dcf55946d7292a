from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services
from .access import handles_service_errors, workspace_view
from .forms import parse_id_list, parse_page_size
from .pagination import CappedPaginator


@login_required
def home(request):
    membership = selectors.default_membership_for(user=request.user)
    if membership is None:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "no_workspace.html", status=403)
    return redirect("contacts:list", slug=membership.workspace.slug)


def _page(request, queryset):
    per_page = parse_page_size(request.GET.get("per_page"), default=settings.CONTACTS_PAGE_SIZE)
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page")), per_page


@require_GET
@workspace_view()
@handles_service_errors
def contact_list(request):
    q = request.GET.get("q", "")[:200]
    job_raw = request.GET.get("restore_job", "")
    restored_by_job = int(job_raw) if job_raw.isdigit() and len(job_raw) < 12 else None
    contacts = selectors.contact_list(workspace=request.workspace, q=q, restored_by_job=restored_by_job)
    page, per_page = _page(request, contacts)
    return render(
        request,
        "contacts/list.html",
        {
            "page": page,
            "q": q,
            "per_page": per_page,
            "restored_by_job": restored_by_job,
            "billable": selectors.billable_count(workspace=request.workspace),
        },
    )


@require_GET
@workspace_view()
def contact_detail(request, contact_id: int):
    contact = selectors.contact_detail(workspace=request.workspace, contact_id=contact_id)
    if contact is None:
        raise Http404("No such contact.")
    return render(request, "contacts/detail.html", {"contact": contact})


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def contacts_archive(request):
    ids = parse_id_list(request.POST.getlist("ids"))
    archived = services.contacts_archive(workspace=request.workspace, contact_ids=ids, actor=request.user)
    skipped = len(ids) - archived
    if archived:
        messages.success(request, f"Archived {archived} contact{'s' if archived != 1 else ''}.")
    if skipped:
        messages.warning(request, f"{skipped} selected contact{'s were' if skipped != 1 else ' was'} not active and left as is.")
    return redirect(_next_url(request, default=reverse("contacts:list", args=[request.workspace.slug])))


def _next_url(request, *, default: str) -> str:
    candidate = request.POST.get("next", "")
    if candidate and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default
