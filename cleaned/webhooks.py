"""Bounce ingestion endpoints (C1, S5)."""
import json
import logging

from anymail.signals import tracking
from django.dispatch import receiver
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from contacts_app.api_auth import error_response
from contacts_app.errors import ServiceError
from contacts_app.models import Workspace

from .parsing import bounce_inputs
from .services import bounces
from .signing import signature_problem

log = logging.getLogger(__name__)


@csrf_exempt  # authenticated by HMAC signature, not by a session
@require_POST
def bounce_webhook(request):
    """POST /api/v1/bounces: signed with the workspace's webhook secret."""
    workspace = Workspace.objects.filter(slug=request.headers.get("X-Workspace", "")).first()
    problem = "Unknown workspace or bad signature." if workspace is None else signature_problem(
        secret=workspace.webhook_secret,
        timestamp=request.headers.get("X-Timestamp", ""),
        body=request.body,
        signature=request.headers.get("X-Signature", ""),
    )
    if problem:
        return error_response("unauthorized", problem, 401)
    try:
        try:
            payload = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return error_response("malformed", "The body is not valid JSON.", 400)
        if not isinstance(payload, dict):
            return error_response("malformed", "The body must be a JSON object with 'events'.", 400)
        events = bounce_inputs(payload.get("events"))
        result = bounces.bounces_apply(workspace=workspace, provider="generic", events=events, actor_label="webhook")
    except ServiceError as error:
        return error_response(error.code, error.detail, error.status)
    return JsonResponse({"accepted": result.accepted, "duplicates": result.duplicates}, status=202)


# anymail normalises each provider's events (after checking that provider's own
# signature or basic auth) and sends this signal. The workspace travels in the
# message metadata we attach when sending: {"workspace": "<slug>"}.
ANYMAIL_TYPES = {"bounced": "hard", "rejected": "hard", "deferred": "soft", "delivered": "delivered"}


@receiver(tracking)
def anymail_tracking(sender, event, esp_name, **kwargs):
    kind = ANYMAIL_TYPES.get(event.event_type)
    slug = (event.metadata or {}).get("workspace")
    if kind is None or not event.recipient:
        return
    workspace = Workspace.objects.filter(slug=slug).first() if slug else None
    if workspace is None:
        log.warning("%s %s event for an unknown workspace %r ignored", esp_name, event.event_type, slug)
        return
    event_id = event.event_id or f"{event.message_id}:{event.event_type}:{event.recipient}"
    bounces.bounces_apply(
        workspace=workspace,
        provider=esp_name.lower().replace(" ", "_"),
        events=[
            bounces.BounceInput(
                event_id=str(event_id)[:200],
                email=event.recipient,
                type=kind,
                occurred_at=event.timestamp or timezone.now(),
                reason=(event.description or event.mta_response or event.reject_reason or "")[:500],
            )
        ],
        actor_label=f"anymail:{esp_name}",
    )
