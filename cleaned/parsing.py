"""Turn external bounce payloads into BounceInput, rejecting the whole batch on the
first malformed event (nothing is written for a malformed payload)."""
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from contacts_app.errors import InvalidInput

from .models import BounceType
from .services.bounces import MAX_EVENTS_PER_BATCH, BounceInput


def _when(value, where: str) -> datetime:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None:
        raise InvalidInput(f"{where}: 'occurred_at' must be an ISO 8601 date and time.", code="malformed")
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed, timezone.utc)


def bounce_inputs(raw_events) -> list[BounceInput]:
    if not isinstance(raw_events, list) or not raw_events:
        raise InvalidInput("'events' must be a non-empty list.", code="malformed")
    if len(raw_events) > MAX_EVENTS_PER_BATCH:
        raise InvalidInput(f"At most {MAX_EVENTS_PER_BATCH:,} events per request.", code="malformed")
    out = []
    for i, e in enumerate(raw_events):
        where = f"event {i}"
        if not isinstance(e, dict):
            raise InvalidInput(f"{where}: must be an object.", code="malformed")
        event_id, email, kind, reason = e.get("id"), e.get("email"), e.get("type"), e.get("reason", "")
        if not isinstance(event_id, str) or not event_id.strip() or len(event_id) > 200:
            raise InvalidInput(f"{where}: 'id' must be a non-empty string of at most 200 characters.", code="malformed")
        if not isinstance(email, str) or "@" not in email or len(email) > 254:
            raise InvalidInput(f"{where}: 'email' must be an email address.", code="malformed")
        if kind not in BounceType.values:
            raise InvalidInput(f"{where}: 'type' must be one of hard, soft, delivered.", code="malformed")
        if not isinstance(reason, str):
            raise InvalidInput(f"{where}: 'reason' must be a string.", code="malformed")
        out.append(BounceInput(event_id=event_id.strip(), email=email.strip(), type=kind, occurred_at=_when(e.get("occurred_at"), where), reason=reason))
    return out
