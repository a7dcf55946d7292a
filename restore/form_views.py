"""The Forms pages, under /w/<slug>/forms/ (R9): the workspace's forms with their
counts, each form's settings, hosted address and embed code. Admins change them;
members read them (S1). Another workspace's form is a 404 (S2)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from contacts_app.lib.errors import ServiceError
from contacts_app.models import Form
from contacts_app.web.access import admins_only, handles_service_errors, workspace_view

from . import selectors
from .forms import FormSettingsForm
from .services.forms import form_activate, form_deactivate, form_save


def _form_or_404(request, public_id: str) -> Form:
    form = Form.objects.filter(workspace=request.workspace, public_id=public_id).prefetch_related("lists").first()
    if form is None:
        raise Http404(_("No such form."))
    return form


def _hosted_url(request, form: Form) -> str:
    return request.build_absolute_uri(reverse("form_public", kwargs={"public_id": form.public_id}))


@require_GET
@workspace_view()
@handles_service_errors
def forms_list(request):
    forms = list(selectors.forms_with_counts(workspace=request.workspace, now=timezone.now()))
    demo = next((f for f in forms if f.is_active), None) if settings.DEMO else None
    context = {"forms": forms, "demo_form": demo, "demo_url": _hosted_url(request, demo) if demo else ""}
    return render(request, "restore/forms_list.html", context)


def _settings_page(request, settings_form, *, form: Form | None, status: int = 200):
    context = {"settings_form": settings_form, "form_row": form}
    if form is not None:
        hosted = _hosted_url(request, form)
        embed = render_to_string("restore/_embed_code.html", {"action": hosted, "form_row": form}, request=request)
        context |= {"hosted_url": hosted, "embed_code": embed, "read_only": not request.membership.is_admin}
    return render(request, "restore/form_settings.html", context, status=status)


def _saved(request, settings_form, *, form: Form | None):
    try:
        saved = form_save(
            workspace=request.workspace, actor=request.user, form=form, **settings_form.service_arguments()
        )
    except ServiceError as error:
        settings_form.add_error(None, error.detail)
        return _settings_page(request, settings_form, form=form, status=error.status)
    messages.success(request, _("Form “%(name)s” saved.") % {"name": saved.name})
    return redirect("restore:form", slug=request.workspace.slug, public_id=saved.public_id)


@require_http_methods(["GET", "POST"])
@workspace_view(admin_only=True)
def form_new(request):
    settings_form = FormSettingsForm(request.POST or None, workspace=request.workspace)
    if request.method == "POST":
        if settings_form.is_valid():
            return _saved(request, settings_form, form=None)
        return _settings_page(request, settings_form, form=None, status=400)
    return _settings_page(request, settings_form, form=None)


@require_http_methods(["GET", "POST"])
@workspace_view()
def form_detail(request, public_id: str):
    """Members see the settings, the address and the embed code; admins change them."""
    form = _form_or_404(request, public_id)
    if request.method == "POST":
        if not request.membership.is_admin:
            return admins_only(request)
        settings_form = FormSettingsForm(request.POST, workspace=request.workspace, instance=form)
        if settings_form.is_valid():
            return _saved(request, settings_form, form=form)
        return _settings_page(request, settings_form, form=form, status=400)
    return _settings_page(request, FormSettingsForm(workspace=request.workspace, instance=form), form=form)


@require_POST
@workspace_view(admin_only=True)
def form_deactivate_view(request, public_id: str):
    form = _form_or_404(request, public_id)
    if form_deactivate(form=form, actor=request.user):
        messages.success(
            request,
            _("Form “%(name)s” deactivated: its page now answers “not available”. Activate it again here at any time.")
            % {"name": form.name},
        )
    else:
        messages.info(request, _("Form “%(name)s” was already inactive.") % {"name": form.name})
    return redirect("restore:forms", slug=request.workspace.slug)


@require_POST
@workspace_view(admin_only=True)
def form_activate_view(request, public_id: str):
    form = _form_or_404(request, public_id)
    form_activate(form=form, actor=request.user)
    messages.success(request, _("Form “%(name)s” is active: its page accepts submissions again.") % {"name": form.name})
    return redirect("restore:forms", slug=request.workspace.slug)
