"""Outgoing webhooks, the delivering side (W3, W4): the relay claims due deliveries
(a lease, so a relay killed mid-batch loses nothing: the lease runs out and another
relay sends them again — at least once, duplicates possible), signs each as Standard
Webhooks v1, sends it to an address checked at this very moment, and logs the attempt.

Retries follow the Standard Webhooks / Svix schedule stretched to about three days; a
410 disables the endpoint at once; a delivery still failing at the end of the schedule
disables its endpoint and tells the workspace's admins (notice and email)."""

import base64
import hashlib
import hmac
import json
import logging
import time
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts_app.models import Role, WorkspaceMembership
from contacts_app.notices import notice_send
from contacts_app.webhook_models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .webhooks import addresses_problem, url_problem

log = logging.getLogger(__name__)

# W3: after the first attempt, wait this long before each retry (≈ 3 days in all).
RETRY_DELAYS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]
BATCH = 200
RESPONSE_CAP = 1024  # bytes of the receiver's answer kept in the log
USER_AGENT = "crm-webhooks/1 (Standard Webhooks v1)"


class Refused(Exception):
    """W4: the URL may not be delivered to now."""


def sign(*, secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks v1: `v1,` and the base64 HMAC-SHA256 of "id.timestamp.body",
    keyed with the secret's bytes (the base64 after `whsec_`)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{message_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def event_body(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


class Sender:
    """HTTP to a pinned address: the host is resolved and checked here, the connection
    goes to the checked address (no second lookup a rebinding DNS could answer
    differently), TLS still verifies the host's name. Never follows redirects; reads at
    most RESPONSE_CAP bytes. Pools are kept for one relay run (keep-alive)."""

    def __init__(self):
        self.pools: dict[tuple, urllib3.HTTPConnectionPool] = {}

    def post(self, url: str, *, body: bytes, headers: dict) -> tuple[int, str]:
        problem = url_problem(url)  # the settings may have changed since it was saved
        if problem:
            raise Refused(problem)
        addresses, problem = addresses_problem(url)
        if problem:
            raise Refused(problem)
        parts = urlsplit(url)
        address = addresses[0]
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (parts.scheme, address, port, parts.hostname)
        pool = self.pools.get(key)
        if pool is None:
            timeout = urllib3.Timeout(connect=min(5.0, settings.WEBHOOK_TIMEOUT), read=settings.WEBHOOK_TIMEOUT)
            if parts.scheme == "https":
                pool = urllib3.HTTPSConnectionPool(
                    address,
                    port,
                    timeout=timeout,
                    retries=False,
                    server_hostname=parts.hostname,
                    assert_hostname=parts.hostname,
                    cert_reqs="CERT_REQUIRED",
                    ca_certs=certifi.where(),
                )
            else:
                pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
            self.pools[key] = pool
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            excerpt = response.read(RESPONSE_CAP, decode_content=False).decode("utf-8", "replace")
        finally:
            response.close()  # the rest of a long answer is never read
        return response.status, excerpt

    def close(self) -> None:
        for pool in self.pools.values():
            pool.close()


def deliveries_claim(*, now: datetime, limit: int = BATCH) -> list[int]:
    """Due deliveries, oldest first, leased to this relay (SKIP LOCKED: relays share)."""
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
            .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            lease = timedelta(seconds=settings.WEBHOOK_LEASE_SECONDS)  # then another relay claims them again
            WebhookDelivery.objects.filter(id__in=ids).update(leased_until=now + lease)
    return ids


def webhooks_relay(*, budget_seconds: float = 50.0, sender: Sender | None = None) -> int:
    """Deliver what is due until nothing is, or the budget is spent. Returns how many
    attempts were made."""
    sender = sender or Sender()
    started = time.monotonic()
    attempts = 0
    try:
        while time.monotonic() - started < budget_seconds:
            ids = deliveries_claim(now=timezone.now())
            if not ids:
                break
            deliveries = WebhookDelivery.objects.filter(id__in=ids).select_related("endpoint", "event").order_by("id")
            failed_endpoints: set[int] = set()
            for delivery in deliveries:
                if delivery.endpoint_id in failed_endpoints:
                    # keep the endpoint's order: its later events wait for the retry
                    WebhookDelivery.objects.filter(id=delivery.id).update(leased_until=None)
                    continue
                if not delivery_attempt(delivery=delivery, sender=sender):
                    failed_endpoints.add(delivery.endpoint_id)
                attempts += 1
    finally:
        sender.close()
    return attempts


def delivery_attempt(*, delivery: WebhookDelivery, sender: Sender) -> bool:
    """One attempt of one delivery, logged. True when delivered."""
    endpoint, event = delivery.endpoint, delivery.event
    now = timezone.now()
    if not endpoint.enabled:
        WebhookDelivery.objects.filter(id=delivery.id).update(
            status=DeliveryStatus.FAILED, leased_until=None, last_error=_("The endpoint is disabled.")
        )
        return False
    body = event_body(event.payload)
    timestamp = int(now.timestamp())
    signatures = " ".join(
        sign(secret=s, message_id=event.message_id, timestamp=timestamp, body=body) for s in endpoint.secrets_now(now)
    )
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }
    status, excerpt, error = None, "", ""
    started = time.monotonic()
    try:
        status, excerpt = sender.post(endpoint.url, body=body, headers=headers)
    except Refused as refused:
        error = str(refused)
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        error = _failure_words(exc)
    latency = int((time.monotonic() - started) * 1000)
    ok = status is not None and 200 <= status < 300
    if status is not None and not ok and not error:
        error = _("The receiver answered %(status)s.") % {"status": status}
    _attempt_record(
        delivery=delivery, now=now, ok=ok, status=status, latency=latency, error=error[:500], excerpt=excerpt
    )
    return ok


def _failure_words(exc: Exception) -> str:
    """What went wrong, in a sentence (a refused connection is not a timeout, though
    urllib3's NewConnectionError is a ConnectTimeoutError)."""
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return _("Could not connect: %(reason)s") % {"reason": str(exc).rsplit(":", 1)[-1].strip()}
    if isinstance(exc, urllib3.exceptions.TimeoutError) or "timed out" in str(exc).lower():
        return _("No answer within %(s)s s.") % {"s": f"{settings.WEBHOOK_TIMEOUT:g}"}
    if isinstance(exc, urllib3.exceptions.SSLError):
        return _("The TLS handshake failed: %(reason)s") % {"reason": exc}
    return f"{type(exc).__name__}: {exc}"


def _attempt_record(*, delivery, now, ok: bool, status, latency: int, error: str, excerpt: str) -> None:
    endpoint = delivery.endpoint
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            endpoint=endpoint,
            at=now,
            status_code=status,
            latency_ms=latency,
            error=error,
            response_excerpt=excerpt[:1000],
        )
        attempts = delivery.attempts + 1
        fields = {"attempts": attempts, "last_status_code": status, "last_error": error, "leased_until": None}
        if ok:
            fields |= {"status": DeliveryStatus.SUCCEEDED, "delivered_at": now}
        elif status == 410:
            fields |= {"status": DeliveryStatus.FAILED}
            _endpoint_disable(endpoint, reason=_("The receiver answered 410 Gone: it asked for no more deliveries."))
        elif attempts > len(RETRY_DELAYS):
            fields |= {"status": DeliveryStatus.FAILED}
            _endpoint_disable(
                endpoint, reason=_("Deliveries kept failing for about three days (last: %(error)s)") % {"error": error}
            )
        else:
            fields |= {"next_attempt_at": now + RETRY_DELAYS[attempts - 1]}
        WebhookDelivery.objects.filter(id=delivery.id).update(**fields)


def _endpoint_disable(endpoint: WebhookEndpoint, *, reason: str) -> None:
    """W3: disabled once (a conditional update), and every admin of the workspace told."""
    if not WebhookEndpoint.objects.filter(id=endpoint.id, enabled=True).update(enabled=False, disabled_reason=reason):
        return
    endpoint.enabled, endpoint.disabled_reason = False, reason
    path = reverse("webhooks:detail", kwargs={"slug": endpoint.workspace.slug, "endpoint_id": endpoint.id})
    admins = WorkspaceMembership.objects.filter(workspace_id=endpoint.workspace_id, role=Role.ADMIN).select_related(
        "user", "workspace"
    )
    for membership in admins:
        notice_send(
            workspace=membership.workspace,
            user=membership.user,
            subject=_("Webhook endpoint disabled"),
            message=_("The webhook endpoint %(url)s was disabled: %(reason)s")
            % {"url": endpoint.url, "reason": reason},
            path=path,
        )
