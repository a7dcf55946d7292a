"""JSON API for outgoing webhook endpoints (W1, W3): admins only. The secret is in the
answer that creates or rotates it, never again."""

from datetime import datetime
from typing import Literal

from ninja import Query, Router, Schema, Status
from pydantic import AwareDatetime, ConfigDict, Field, StrictBool

from contacts_app.api.auth import require_admin
from contacts_app.api.schemas import QueryId, SaneDate, Text, errors
from contacts_app.services.webhooks import (
    webhook_deliveries,
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_get,
    webhook_endpoint_update,
    webhook_replay,
    webhook_secret_rotate,
    webhook_test_send,
)
from contacts_app.webhook_models import EVENT_TYPES, FAILURE_WORDS, DeliveryStatus, WebhookDelivery, WebhookEndpoint

router = Router(tags=["outgoing webhooks"])

EVENTS_DOC = """

**Outgoing webhooks.** Each event is POSTed as JSON to every enabled endpoint that wants
its type, signed as Standard Webhooks v1: headers `webhook-id` (the event's `msg_…` id,
the same on every retry: use it to drop duplicates), `webhook-timestamp` (Unix seconds)
and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the
base64 bytes after `whsec_`; two, space-separated, for 24 h after a rotation). Body:
`{"type": "<type>", "timestamp": "<ISO 8601>", "workspace": "<slug>", "data": {…}}`. Answer 2xx within 15 s;
anything else is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h
(about three days), then the endpoint is disabled; 410 disables it at once. `data` by type:
`contact.archived` `{"contacts": [id], "archive_job"?}`; `contact.restored` `{"contacts",
"source": "manual"|"form", "restore_job"?, "form"?: {"id", "name"}}`; `contact.cleaned`
`{"contacts", "evidence": [{"class", "code", "provider", "cleaned_at"}] (one per contact, in
order)}`; `contact.uncleaned` `{"contacts", "reason", "incident_revert"?}`; `contact.purged`
`{"contacts", "reason"}`; `contact.merged` `{"contacts": [duplicate], "survivor",
"duplicate"}`; `contact.erased` `{"contacts"}` (G1: erase them on your side too);
`restore_job.finished`, `archive_job.finished`, `erasure_job.finished`, `export.finished`,
`incident_revert.finished` `{"id", "number", "status", "finished_at", "counts"}`;
`webhook.test` `{"endpoint"}` (tried once, never retried, never disables the endpoint).
`contacts` holds at most 1,000 ids: a bulk change sends one event per chunk. Each
endpoint's deliveries, with their last answer, are listed by `GET
/webhook-endpoints/{id}/deliveries` and sent again by `POST …/deliveries/{id}/replay`
(one) or `POST …/replay` (every failed one since a time)."""
EventType = Literal[tuple(EVENT_TYPES)]  # type: ignore[valid-type]


class EndpointIn(Schema):
    model_config = ConfigDict(extra="forbid")

    url: Text(2000) = Field(description="https:// in production; a public address (W4).")
    description: Text(200) = ""
    event_types: list[EventType] = Field(default_factory=list, max_length=len(EVENT_TYPES), description="Empty: all.")
    enabled: StrictBool = True


class EndpointPatch(Schema):
    model_config = ConfigDict(extra="forbid")

    url: Text(2000) | None = None
    description: Text(200) | None = None
    event_types: list[EventType] | None = Field(None, max_length=len(EVENT_TYPES))
    enabled: StrictBool | None = None


class EndpointOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    enabled: bool
    disabled_reason: str = Field(description="Why it was disabled, in words (empty while enabled).")
    disabled_code: str = Field(description="gone (it answered 410), exhausted (three days of failures); or empty.")
    created_at: datetime
    rotating_until: datetime | None = Field(description="While set, the previous secret signs too (W1).")

    @staticmethod
    def of(endpoint: WebhookEndpoint) -> dict:
        return {
            "id": endpoint.id,
            "url": endpoint.url,
            "description": endpoint.description,
            "event_types": endpoint.event_types,
            "enabled": endpoint.enabled,
            "disabled_reason": endpoint.disabled_reason,
            "disabled_code": endpoint.disabled_code,
            "created_at": endpoint.created_at,
            "rotating_until": endpoint.previous_secret_expires_at,
        }


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="`whsec_…`: shown in this answer only.")


class DeliveryOut(Schema):
    id: int
    message_id: str = Field(description="The `webhook-id` header: the same on every attempt.")
    type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str = Field(description="The last attempt's failure, in words (empty when none).")
    last_error_code: str = Field(description=f"{', '.join(FAILURE_WORDS)}; empty when none.")
    next_attempt_at: datetime | None = Field(description="When it is tried again (pending only).")
    delivered_at: datetime | None
    created_at: datetime
    payload: dict

    @staticmethod
    def of(d: WebhookDelivery) -> dict:
        return {
            "id": d.id,
            "message_id": d.event.message_id,
            "type": d.event.type,
            "status": d.status,
            "attempts": d.attempts,
            "last_status_code": d.last_status_code,
            "last_error": d.last_error,
            "last_error_code": d.last_error_code,
            "next_attempt_at": d.next_attempt_at if d.status == DeliveryStatus.PENDING else None,
            "delivered_at": d.delivered_at,
            "created_at": d.created_at,
            "payload": d.event.payload,
        }


class DeliveryPage(Schema):
    next: str | None = Field(description="The next (older) page's URL, or null on the last page.")
    results: list[DeliveryOut]


class DeliveryQuery(Schema):
    model_config = ConfigDict(extra="forbid")

    status: Literal["pending", "succeeded", "failed"] | None = None
    before: QueryId | None = Field(None, description="Only deliveries with a smaller id (the next page).")


class ReplayIn(Schema):
    model_config = ConfigDict(extra="forbid")

    since: AwareDatetime | SaneDate = Field(
        description="Every delivery failed (or waiting for a retry) since then: a date-time with its time zone "
        "(2026-12-01T00:00:00Z), or a date (from its midnight, UTC)."
    )


class ReplayOut(Schema):
    queued: int


class TestOut(Schema):
    delivery_id: int
    status: str


def _own(request, endpoint_id: int) -> WebhookEndpoint:
    require_admin(request)
    return webhook_endpoint_get(workspace=request.workspace, endpoint_id=endpoint_id)


@router.get("/webhook-endpoints", response={200: list[EndpointOut], **errors(401, 403, 429)}, summary="List endpoints")
def endpoints_list(request):
    require_admin(request)
    return [EndpointOut.of(e) for e in request.workspace.webhook_endpoints.order_by("id")]


@router.post(
    "/webhook-endpoints",
    response={201: EndpointWithSecret, **errors(400, 401, 403, 413, 429)},
    summary="Add an endpoint (its secret is in this answer only)",
)
def endpoint_create(request, payload: EndpointIn):
    require_admin(request)
    endpoint = webhook_endpoint_create(workspace=request.workspace, actor=request.user, **payload.model_dump())
    return Status(201, EndpointOut.of(endpoint) | {"secret": endpoint.secret})


@router.get(
    "/webhook-endpoints/{int:endpoint_id}",
    response={200: EndpointOut, **errors(401, 403, 404, 429)},
    summary="An endpoint",
)
def endpoint_detail(request, endpoint_id: int):
    return EndpointOut.of(_own(request, endpoint_id))


@router.patch(
    "/webhook-endpoints/{int:endpoint_id}",
    response={200: EndpointOut, **errors(400, 401, 403, 404, 413, 429)},
    summary="Change an endpoint (only the fields sent)",
)
def endpoint_update(request, endpoint_id: int, payload: EndpointPatch):
    endpoint = _own(request, endpoint_id)
    changes = {k: v for k, v in payload.model_dump().items() if v is not None}
    return EndpointOut.of(webhook_endpoint_update(endpoint=endpoint, actor=request.user, **changes))


@router.delete(
    "/webhook-endpoints/{int:endpoint_id}", response={204: None, **errors(401, 403, 404, 429)}, summary="Delete"
)
def endpoint_delete(request, endpoint_id: int):
    webhook_endpoint_delete(endpoint=_own(request, endpoint_id), actor=request.user)
    return Status(204, None)


@router.post(
    "/webhook-endpoints/{int:endpoint_id}/rotate-secret",
    response={200: EndpointWithSecret, **errors(401, 403, 404, 429)},
    summary="A new secret; the old one still signs for 24 hours",
)
def endpoint_rotate(request, endpoint_id: int):
    endpoint = webhook_secret_rotate(endpoint=_own(request, endpoint_id), actor=request.user)
    return EndpointOut.of(endpoint) | {"secret": endpoint.secret}


@router.post(
    "/webhook-endpoints/{int:endpoint_id}/test",
    response={202: TestOut, **errors(401, 403, 404, 409, 429)},
    summary="Send a webhook.test event to this endpoint",
)
def endpoint_test(request, endpoint_id: int):
    delivery = webhook_test_send(endpoint=_own(request, endpoint_id))
    return Status(202, {"delivery_id": delivery.id, "status": delivery.status})


DELIVERY_PAGE = 100


@router.get(
    "/webhook-endpoints/{int:endpoint_id}/deliveries",
    response={200: DeliveryPage, **errors(400, 401, 403, 404, 429)},
    summary="An endpoint's deliveries, newest first (W3's log)",
)
def endpoint_deliveries(request, endpoint_id: int, query: Query[DeliveryQuery]):
    endpoint = _own(request, endpoint_id)
    rows = webhook_deliveries(endpoint=endpoint, status=query.status, before_id=query.before, limit=DELIVERY_PAGE + 1)
    next_url = None
    if len(rows) > DELIVERY_PAGE:
        rows = rows[:DELIVERY_PAGE]
        params = request.GET.copy()
        params["before"] = str(rows[-1].id)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"next": next_url, "results": [DeliveryOut.of(d) for d in rows]}


@router.post(
    "/webhook-endpoints/{int:endpoint_id}/deliveries/{int:delivery_id}/replay",
    response={202: ReplayOut, **errors(401, 403, 404, 409, 429)},
    summary="Deliver one event again",
)
def delivery_replay(request, endpoint_id: int, delivery_id: int):
    queued = webhook_replay(endpoint=_own(request, endpoint_id), delivery_id=delivery_id)
    return Status(202, {"queued": queued})


@router.post(
    "/webhook-endpoints/{int:endpoint_id}/replay",
    response={202: ReplayOut, **errors(400, 401, 403, 404, 409, 413, 429)},
    summary="Deliver again every failed event since a time",
)
def endpoint_replay(request, endpoint_id: int, payload: ReplayIn):
    queued = webhook_replay(endpoint=_own(request, endpoint_id), since=payload.since)
    return Status(202, {"queued": queued})
