"""Outgoing webhooks, the writing side (W1–W3): an admin's endpoints, and the outbox
every change writes its event to, in its own transaction. The relay that delivers
them is `services/webhook_delivery.py`."""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.jobs.queueing import publish, publish_soon
from contacts_app.lib.errors import Conflict, InvalidInput, NotFound
from contacts_app.lib.hygiene import clean_text
from contacts_app.models import AuditEvent, Workspace
from contacts_app.services.webhook_addresses import url_ascii, url_problem
from contacts_app.webhook_models import (
    EVENT_TYPES,
    TEST_EVENT,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    webhook_secret_new,
)

MAX_IDS_PER_EVENT = 1000  # W2: a bulk change is one event per chunk, never one per contact
ROTATION_OVERLAP = timedelta(hours=24)  # W1: the old secret signs too, for a day
RELAY_TASK = "contacts_app.tasks.webhooks_relay_task"

# --- W1: endpoints -------------------------------------------------------------------------


def _checked(*, url: str, description: str, event_types: Sequence[str]) -> tuple[str, str, list[str]]:
    clean_text(url, field=_("URL"), max_length=WebhookEndpoint._meta.get_field("url").max_length)
    clean_text(description, field=_("Description"), max_length=200)
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(
            _("Unknown event type: %(types)s.") % {"types": ", ".join(unknown)}, code="unknown_event_type"
        )
    url = url_ascii(url.strip())
    problem = url_problem(url)
    if problem:
        raise InvalidInput(problem, code="invalid_url")
    if len(url) > WebhookEndpoint._meta.get_field("url").max_length:
        raise InvalidInput(_("The URL is too long once its host is written in ASCII."), code="invalid_url")
    return url, description, sorted(set(event_types))


def webhook_endpoint_create(
    *, workspace: Workspace, actor, url: str, description: str = "", event_types: Sequence[str] = (), enabled=True
) -> WebhookEndpoint:
    """W1: the new endpoint; its secret is shown once, in the answer to this."""
    url, description, types = _checked(url=url, description=description, event_types=event_types)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            workspace=workspace,
            url=url,
            description=description,
            event_types=types,
            enabled=enabled,
            language=translation.get_language() or "",
        )
        _audit(endpoint, actor=actor, verb="created")
    return endpoint


def webhook_endpoint_update(*, endpoint: WebhookEndpoint, actor, **changes) -> WebhookEndpoint:
    """W1: change the URL, description, event types or whether it is enabled. Enabling
    again clears why it was disabled."""
    url, description, types = _checked(
        url=changes.get("url", endpoint.url),
        description=changes.get("description", endpoint.description),
        event_types=changes.get("event_types", endpoint.event_types),
    )
    with transaction.atomic():
        endpoint.url, endpoint.description, endpoint.event_types = url, description, types
        if "enabled" in changes:
            if changes["enabled"] and not endpoint.enabled:
                endpoint.disabled_code, endpoint.disabled_params = "", {}
            endpoint.enabled = bool(changes["enabled"])
        endpoint.save()
        _audit(endpoint, actor=actor, verb="updated")
    return endpoint


def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor) -> None:
    with transaction.atomic():
        _audit(endpoint, actor=actor, verb="deleted")
        endpoint.delete()


def webhook_secret_rotate(*, endpoint: WebhookEndpoint, actor, now: datetime | None = None) -> WebhookEndpoint:
    """W1: a new secret; the old one still signs for 24 h (both signatures are sent)."""
    now = now or timezone.now()
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint.id)
        overlapping = endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now
        if not overlapping:  # a second rotation within the day keeps the secret receivers had before the first
            endpoint.previous_secret = endpoint.secret
            endpoint.previous_secret_expires_at = now + ROTATION_OVERLAP
        endpoint.secret = webhook_secret_new()
        endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
        _audit(endpoint, actor=actor, verb="secret rotated")
    return endpoint


def _audit(endpoint: WebhookEndpoint, *, actor, verb: str) -> None:
    audit_log(
        workspace_id=endpoint.workspace_id,
        actor=actor,
        action=AuditEvent.Action.WEBHOOK_CHANGE,
        details={"verb": verb, "endpoint": endpoint.url, "endpoint_id": endpoint.id},
    )


def webhook_endpoint_get(*, workspace: Workspace, endpoint_id: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(workspace=workspace, id=endpoint_id).first()
    if endpoint is None:
        raise NotFound(_("No such webhook endpoint."))
    return endpoint


# --- W2/W3: the outbox -----------------------------------------------------------------


def webhook_emit(*, workspace_id: int, type: str, data: dict, now: datetime | None = None) -> int:
    """W3: write the event for every enabled endpoint of the workspace that wants it,
    in the caller's transaction (a rolled-back change sends nothing; a broker that is
    down loses nothing: the relay's sweep finds the rows). `data["contacts"]` longer
    than MAX_IDS_PER_EVENT is split into events of that size (W2). Returns how many
    events were written (0 when no endpoint listens: then nothing is stored)."""
    subscribed = WebhookEndpoint.objects.filter(workspace_id=workspace_id, enabled=True).select_related("workspace")
    endpoints = [e for e in subscribed if e.wants(type)]
    if not endpoints:
        return 0
    now = now or timezone.now()
    contacts = data.get("contacts")
    if contacts is None or len(contacts) <= MAX_IDS_PER_EVENT:
        parts = [data]
    else:  # lists that run beside `contacts` (one entry per contact) are cut with it
        aligned = [k for k, v in data.items() if isinstance(v, list) and len(v) == len(contacts)]
        parts = [
            {**data, **{k: data[k][i : i + MAX_IDS_PER_EVENT] for k in aligned}}
            for i in range(0, len(contacts), MAX_IDS_PER_EVENT)
        ]
    events = WebhookEvent.objects.bulk_create(
        [
            WebhookEvent(
                workspace_id=workspace_id,
                type=type,
                payload=_payload(type=type, now=now, workspace=endpoints[0].workspace, data=part),
                created_at=now,
            )
            for part in parts
        ]
    )
    WebhookDelivery.objects.bulk_create(
        [WebhookDelivery(endpoint=e, event=ev, next_attempt_at=now, created_at=now) for ev in events for e in endpoints]
    )
    transaction.on_commit(relay_soon)
    return len(events)


def _payload(*, type: str, now: datetime, workspace: Workspace, data: dict) -> dict:
    """W2: every event's shape — its type, when, the workspace it happened in (one
    receiver may serve several), and the type's own data."""
    return {"type": type, "timestamp": now.isoformat(), "workspace": workspace.slug, "data": data}


def relay_soon() -> None:
    publish_soon(lambda: publish(RELAY_TASK), name="webhooks-relay")


def webhook_test_send(*, endpoint: WebhookEndpoint) -> WebhookDelivery:
    """W1: a `webhook.test` event to this endpoint only, whatever it subscribes to.
    A disabled endpoint is sent nothing: refused (409) rather than dropped."""
    if not endpoint.enabled:
        raise Conflict(_("This endpoint is disabled: enable it, then send a test event."), code="endpoint_disabled")
    now = timezone.now()
    with transaction.atomic():
        event = WebhookEvent.objects.create(
            workspace_id=endpoint.workspace_id,
            type=TEST_EVENT,
            payload=_payload(type=TEST_EVENT, now=now, workspace=endpoint.workspace, data={"endpoint": endpoint.id}),
        )
        delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=event, next_attempt_at=now)
        transaction.on_commit(relay_soon)
    return delivery


def webhook_deliveries(
    *, endpoint: WebhookEndpoint, status: str | None = None, before_id: int | None = None, limit=100
):
    """W3: an endpoint's deliveries, newest first, `limit` at a time (keyset: the next
    page is the ones before the last id), each with its event."""
    qs = WebhookDelivery.objects.filter(endpoint=endpoint).select_related("event").order_by("-id")
    if status:
        qs = qs.filter(status=status)
    if before_id is not None:
        qs = qs.filter(id__lt=before_id)
    return list(qs[:limit])


def webhook_replay(
    *, endpoint: WebhookEndpoint, delivery_id: int | None = None, since: datetime | date | None = None
) -> int:
    """W3: deliver again one event (any status), or every failed one since `since`.
    Returns how many were queued again. A disabled endpoint is sent nothing: refused
    (409) rather than queued for nobody."""
    if not endpoint.enabled:
        raise Conflict(_("This endpoint is disabled: enable it, then replay."), code="endpoint_disabled")
    if since is not None and not isinstance(since, datetime):  # a date: from its midnight, UTC
        since = datetime.combine(since, time.min, tzinfo=UTC)
    qs = WebhookDelivery.objects.filter(endpoint=endpoint)
    if delivery_id is not None:
        qs = qs.filter(id=delivery_id)
        if not qs.exists():
            raise NotFound(_("No such delivery."))
    else:
        failing = Q(status=DeliveryStatus.FAILED) | Q(status=DeliveryStatus.PENDING, attempts__gt=0)
        qs = qs.filter(failing, created_at__gte=since)  # failed, or waiting for their next retry
    with transaction.atomic():
        now = timezone.now()
        count = qs.update(status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, leased_until=None)
        if count:  # the events held behind a failed one (W3's order) go with it
            WebhookDelivery.objects.filter(endpoint=endpoint, status=DeliveryStatus.PENDING, attempts=0).update(
                next_attempt_at=now
            )
            transaction.on_commit(relay_soon)
    return count
