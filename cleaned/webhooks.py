"""Provider bounce webhooks (C1): anymail checks each provider's signature or basic
auth and normalises its events; this receiver applies them. (The signed generic
webhook is in `api.py`.)"""

import logging

from anymail.signals import tracking
from django.dispatch import receiver
from django.utils import timezone

from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import check_date
from contacts_app.models import Workspace

from .evidence import evidence_from_anymail, provider_key
from .models import BounceEvent, BounceSource
from .services import bounces

log = logging.getLogger(__name__)


def _fit(field: str, value: str) -> str:
    """A provider's own text, cut to its column (the provider wrote it, not a person)."""
    return value[: BounceEvent.limit(field)]


# anymail normalises each provider's events (after checking that provider's own
# signature or basic auth) and sends this signal. The workspace travels in the
# message metadata we attach when sending: {"workspace": "<slug>"}.
@receiver(tracking)
def anymail_tracking(sender, event, esp_name, **kwargs):
    evidence = evidence_from_anymail(esp_name=esp_name, event=event)  # C7: None when not a bounce
    slug = (event.metadata or {}).get("workspace")
    if evidence is None or not event.recipient:
        return
    workspace = Workspace.objects.filter(slug=slug).first() if slug else None
    if workspace is None:
        log.warning("%s %s event for an unknown workspace %r ignored", esp_name, event.event_type, slug)
        return
    occurred_at = event.timestamp or timezone.now()
    try:
        check_date(occurred_at, field="timestamp")  # S4: year 10000 would break every page showing it
    except InvalidInput:
        log.warning("%s %s event with an impossible date %r ignored", esp_name, event.event_type, event.timestamp)
        return
    event_id = event.event_id or f"{event.message_id}:{event.event_type}:{event.recipient}"
    bounces.bounces_apply(
        workspace=workspace,
        provider=provider_key(esp_name),
        events=[
            bounces.BounceInput(
                event_id=_fit("event_id", str(event_id)),
                email=event.recipient,
                type=evidence.label,
                occurred_at=occurred_at,
                reason=_fit("reason", event.description or event.reject_reason or ""),
                code=evidence.code,
                diagnostic=_fit("diagnostic", evidence.diagnostic),
                hint=evidence.hint,
                source=BounceSource.PROVIDER,
                reported_as=_fit("reported_as", evidence.reported_as),
            )
        ],
        actor_label=f"anymail:{esp_name}",
    )
