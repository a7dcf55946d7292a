"""C7: the evidence of one provider event as anymail normalised it, read from the
normalised fields (`mta_response`, `description`, `reject_reason`) and, where anymail
leaves them in the raw payload only, from that payload (SES `bounceSubType` and each
recipient's `status`/`diagnosticCode`, Postmark `Type`, SendGrid `status`, Mailgun
`delivery-status`). Returns None for an event that is not a bounce."""

from dataclasses import dataclass

from .classification import BounceClass, code_in
from .models import BounceType


@dataclass(frozen=True)
class Evidence:
    label: str  # hard / soft / delivered: what the source's own words mean
    reported_as: str  # the source's words, shown in the history ("rejected: blocked")
    code: str = ""
    diagnostic: str = ""
    hint: BounceClass | None = None


# anymail RejectReason of a `rejected` event → (label, hint); None: not a bounce.
REJECT_REASONS = {
    "invalid": (BounceType.HARD, BounceClass.ADDRESS_GONE),
    "bounced": (BounceType.HARD, None),
    "blocked": (BounceType.SOFT, BounceClass.BLOCKED),
    "timed_out": (BounceType.SOFT, BounceClass.TEMPORARY),
    "spam": None,
    "unsubscribed": None,
    "other": (BounceType.SOFT, None),
}
SES_SUBTYPES = {
    "NoEmail": BounceClass.ADDRESS_GONE,
    "Suppressed": BounceClass.ADDRESS_GONE,
    "OnAccountSuppressionList": BounceClass.ADDRESS_GONE,
    "MailboxFull": BounceClass.MAILBOX_FULL,
    "MessageTooLarge": BounceClass.TEMPORARY,
    "ContentRejected": BounceClass.BLOCKED,
    "AttachmentRejected": BounceClass.BLOCKED,
}
POSTMARK_TYPES = {  # anymail calls all of these "bounced"
    "HardBounce": (BounceType.HARD, None),
    "SoftBounce": (BounceType.SOFT, None),
    "VirusNotification": (BounceType.SOFT, BounceClass.BLOCKED),
}


def provider_key(esp_name: str) -> str:
    """The provider as stored and compared: anymail's name in lower case, spaces as
    underscores ("Amazon SES" → "amazon_ses")."""
    return esp_name.lower().replace(" ", "_")


def _dict(value) -> dict:
    """A part of a provider's raw payload, when it is the object it should be (S4: a
    list or a string where an object belongs reads as nothing, never as a crash)."""
    return value if isinstance(value, dict) else {}


def _str(value) -> str:
    return value if isinstance(value, str) else "" if value is None else str(value)


def _provider_details(esp_name: str, event) -> tuple[str, str, BounceClass | None, str | None]:
    """(code, diagnostic, hint, label override) found in the raw payload."""
    raw = _dict(getattr(event, "esp_event", None))
    name = provider_key(esp_name)
    if name == "amazon_ses":
        bounce = _dict(raw.get("bounce"))
        recipients = bounce.get("bouncedRecipients")
        for r in map(_dict, recipients if isinstance(recipients, list) else []):
            if _str(r.get("emailAddress")).lower() == (event.recipient or "").lower():
                label = {"Permanent": BounceType.HARD, "Transient": BounceType.SOFT}.get(_str(bounce.get("bounceType")))
                return (
                    _str(r.get("status")),
                    _str(r.get("diagnosticCode")),
                    SES_SUBTYPES.get(_str(bounce.get("bounceSubType"))),
                    label,
                )
    if name == "postmark":
        label, hint = POSTMARK_TYPES.get(_str(raw.get("Type")), (None, None))
        return "", "", hint, label
    if name == "sendgrid":
        return _str(raw.get("status")), "", None, None
    if name == "mailgun":
        status = _dict(_dict(raw.get("event-data")).get("delivery-status"))
        return (
            _str(status.get("enhanced-code")),
            _str(status.get("message") or status.get("description")),
            None,
            None,
        )
    return "", "", None, None


def evidence_from_anymail(*, esp_name: str, event) -> Evidence | None:
    kind = event.event_type
    if kind == "delivered":
        return Evidence(label=BounceType.DELIVERED, reported_as="delivered")
    if kind == "bounced":
        label, reported = BounceType.HARD, "bounced"
    elif kind == "rejected":
        reason = event.reject_reason or "other"
        mapped = REJECT_REASONS.get(reason, REJECT_REASONS["other"])
        if mapped is None:
            return None  # unsubscribed or spam: a choice of the person, not a bounce
        label, reported = mapped[0], f"rejected: {reason}"
    else:
        return None  # deferred (still retrying), complained, opened…: not bounces
    raw_code, raw_diagnostic, hint, label_override = _provider_details(esp_name, event)
    if kind == "rejected" and mapped[1] is not None:
        hint = hint or mapped[1]
    diagnostic = event.mta_response or raw_diagnostic or ""
    code = code_in(raw_code) or code_in(diagnostic, event.description)
    return Evidence(
        label=label_override or label,
        reported_as=reported if not label_override else f"{reported} ({label_override})",
        code=code,
        diagnostic=diagnostic or (event.description or ""),
        hint=hint,
    )
