"""Outgoing webhooks, the delivering side (W3, W4): the relay claims due deliveries
(a lease, so a relay killed mid-batch loses nothing: the lease runs out and another
relay sends them again — at least once, duplicates possible), signs each as Standard
Webhooks v1, sends it to an address checked at this very moment, and logs the attempt.

Retries follow the Standard Webhooks / Svix schedule stretched to about three days; a
410 disables the endpoint at once; a delivery still failing at the end of the schedule
disables its endpoint and tells the workspace's admins (notice and email)."""

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import urllib3
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts_app.models import Role, WorkspaceMembership
from contacts_app.notices import notice_send
from contacts_app.webhook_models import TEST_EVENT, DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookEndpoint

from .webhook_http import USER_AGENT, Refused, Sender, event_body, sign

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


@dataclass
class Outcome:
    """One attempt's result, written with the others of its batch (W3's log)."""

    delivery: WebhookDelivery
    at: datetime
    status: int | None
    latency_ms: int
    code: str = ""
    params: dict = field(default_factory=dict)
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


WRITE_EVERY = 50  # attempts recorded together, in one transaction…
WRITE_AFTER_SECONDS = 0.5  # …or sooner, when a slow receiver makes 50 take long


def webhooks_relay(*, budget_seconds: float = 50.0, sender: Sender | None = None) -> int:
    """Deliver what is due until nothing is, or the budget is spent. Returns how many
    attempts were made. Attempts are recorded WRITE_EVERY at a time (or each half
    second): a relay killed before it records them sends them again (at least once)."""
    sender = sender or Sender()
    started = time.monotonic()
    attempts = 0
    try:
        while time.monotonic() - started < budget_seconds:
            ids = deliveries_claim(now=timezone.now())
            if not ids:
                break
            deliveries = WebhookDelivery.objects.filter(id__in=ids).select_related("endpoint", "event").order_by("id")
            first_failure: dict[int, Outcome] = {}  # per endpoint: its later events wait behind it
            waiting: dict[int, list[int]] = {}
            bodies: dict[int, bytes] = {}  # each event serialised once, whatever the number of endpoints
            outcomes: list[Outcome] = []
            written = time.monotonic()
            for delivery in deliveries:
                if delivery.endpoint_id in first_failure:
                    waiting.setdefault(delivery.endpoint_id, []).append(delivery.id)
                    continue
                outcome = delivery_send(delivery=delivery, sender=sender, bodies=bodies)
                outcomes.append(outcome)
                if not outcome.ok and delivery.event.type != TEST_EVENT:
                    first_failure[delivery.endpoint_id] = outcome
                if len(outcomes) >= WRITE_EVERY or time.monotonic() - written > WRITE_AFTER_SECONDS:
                    attempts += outcomes_record(outcomes)
                    outcomes, written = [], time.monotonic()
            attempts += outcomes_record(outcomes)
            _waiting_hold(waiting, first_failure)
    finally:
        sender.close()
    return attempts


def _waiting_hold(waiting: dict[int, list[int]], first_failure: dict[int, Outcome]) -> None:
    """W3's order per endpoint: the events behind a failed one are due when its retry is
    (not sooner, or they would overtake it); behind one that failed for good, at once."""
    for endpoint_id, ids in waiting.items():
        failed = first_failure[endpoint_id].delivery
        due = failed.next_attempt_at if failed.status == DeliveryStatus.PENDING else timezone.now()
        WebhookDelivery.objects.filter(id__in=ids).update(leased_until=None, next_attempt_at=due)


def delivery_send(*, delivery: WebhookDelivery, sender: Sender, bodies: dict | None = None) -> Outcome:
    """One attempt of one delivery: signed, sent, its result returned (not yet recorded)."""
    endpoint, event = delivery.endpoint, delivery.event
    now = timezone.now()
    if not endpoint.enabled:
        return Outcome(delivery=delivery, at=now, status=None, latency_ms=0, code="disabled")
    bodies = {} if bodies is None else bodies
    body = bodies.get(event.id)
    if body is None:
        body = bodies[event.id] = event_body(event.payload)
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
    status, excerpt, code, params = None, "", "", {}
    started = time.monotonic()
    try:
        status, excerpt = sender.post(endpoint.url, body=body, headers=headers)
    except Refused as refused:
        code, params = refused.code, refused.params
    except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
        code, params = _failure(exc)
    latency = int((time.monotonic() - started) * 1000)
    outcome = Outcome(
        delivery=delivery, at=now, status=status, latency_ms=latency, code=code, params=params, excerpt=excerpt[:1000]
    )
    if status is not None and not outcome.ok:
        outcome.code, outcome.params = "status", {"status": status}
    return outcome


def _failure(exc: Exception) -> tuple[str, dict]:
    """What went wrong, as a code (a refused connection is not a timeout, though
    urllib3's NewConnectionError is a ConnectTimeoutError)."""
    if isinstance(exc, urllib3.exceptions.NewConnectionError) and isinstance(exc.__cause__, ConnectionRefusedError):
        return "connection_refused", {}
    if isinstance(exc, urllib3.exceptions.NewConnectionError):
        return "connect", {"reason": str(exc).rsplit(":", 1)[-1].strip()[:300]}
    if isinstance(exc, urllib3.exceptions.TimeoutError) or "timed out" in str(exc).lower():
        return "timeout", {"seconds": f"{settings.WEBHOOK_TIMEOUT:g}"}
    if isinstance(exc, urllib3.exceptions.SSLError):
        return "tls", {"reason": str(exc)[:300]}
    return "other", {"reason": f"{type(exc).__name__}: {exc}"[:300]}


def outcomes_record(outcomes: list[Outcome]) -> int:
    """W3: the attempts in the log and each delivery's next state, in one transaction.
    A failed delivery waits for its retry; a 410 or the schedule's end fails it and
    disables its endpoint. A test event is tried once and never disables anything (its
    endpoint may be live and only the test's path answer 410). Returns how many."""
    if not outcomes:
        return 0
    with transaction.atomic():
        WebhookAttempt.objects.bulk_create(
            [
                WebhookAttempt(
                    delivery=o.delivery,
                    endpoint_id=o.delivery.endpoint_id,
                    number=o.delivery.attempts + 1,
                    at=o.at,
                    status_code=o.status,
                    latency_ms=o.latency_ms,
                    error_code=o.code,
                    error_params=o.params,
                    response_excerpt=o.excerpt,
                )
                for o in outcomes
                if o.code != "disabled"
            ]
        )
        for o in outcomes:
            _delivery_next(o)
        WebhookDelivery.objects.bulk_update(
            [o.delivery for o in outcomes],
            ["attempts", "status", "next_attempt_at", "leased_until", "delivered_at"]
            + ["last_status_code", "last_error_code", "last_error_params"],
        )
    return len(outcomes)


def _delivery_next(o: Outcome) -> None:
    delivery, endpoint = o.delivery, o.delivery.endpoint
    delivery.leased_until = None
    if o.code == "disabled":
        delivery.status, delivery.last_error_code, delivery.last_error_params = DeliveryStatus.FAILED, "disabled", {}
        return
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error_code, delivery.last_error_params = o.status, o.code, o.params
    is_test = delivery.event.type == TEST_EVENT
    if o.ok:
        delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, o.at
    elif is_test:
        delivery.status = DeliveryStatus.FAILED  # shown in the log; Replay tries it again
    elif o.status == 410:
        delivery.status = DeliveryStatus.FAILED
        _endpoint_disable(endpoint, code="gone", params={})
    elif delivery.attempts > len(RETRY_DELAYS):
        delivery.status = DeliveryStatus.FAILED
        _endpoint_disable(endpoint, code="exhausted", params={"code": o.code, "params": o.params})
    else:
        delivery.next_attempt_at = o.at + RETRY_DELAYS[delivery.attempts - 1]


def _endpoint_disable(endpoint: WebhookEndpoint, *, code: str, params: dict) -> None:
    """W3: disabled once (a conditional update), and every admin of the workspace told."""
    disabled = WebhookEndpoint.objects.filter(id=endpoint.id, enabled=True).update(
        enabled=False, disabled_code=code, disabled_params=params
    )
    if not disabled:
        return
    endpoint.enabled, endpoint.disabled_code, endpoint.disabled_params = False, code, params
    with translation.override(endpoint.language or settings.LANGUAGE_CODE):
        _endpoint_disabled_tell(endpoint)


def _endpoint_disabled_tell(endpoint: WebhookEndpoint) -> None:
    reason = endpoint.disabled_reason
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
