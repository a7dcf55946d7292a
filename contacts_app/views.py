from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .access import handles_service_errors, workspace_view
from .errors import ServiceError
from .forms import parse_id_list
from .pagination import paginate


@login_required
def home(request):
    membership = selectors.default_membership_for(user=request.user)
    if membership is None:
        if request.user.is_staff:
            return redirect("admin:index")
        return render(request, "no_workspace.html", status=403)
    return redirect("contacts:list", slug=membership.workspace.slug)


@require_GET
@workspace_view()
@handles_service_errors
def contact_list(request):
    q = request.GET.get("q", "")[:200]
    job_raw = request.GET.get("restore_job", "")
    restored_by_job = int(job_raw) if job_raw.isdigit() and len(job_raw) < 12 else None
    contacts = selectors.contact_list(workspace=request.workspace, q=q, restored_by_job=restored_by_job)
    page, per_page = paginate(request, contacts)
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


def _contact_fields(post) -> dict:
    return {k: post.get(k, "")[:254] for k in ("email", "first_name", "last_name", "phone")}


@require_http_methods(["GET", "POST"])
@workspace_view()
def contact_new(request):
    """C6: add a contact — for a cleaned contact's typo, prefilled from it. The
    permission checkbox is required; the cleaned contact is left as it is."""
    source = None
    source_id = request.GET.get("from", "") or request.POST.get("from", "")
    if source_id.isdigit():
        source = selectors.contact_detail(workspace=request.workspace, contact_id=int(source_id))
    values = {"first_name": source.first_name, "last_name": source.last_name} if source else {}
    error = None
    if request.method == "POST":
        values = _contact_fields(request.POST)
        if request.POST.get("consent") != "on":
            error = "Tick “This person gave me permission to email them” to add this contact."
        else:
            try:
                contact = services.contact_create(workspace=request.workspace, consent=True, actor=request.user, **values)
            except ServiceError as exc:
                error = exc.detail
            else:
                messages.success(request, f"Added {contact.email}.")
                return redirect("contacts:detail", slug=request.workspace.slug, contact_id=contact.id)
    status = 400 if error else 200
    return render(request, "contacts/form.html", {"values": values, "source": source, "error": error, "mode": "new"}, status=status)


@require_http_methods(["GET", "POST"])
@workspace_view()
def contact_edit(request, contact_id: int):
    contact = selectors.contact_detail(workspace=request.workspace, contact_id=contact_id)
    if contact is None:
        raise Http404("No such contact.")
    values = {"email": contact.email, "first_name": contact.first_name, "last_name": contact.last_name, "phone": contact.phone}
    error = None
    if request.method == "POST":
        values = _contact_fields(request.POST)
        try:
            services.contact_update(contact=contact, actor=request.user, **values)
        except ServiceError as exc:
            error = exc
        else:
            messages.success(request, "Contact saved.")
            return redirect("contacts:detail", slug=request.workspace.slug, contact_id=contact.id)
    return render(
        request, "contacts/form.html",
        {"values": values, "contact": contact, "error": error.detail if error else None, "mode": "edit"},
        status=error.status if error else 200,
    )
