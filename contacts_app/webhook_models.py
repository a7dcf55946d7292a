"""Outgoing webhooks (W1–W4): a workspace's endpoints, the outbox of events, and each
event's delivery to each endpoint with its attempts. Registered with contacts_app
(re-exported from models), the floor every app writes events to."""

import base64
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# W2: every event type, declared once (the pages, the API and the docs list these).
EVENT_TYPES = {
    "contact.archived": _("Contacts archived"),
    "contact.restored": _("Contacts restored"),
    "contact.cleaned": _("Contacts cleaned"),
    "contact.uncleaned": _("Contact un-cleaned"),
    "contact.purged": _("Contacts purged"),
    "contact.merged": _("Contacts merged"),
    "contact.erased": _("Contacts erased"),
    "restore_job.finished": _("Restore job finished"),
    "archive_job.finished": _("Archive job finished"),
    "erasure_job.finished": _("Erasure job finished"),
    "export.finished": _("Export finished"),
    "incident_revert.finished": _("Incident revert finished"),
}
TEST_EVENT = "webhook.test"  # what "Send a test event" sends, whatever the endpoint subscribes to

# U7: what went wrong is stored as a code and its values, and put in words in the
# reader's language when it is shown (the log, the list, the API, a notice).
FAILURE_WORDS = {
    "status": _("The receiver answered %(status)s."),
    "connect": _("Could not connect: %(reason)s"),
    "connection_refused": _("The receiver refused the connection: nothing listens at that address and port."),
    "timeout": _("No answer within %(seconds)s s."),
    "tls": _("The TLS handshake failed: %(reason)s"),
    "not_found": _("The host %(host)s could not be found."),
    "private": _("The host %(host)s resolves to a private or local address."),
    "refused": _("This server's settings no longer allow deliveries to %(host)s."),
    "disabled": _("The endpoint is disabled."),
    "other": _("%(reason)s"),
}
DISABLED_WORDS = {
    "gone": _("The receiver answered 410 Gone: it asked for no more deliveries."),
    "exhausted": _("Deliveries kept failing for about three days (last: %(error)s)"),
    "other": _("%(reason)s"),
}


def _words(table: dict, code: str, params: dict) -> str:
    if not code:
        return ""
    template = table.get(code, table["other"])
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)


def failure_words(code: str, params: dict) -> str:
    return _words(FAILURE_WORDS, code, params or {})


def webhook_secret_new() -> str:
    """W1: `whsec_` and 32 random bytes in base64, as Standard Webhooks writes secrets."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def webhook_message_id_new() -> str:
    return "msg_" + secrets.token_urlsafe(18)


class WebhookEndpoint(models.Model):
    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=2000)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(_("event types"), default=list, help_text=_("Empty: every event type."))
    enabled = models.BooleanField(_("enabled"), default=True)
    secret = models.CharField(max_length=100, default=webhook_secret_new, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_code = models.CharField(max_length=20, blank=True)
    disabled_params = models.JSONField(default=dict, blank=True)
    language = models.CharField(max_length=10, blank=True)  # its creator's: the disabling notice is written in it
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self) -> str:
        return self.url

    @property
    def disabled_reason(self) -> str:
        """Why it was disabled, in the reader's language (U7)."""
        params = dict(self.disabled_params or {})
        if self.disabled_code == "exhausted":
            params["error"] = failure_words(params.get("code", ""), params.get("params", {}))
        return _words(DISABLED_WORDS, self.disabled_code, params)

    def wants(self, event_type: str) -> bool:
        return not self.event_types or event_type in self.event_types

    def secrets_now(self, now) -> list[str]:
        """W1: the secrets that sign now — the new one, and the old one for 24 h after a rotation."""
        if self.previous_secret and self.previous_secret_expires_at and self.previous_secret_expires_at > now:
            return [self.secret, self.previous_secret]
        return [self.secret]


class WebhookEvent(models.Model):
    """The outbox (W3): written in the transaction of the change it describes."""

    workspace = models.ForeignKey("contacts_app.Workspace", on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=40, unique=True, default=webhook_message_id_new)
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")
        indexes = [models.Index(fields=["workspace", "-created_at"], name="whevent_ws_created")]

    def __str__(self) -> str:
        return f"{self.type} {self.message_id}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one endpoint: delivered at least once, retried with backoff (W3)."""

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    leased_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error_code = models.CharField(max_length=20, blank=True)
    last_error_params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        constraints = [models.UniqueConstraint(fields=["endpoint", "event"], name="one_delivery_per_endpoint_event")]
        indexes = [
            models.Index(fields=["next_attempt_at", "id"], condition=Q(status="pending"), name="whdelivery_due"),
            models.Index(fields=["endpoint", "-id"], name="whdelivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.endpoint_id} ({self.status})"

    @property
    def last_error(self) -> str:
        return failure_words(self.last_error_code, self.last_error_params)


class WebhookAttempt(models.Model):
    """W3's delivery log: each attempt's time, status code, latency and error."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="+")
    number = models.PositiveIntegerField(default=1)  # 1 for the first attempt, 2 for the first retry…
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=20, blank=True)
    error_params = models.JSONField(default=dict, blank=True)
    response_excerpt = models.CharField(max_length=1000, blank=True)

    class Meta:
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")
        indexes = [models.Index(fields=["endpoint", "-at"], name="whattempt_endpoint_at")]

    def __str__(self) -> str:
        return f"{self.delivery_id} at {self.at:%Y-%m-%d %H:%M:%S} → {self.status_code or self.error_code}"

    @property
    def error(self) -> str:
        return failure_words(self.error_code, self.error_params)
