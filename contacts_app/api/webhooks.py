"""JSON API for outgoing webhook endpoints (W1, W3): admins only. The secret is in the
answer that creates or rotates it, never again."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema, Status
from pydantic import ConfigDict, Field, StrictBool

from contacts_app.api.auth import require_admin
from contacts_app.api.schemas import Text, errors
from contacts_app.services.webhooks import (
    webhook_endpoint_create,
    webhook_endpoint_delete,
    webhook_endpoint_get,
    webhook_endpoint_update,
    webhook_secret_rotate,
    webhook_test_send,
)
from contacts_app.webhook_models import EVENT_TYPES, WebhookEndpoint

router = Router(tags=["outgoing webhooks"])

EVENTS_DOC = """

**Outgoing webhooks.** Each event is POSTed as JSON to every enabled endpoint that wants
its type, signed as Standard Webhooks v1: headers `webhook-id` (the event's `msg_…` id,
the same on every retry: use it to drop duplicates), `webhook-timestamp` (Unix seconds)
and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` keyed with the
base64 bytes after `whsec_`; two, space-separated, for 24 h after a rotation). Body:
`{"type": "<type>", "timestamp": "<ISO 8601>", "data": {…}}`. Answer 2xx within 15 s;
anything else is retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h
(about three days), then the endpoint is disabled; 410 disables it at once. `data` by type:
`contact.archived` `{"contacts": [id], "archive_job"?}`; `contact.restored` `{"contacts",
"source": "manual"|"form", "restore_job"?, "form"?: {"id", "name"}}`; `contact.cleaned`
`{"contacts", "evidence": [{"class", "code", "provider", "cleaned_at"}] (one per contact, in
order)}`; `contact.uncleaned` `{"contacts", "reason", "incident_revert"?}`; `contact.purged`
`{"contacts", "reason"}`; `contact.merged` `{"contacts": [duplicate], "survivor",
"duplicate"}`; `restore_job.finished`, `archive_job.finished`, `export.finished`,
`incident_revert.finished` `{"id", "number", "status", "finished_at", "counts"}`;
`webhook.test` `{"endpoint"}`. `contacts` holds at most 1,000 ids: a bulk change sends one
event per chunk."""
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
    disabled_reason: str
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
            "created_at": endpoint.created_at,
            "rotating_until": endpoint.previous_secret_expires_at,
        }


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="`whsec_…`: shown in this answer only.")


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
