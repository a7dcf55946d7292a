"""The outgoing webhooks pages, under /w/<slug>/settings/webhooks/ (W1, W3): admins
only (S1) — an endpoint's secret and its payloads are the workspace's data."""

import json

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from contacts_app.lib.errors import Conflict, ServiceError
from contacts_app.lib.hygiene import parse_positive_int, validate_date, validate_text
from contacts_app.services.webhooks import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_update,
    webhook_replay,
    webhook_secret_rotate,
    webhook_test_send,
)
from contacts_app.web.access import handles_service_errors, workspace_view
from contacts_app.webhook_models import EVENT_TYPES, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

LOG_SIZE = 50


class EndpointForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("URL"), max_length=2000, strip=True, validators=[validate_text])
    description = forms.CharField(
        label=gettext_lazy("Description"), max_length=200, required=False, validators=[validate_text]
    )
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("Events"), required=False, widget=forms.CheckboxSelectMultiple
    )
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = [(k, f"{k} — {v}") for k, v in EVENT_TYPES.items()]


class ReplayForm(forms.Form):
    since = forms.DateField(label=gettext_lazy("Failed since"), validators=[validate_date])


def _endpoint_or_404(request, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(workspace=request.workspace, id=endpoint_id).first()
    if endpoint is None:
        raise Http404(_("No such webhook endpoint."))
    return endpoint


@require_http_methods(["GET", "POST"])
@workspace_view(admin_only=True)
def endpoints(request):
    """The endpoints, and the form that adds one (its secret is shown once, on its page)."""
    form = EndpointForm(request.POST or None, initial={"enabled": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                endpoint = webhook_endpoint_create(workspace=request.workspace, actor=request.user, **form.cleaned_data)
            except ServiceError as error:
                form.add_error("url" if error.code == "invalid_url" else None, error.detail)
                status = error.status
            else:
                return _with_secret_once(request, endpoint, _("Endpoint added."))
        else:
            status = 400
    rows = list(request.workspace.webhook_endpoints.order_by("id"))
    return render(request, "contacts/webhooks.html", {"endpoints": rows, "form": form}, status=status)


def _detail_page(request, endpoint, *, form=None, secret: str = "", replay_form=None, status: int = 200):
    log = list(
        WebhookAttempt.objects.filter(endpoint=endpoint)
        .select_related("delivery__event")
        .order_by("-at", "-id")[:LOG_SIZE]
    )
    latest: set[int] = set()
    for attempt in log:  # newest first: a delivery's latest attempt is the one that may say "next try"
        attempt.latest = attempt.delivery_id not in latest
        latest.add(attempt.delivery_id)
    last = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id").first()
    context = {
        "endpoint": endpoint,
        "form": form
        or EndpointForm(
            initial={
                "url": endpoint.url,
                "description": endpoint.description,
                "event_types": endpoint.event_types,
                "enabled": endpoint.enabled,
            }
        ),
        "replay_form": replay_form or ReplayForm(),
        "secret": secret,
        "log": log,
        "last_payload": json.dumps(last.event.payload, indent=2, ensure_ascii=False) if last else "",
        "last_event": last.event if last else None,
        "rotating": endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > timezone.now(),
    }
    return render(request, "contacts/webhook_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@workspace_view(admin_only=True)
def endpoint_detail(request, endpoint_id: int):
    endpoint = _endpoint_or_404(request, endpoint_id)
    if request.method == "GET":  # the secret of a creation or rotation just made, shown this once
        secret = request.session.pop(SECRET_KEY.format(endpoint.id), "")
        return _detail_page(request, endpoint, secret=secret if secret == endpoint.secret else "")
    form = EndpointForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, endpoint, form=form, status=400)
    try:
        webhook_endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
    except ServiceError as error:
        form.add_error("url" if error.code == "invalid_url" else None, error.detail)
        endpoint.refresh_from_db()
        return _detail_page(request, endpoint, form=form, status=error.status)
    return _back(request, endpoint, _("Endpoint saved."))


SECRET_KEY = "webhook-secret-{}"  # the session key carrying a new secret to the next page view only


def _with_secret_once(request, endpoint, message: str):
    """After a POST, the endpoint's own address (a reload or Save must not add or rotate
    again), the new secret carried in the session to that one page view."""
    request.session[SECRET_KEY.format(endpoint.id)] = endpoint.secret
    return _back(request, endpoint, message)


def _back(request, endpoint, message: str):
    messages.success(request, message)
    return redirect("webhooks:detail", slug=request.workspace.slug, endpoint_id=endpoint.id)


@require_POST
@workspace_view(admin_only=True)
def endpoint_rotate(request, endpoint_id: int):
    endpoint = webhook_secret_rotate(endpoint=_endpoint_or_404(request, endpoint_id), actor=request.user)
    return _with_secret_once(request, endpoint, _("New secret made."))


@require_POST
@workspace_view(admin_only=True)
def endpoint_test(request, endpoint_id: int):
    endpoint = _endpoint_or_404(request, endpoint_id)
    try:
        webhook_test_send(endpoint=endpoint)
    except ServiceError as error:
        messages.error(request, error.detail)
        return redirect("webhooks:detail", slug=request.workspace.slug, endpoint_id=endpoint.id)
    return _back(request, endpoint, _("A test event is on its way: its attempt appears in the log below."))


@require_http_methods(["GET", "POST"])
@workspace_view(admin_only=True)
def endpoint_delete(request, endpoint_id: int):
    """GET asks (what goes with it); POST deletes."""
    endpoint = _endpoint_or_404(request, endpoint_id)
    if request.method == "GET":
        waiting = endpoint.deliveries.filter(status=DeliveryStatus.PENDING).count()
        return render(request, "contacts/webhook_delete.html", {"endpoint": endpoint, "waiting": waiting})
    webhook_endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Endpoint %(url)s deleted.") % {"url": endpoint.url})
    return redirect("webhooks:list", slug=request.workspace.slug)


@require_POST
@workspace_view(admin_only=True)
@handles_service_errors
def endpoint_replay(request, endpoint_id: int):
    """One delivery again (`delivery`), or every failed one since a date (`since`)."""
    endpoint = _endpoint_or_404(request, endpoint_id)
    delivery_id = parse_positive_int(request.POST.get("delivery", ""))
    replay_form = ReplayForm(request.POST)
    if delivery_id is None and not replay_form.is_valid():
        return _detail_page(request, endpoint, replay_form=replay_form, status=400)
    try:
        if delivery_id is not None:
            webhook_replay(endpoint=endpoint, delivery_id=delivery_id)
            return _back(request, endpoint, _("The event will be delivered again."))
        count = webhook_replay(endpoint=endpoint, since=replay_form.cleaned_data["since"])
    except Conflict as refused:  # a disabled endpoint: said on its page, nothing queued
        messages.error(request, refused.detail)
        return redirect("webhooks:detail", slug=request.workspace.slug, endpoint_id=endpoint.id)
    if not count:
        return _back(request, endpoint, _("No failed delivery since then: nothing to send again."))
    words = ngettext(
        "%(count)s failed delivery will be sent again.", "%(count)s failed deliveries will be sent again.", count
    )
    return _back(request, endpoint, words % {"count": count})


webhook_urlpatterns = [
    path("", endpoints, name="list"),
    path("<int:endpoint_id>/", endpoint_detail, name="detail"),
    path("<int:endpoint_id>/rotate-secret/", endpoint_rotate, name="rotate"),
    path("<int:endpoint_id>/test/", endpoint_test, name="test"),
    path("<int:endpoint_id>/delete/", endpoint_delete, name="delete"),
    path("<int:endpoint_id>/replay/", endpoint_replay, name="replay"),
]
