from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts_app import selectors
from contacts_app.filters import SEARCH_MAX_LENGTH
from contacts_app.lib.errors import InvalidInput, ServiceError
from contacts_app.lib.hygiene import parse_positive_int
from contacts_app.lib.i18n import num
from contacts_app.lifecycle import purge_due, restorable_from, restorable_until
from contacts_app.services.archive import CONFIRMATION_WORD, archive_confirmation_check
from contacts_app.services.archive_jobs import archive_request
from contacts_app.services.contacts import contact_create, contact_update
from contacts_app.services.suppression import suppressed_addresses
from contacts_app.web.access import handles_service_errors, workspace_view
from contacts_app.web.forms import ArchiveForm, ContactForm, NewContactForm, SearchForm
from contacts_app.web.health import health_check
from contacts_app.web.pagination import paginate
from contacts_app.web.panels import contact_panels_render


def login_locked_out(request, original_response=None, credentials=None):
    """S7 (django-axes): the login page again, saying why it refuses, with 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = AuthenticationForm(request)
    response = render(
        request, "registration/login.html", {"form": form, "locked_out": True, "lockout_minutes": minutes}, status=429
    )
    response["Retry-After"] = str(minutes * 60)
    return response


@require_GET
def health(request):
    """For load balancers: is the database reachable, is the broker, how old is the
    newest worker heartbeat. Nothing else is revealed. 503 when the web process cannot
    serve (database or broker down); a silent worker is reported, not failed."""
    report = health_check()
    return JsonResponse(report, status=200 if report["database"] == "ok" and report["broker"] == "ok" else 503)


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
    return contact_list_page(request, within=None)


def contact_list_page(request, *, within, context: dict | None = None):
    """The Contacts page, optionally narrowed to `within` (a subquery of contact ids,
    e.g. the contacts a restore job brought back: R7)."""
    q = SearchForm(request.GET).cleaned_or_error()["q"]
    contacts = selectors.contact_list(workspace=request.workspace, q=q, within=within)
    page, per_page = paginate(request, contacts)
    billable = selectors.billable_count(workspace=request.workspace)
    return render(
        request,
        "contacts/list.html",
        {
            "page": page,
            "q": q,
            "search_max_length": SEARCH_MAX_LENGTH,
            "per_page": per_page,
            "billable": billable,
            "over_plan": max(0, billable - request.workspace.contact_limit),  # B1: shown as a warning, not grey text
            "archived_match": selectors.archived_match(workspace=request.workspace, q=q)
            if q and not page.object_list
            else None,
            **(context or {}),
        },
    )


@require_GET
@workspace_view()
def contact_detail(request, contact_id: int):
    contact = selectors.contact_detail(workspace=request.workspace, contact_id=contact_id)
    if contact is None:
        raise Http404(_("No such contact."))
    panels = contact_panels_render(request=request, contact=contact)  # e.g. "Why cleaned" (C7)
    context = {"contact": contact, "panels": panels}
    context["suppressed"] = bool(suppressed_addresses(workspace=request.workspace, addresses=[contact.email]))  # G2
    if contact.status == "archived":  # R2: when it can come back, and the way to do it
        now = timezone.now()
        context["restorable_from"] = restorable_from(contact.archived_at)
        context["restorable_until"] = restorable_until(contact.archived_at)
        context["restore_state"] = (
            "frozen" if now < context["restorable_from"] else "expired" if now >= context["restorable_until"] else "ok"
        )
        context["deleted_soon"] = purge_due(archived_at=contact.archived_at, now=now)  # U5: say it on the page too
    return render(request, "contacts/detail.html", context)


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def contacts_archive(request):
    """A1/A6: a selection that fits one chunk is archived now; a larger one, or every
    contact matching the search, goes to an archive job and its progress page. "All
    matching" needs the typed word: a wrong one shows the confirmation again, with what
    was typed and why (U1: no dead end without JavaScript)."""
    form = ArchiveForm(request.POST)
    ids = form.contact_ids(workspace=request.workspace)
    select_all = form.cleaned_data["select_all"]
    if select_all:
        try:
            archive_confirmation_check(form.cleaned_data["confirmation"])
        except InvalidInput as error:
            return _archive_confirm_page(request, form=form, ids=ids, error=error.detail, status=400)
    result = archive_request(
        workspace=request.workspace,
        actor=request.user,
        contact_ids=ids,
        selection={"q": form.search()} if select_all else {"ids": len(ids)},
        all_matching=select_all,
    )
    if result.job is not None:
        messages.success(request, result.message())
        return redirect("contacts:archive_job", slug=request.workspace.slug, number=result.job.number)
    if result.archived:
        messages.success(request, result.message())
    if result.skipped:
        messages.warning(
            request,
            ngettext(
                "%(n)s selected contact was not active and left as is.",
                "%(n)s selected contacts were not active and left as is.",
                result.skipped,
            )
            % {"n": num(result.skipped)},
        )
    return redirect(_next_url(request, default=reverse("contacts:list", args=[request.workspace.slug])))


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def contacts_archive_confirm(request):
    """A1: the page every Archive button leads to, with or without JavaScript: how many,
    what archiving does to them and their deals (A3), and when they can come back (R2:
    the first day after the freeze, until the purge), with the button that archives
    them. Changes nothing."""
    form = ArchiveForm(request.POST)
    try:
        ids = form.contact_ids(workspace=request.workspace)
    except InvalidInput as error:
        if error.code != "empty_selection":
            raise
        ids = []
    if not form.cleaned_data.get("select_all"):
        ids = selectors.archivable_ids(workspace=request.workspace, ids=ids)
    return _archive_confirm_page(request, form=form, ids=ids)


def _archive_confirm_page(request, *, form: ArchiveForm, ids: list[int], error: str = "", status: int = 200):
    now = timezone.now()
    context = {
        "count": len(ids),
        "data": form.cleaned_data,
        "search": form.search(),
        "word": CONFIRMATION_WORD,
        "error": error,
        "next": _next_url(request, default=""),
        "restorable_from": restorable_from(now),
        "restorable_until": restorable_until(now),
        "consequences": selectors.archive_consequences(workspace=request.workspace, contact_ids=ids),
    }
    if len(ids) == 1 and not form.cleaned_data.get("select_all"):
        context["contact"] = selectors.contact_detail(workspace=request.workspace, contact_id=ids[0])
    return render(request, "contacts/archive_confirm.html", context, status=status)


def _error_with_link(request, exc: ServiceError):
    """The service's sentence, with a link to the contact it is about (the address is
    taken: by which contact)."""
    contact_id = getattr(exc, "contact_id", None)
    if not contact_id:
        return exc.detail
    url = reverse("contacts:detail", args=[request.workspace.slug, contact_id])
    return format_html('{} <a href="{}" id="existing-contact">{}</a>', exc.detail, url, _("Open that contact"))


def _next_url(request, *, default: str) -> str:
    candidate = request.POST.get("next", "")
    # A path of this site only: "contacts" would be read by redirect() as a URL name.
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(candidate, allowed_hosts={request.get_host()}):
        return candidate
    return default


@require_http_methods(["GET", "POST"])
@workspace_view()
def contact_new(request):
    """C6: add a contact — for a cleaned contact's typo, prefilled from it. The
    permission checkbox is required; the cleaned contact is left as it is."""
    source = None
    source_id = request.GET.get("from", "") or request.POST.get("from", "")
    if parse_positive_int(source_id) is not None:
        source = selectors.contact_detail(workspace=request.workspace, contact_id=int(source_id))
    form = NewContactForm(
        request.POST if request.method == "POST" else None, source=source, workspace=request.workspace
    )
    if form.is_valid():
        try:
            contact = contact_create(workspace=request.workspace, actor=request.user, **form.service_arguments())
        except ServiceError as exc:
            form.add_error(None, _error_with_link(request, exc))
        else:
            messages.success(request, _("Added %(email)s.") % {"email": contact.email})
            return redirect("contacts:detail", slug=request.workspace.slug, contact_id=contact.id)
    status = 400 if form.errors else 200
    return render(request, "contacts/form.html", {"form": form, "source": source, "mode": "new"}, status=status)


@require_http_methods(["GET", "POST"])
@workspace_view()
def contact_edit(request, contact_id: int):
    contact = selectors.contact_detail(workspace=request.workspace, contact_id=contact_id)
    if contact is None:
        raise Http404(_("No such contact."))
    initial = {
        "email": contact.email,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "phone": contact.phone,
    }
    form = ContactForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_valid():
        try:
            contact_update(contact=contact, actor=request.user, **form.cleaned_data)
        except ServiceError as exc:
            form.add_error(None, _error_with_link(request, exc))
            status = exc.status
        else:
            messages.success(request, _("Contact saved."))
            return redirect("contacts:detail", slug=request.workspace.slug, contact_id=contact.id)
    elif form.errors:
        status = 400
    return render(request, "contacts/form.html", {"form": form, "contact": contact, "mode": "edit"}, status=status)
