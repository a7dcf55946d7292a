"""Provider bounce webhooks (C1, S4, S5): anymail checks each provider's signature or
basic auth and normalises its events; this module reads each event before anything is
applied and answers for it. (The signed generic webhook is in `api.py`.)

What a provider is answered (written in docs/decisions.md):
- a request whose body is not the provider's shape at all (not JSON, a SendGrid body
  that is not a list, an SES body that is not SNS, JSON nested past Python's limit) is
  400 `malformed_payload` and changes nothing;
- inside a readable request, each event is read alone: one that cannot be applied (a
  numeric or over-long recipient, metadata that is not an object, a date outside
  1970–2100 or not a date, text fields that are not text…) is refused alone, and the
  others are applied once (a redelivery finds them as duplicates). The answer is 200
  with `{"accepted", "ignored", "refused": [{"index", "detail"}]}`: redelivering a
  refused event could never make it valid, so the provider is not asked to retry.
"""

import hashlib
import json
import logging
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

import anymail.urls
from anymail.exceptions import AnymailConfigurationError, AnymailError, AnymailWebhookValidationFailure
from anymail.signals import tracking
from anymail.utils import get_request_basic_auth
from django.conf import settings
from django.dispatch import receiver
from django.http import JsonResponse
from django.urls import re_path
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from contacts_app.api.throttling import BounceWebhookThrottle, WebhookCredentialFailures
from contacts_app.lib.addresses import normalize_email
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import aware, check_date, text_problem
from contacts_app.models import Workspace

from .evidence import evidence_from_anymail, provider_key
from .models import BounceEvent, BounceSource
from .services import bounces

log = logging.getLogger(__name__)

# What anymail's parsers raise on a payload they cannot read. They are third-party code
# fed by the outside world, so every way they fail on data is named here; anything
# else (the database, a bug of ours) stays a 500, which providers retry.
UNREADABLE = (
    AnymailError,
    AnymailConfigurationError,  # e.g. an SES "Received" (inbound) notification on the tracking address
    ValueError,
    TypeError,
    LookupError,  # KeyError, IndexError, and an unknown charset
    AttributeError,
    OverflowError,
    OSError,  # fromtimestamp(1e20) on Linux: "Value too large"
    RecursionError,
)
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")
BATCH_PROVIDERS = {"SendGrid"}  # a JSON list of events per request; the others post one event (SES: one message)
# Providers whose one notification (one event id) names several recipients: anymail
# gives each recipient's event the SNS MessageId.
SHARED_EVENT_IDS = {"amazon_ses"}
# Bodies anymail reads itself: Mailgun's legacy form posts, SNS's text/plain JSON.
FORM_OR_TEXT_BODIES = {"Mailgun", "Amazon SES"}
_current_outcome: ContextVar["Outcome | None"] = ContextVar("provider_webhook_outcome", default=None)


class MalformedPayload(Exception):
    """The request's body is not the provider's shape: nothing in it can be read."""


def _fit(field: str, value: str) -> str:
    """A provider's own text, cut to its column (the provider wrote it, not a person),
    with control characters (NUL included, which PostgreSQL refuses) made spaces."""
    if text_problem(value, multiline=True):
        value = "".join(" " if text_problem(ch, multiline=True) else ch for ch in value)
    return value[: BounceEvent.limit(field)]


def _text(event, attribute: str, label: str) -> str:
    value = getattr(event, attribute, None)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"'{label}' must be text, not {type(value).__name__}.", code="invalid_event")
    return value


def provider_bounce(*, esp_name: str, event) -> tuple[Workspace, bounces.BounceInput] | None:
    """S4: one provider event as anymail normalised it, read field by field: the
    workspace and the bounce to apply; None when the event is not a bounce (C7: a
    delivery counts, an open does not) or names no workspace of ours; InvalidInput,
    naming the field, when it cannot be applied as sent."""
    if not isinstance(event.recipient, str | None):
        raise InvalidInput(f"'recipient' must be text, not {type(event.recipient).__name__}.", code="invalid_event")
    for attribute, label in (("description", "description"), ("mta_response", "mta_response")):
        _text(event, attribute, label)
    reject_reason = _text(event, "reject_reason", "reject_reason")
    evidence = evidence_from_anymail(esp_name=esp_name, event=event)
    if evidence is None or not event.recipient:
        return None
    metadata = event.metadata if event.metadata is not None else {}
    if not isinstance(metadata, dict):
        raise InvalidInput("'metadata' must be an object (ours carries {\"workspace\": slug}).", code="invalid_event")
    slug = metadata.get("workspace")
    if slug is None:
        return None
    if not isinstance(slug, str) or not SLUG.fullmatch(slug):
        raise InvalidInput("'metadata.workspace' is not a workspace slug.", code="invalid_event")
    email = normalize_email(event.recipient)  # S4: an address, whole, or refused
    occurred_at = event.timestamp or timezone.now()
    if not isinstance(occurred_at, datetime):
        raise InvalidInput("'timestamp' must be a date and time.", code="invalid_event")
    occurred_at = aware(check_date(occurred_at, field="timestamp"))  # S4: year 10000 would break every page showing it
    workspace = Workspace.objects.filter(slug=slug).first()
    if workspace is None:
        log.info("%s %s event for an unknown workspace %r ignored", esp_name, event.event_type, slug)
        return None
    event_id = event.event_id or f"{event.message_id}:{event.event_type}:{email}"
    if provider_key(esp_name) in SHARED_EVENT_IDS:
        # one id per recipient (or recipients 2…n are "duplicates"); a digest, so that a
        # long address is not cut off the column's end
        event_id = f"{event_id}:{hashlib.sha256(email.lower().encode()).hexdigest()[:24]}"
    return workspace, bounces.BounceInput(
        event_id=_fit("event_id", str(event_id)),
        email=email,
        type=evidence.label,
        occurred_at=occurred_at,
        reason=_fit("reason", _text(event, "description", "description") or reject_reason),
        code=evidence.code,
        diagnostic=_fit("diagnostic", evidence.diagnostic),
        hint=evidence.hint,
        source=BounceSource.PROVIDER,
        reported_as=_fit("reported_as", evidence.reported_as),
    )


# anymail sends this signal for each event its view parsed (after checking that
# provider's own signature or basic auth). The workspace travels in the message
# metadata we attach when sending: {"workspace": "<slug>"}.
@receiver(tracking)
def anymail_tracking(sender, event, esp_name, **kwargs):
    # ReadEachEvent has read it already (a workspace lookup each): not read twice.
    found = event.crm_read if hasattr(event, "crm_read") else provider_bounce(esp_name=esp_name, event=event)
    if found is None:
        return
    workspace, bounce = found
    result = bounces.bounces_apply(
        workspace=workspace, provider=provider_key(esp_name), events=[bounce], actor_label=f"anymail:{esp_name}"
    )
    outcome = _current_outcome.get()
    if outcome is not None:  # the request's answer says what was applied now
        outcome.accepted += result.accepted
        outcome.duplicates += result.duplicates
        outcome.suppressed += result.suppressed


@dataclass
class Outcome:
    accepted: int = 0  # applied by this request
    duplicates: int = 0  # already received (a redelivery)
    suppressed: int = 0  # G2: for an address on the suppression list, not recorded
    ignored: int = 0  # not bounces, or for no workspace of ours
    refused: list[dict] = field(default_factory=list)

    def refuse(self, index: int, detail: str) -> None:
        self.refused.append({"index": index, "detail": detail})


def _json_body(request, expected: type):
    try:
        body = json.loads(request.body.decode("utf-8"))
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise MalformedPayload(f"The body is not JSON ({exc.__class__.__name__}).") from None
    if not isinstance(body, expected):
        raise MalformedPayload(f"The body must be a JSON {'list' if expected is list else 'object'}.")
    return body


class ReadEachEvent:
    """Mixed in before each configured provider's anymail tracking view: reads the body
    once, parses and checks each event alone, lets anymail's own post send the signal
    for the good ones, and answers with the outcome."""

    def post(self, request, *args, **kwargs):
        """S7: calls are throttled per client address like the signed webhook; an
        address that keeps failing the provider's credentials is refused for a while
        (the shared secret cannot be guessed at 100 tries a second)."""
        failures = WebhookCredentialFailures()
        if failures.used(request) >= settings.WEBHOOK_CREDENTIAL_FAILURES or not BounceWebhookThrottle().allow_request(
            request
        ):
            return _answer(429, "throttled", "Too many requests from this address; retry later.", retry_after=60)
        self.outcome = Outcome()
        token = _current_outcome.set(self.outcome)
        try:
            response = super().post(request, *args, **kwargs)
        except AnymailWebhookValidationFailure as exc:
            if not self._basic_auth_ok(request):  # a guess at the shared secret: counted
                failures.allow_request(request)
                return _answer(400, "invalid_credentials", f"The basic auth of the {self.esp_name} webhook is wrong.")
            # The right basic auth, but the provider's own check failed (a signature, a
            # body that is not the provider's): not a guess, so not counted.
            return _answer(400, "invalid_signature", f"The {self.esp_name} request does not pass its check: {exc}")
        except MalformedPayload as exc:
            return _malformed(str(exc))
        except UNREADABLE as exc:  # a validator that reads the body (SES's SNS check)
            return _malformed(f"The body is not a {self.esp_name} payload ({exc.__class__.__name__}).")
        finally:
            _current_outcome.reset(token)
        if response.status_code != 200:
            return response  # SES's 401 challenge
        if self.outcome.refused:
            log.warning("%s webhook: %s event(s) refused: %s", self.esp_name, len(self.outcome.refused), self.outcome)
        return JsonResponse(self.outcome.__dict__)

    def _basic_auth_ok(self, request) -> bool:
        sent = get_request_basic_auth(request)
        return bool(sent) and any(constant_time_compare(sent, allowed) for allowed in self.basic_auth or [])

    def parse_events(self, request):
        if self.esp_name in BATCH_PROVIDERS:
            items = _json_body(request, list)
            groups = [(i, lambda item=item: [self.esp_to_anymail_event(item)]) for i, item in enumerate(items)]
        else:
            if request.content_type == "application/json" or self.esp_name not in FORM_OR_TEXT_BODIES:
                _json_body(request, dict)
            groups = [(0, lambda: super(ReadEachEvent, self).parse_events(request))]
        kept = []
        for index, parse in groups:
            try:
                events = parse()
            except UNREADABLE as exc:
                self.outcome.refuse(index, f"The event cannot be read ({exc.__class__.__name__}: {exc}).")
                continue
            for event in events:
                try:
                    found = provider_bounce(esp_name=self.esp_name, event=event)
                except InvalidInput as exc:
                    self.outcome.refuse(index, exc.detail)
                    continue
                if found is None:
                    self.outcome.ignored += 1
                else:
                    event.crm_read = found  # the receiver applies it as read here, and counts it
                    kept.append(event)
        return kept


def _answer(status: int, error: str, detail: str, *, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse({"error": error, "detail": detail}, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def _malformed(detail: str) -> JsonResponse:
    return _answer(400, "malformed_payload", detail)


def tracking_urlpatterns(providers: list[str]) -> list:
    """The tracking webhooks of the configured providers only (any other provider's
    address is a plain 404: an unconfigured one would fail loudly), each view with
    `ReadEachEvent` mixed in."""
    patterns = []
    for p in anymail.urls.urlpatterns:
        route = str(p.pattern)
        if not route.endswith("/tracking/") or route.split("/")[0] not in providers:
            continue
        base = p.callback.view_class
        view = type(f"Read{base.__name__}", (ReadEachEvent, base), {})
        patterns.append(re_path(f"^{re.escape(route)}$", view.as_view(), name=p.name))
    return patterns
