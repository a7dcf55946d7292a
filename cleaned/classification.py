"""C7: what a bounce means, decided by its evidence. One table, one module.

An event arrives with a *label* from its source (the signed webhook's `type`, a
file's column, anymail's normalised event type and reject reason) and, when the
source gives them, an RFC 3463 enhanced status code and the SMTP diagnostic. The
code decides the class when there is one; a provider's own sub-type (SES
`bounceSubType`, Postmark `Type`) decides it when there is no code; with neither,
the label keeps its meaning. The class decides the effect: clean at once, count
toward the soft-bounce streak, or reset the streak (a delivery). Events that are not
bounces at all (anymail's `deferred`: the provider is still retrying; a rejection
because the address unsubscribed or complained) are not recorded.
docs/decisions.md lists the codes and the reasons."""

import re
from enum import Enum

from .models import BounceClass, BounceType

CODE_RE = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")


class Effect(Enum):
    CLEAN = "clean"  # cleans the address at once
    SOFT = "soft"  # one more in the soft-bounce streak
    RESET = "reset"  # a delivery: the streak starts over


# The table (C7). First match wins; `x` is any number.
CODE_TABLE: list[tuple[str, BounceClass]] = [
    ("5.2.2", BounceClass.MAILBOX_FULL),  # mailbox full (permanent wording, temporary fact)
    ("4.2.2", BounceClass.MAILBOX_FULL),
    ("5.2.1", BounceClass.ADDRESS_GONE),  # mailbox disabled
    ("5.1.x", BounceClass.ADDRESS_GONE),  # bad mailbox, bad domain, 5.1.10 null MX…
    ("5.7.x", BounceClass.BLOCKED),  # policy, spam, reputation, authentication
    ("4.7.x", BounceClass.BLOCKED),
    ("4.x.x", BounceClass.TEMPORARY),  # every other temporary failure
]

EFFECTS = {
    BounceClass.ADDRESS_GONE: Effect.CLEAN,
    BounceClass.MAILBOX_FULL: Effect.SOFT,
    BounceClass.BLOCKED: Effect.SOFT,
    BounceClass.TEMPORARY: Effect.SOFT,
    BounceClass.DELIVERED: Effect.RESET,
}
LABEL_EFFECTS = {BounceType.HARD: Effect.CLEAN, BounceType.SOFT: Effect.SOFT, BounceType.DELIVERED: Effect.RESET}
EFFECT_TYPES = {Effect.CLEAN: BounceType.HARD, Effect.SOFT: BounceType.SOFT, Effect.RESET: BounceType.DELIVERED}


def code_in(*texts: str | None) -> str:
    """The first enhanced status code (x.y.z) written in any of these texts, or ""."""
    for text in texts:
        match = CODE_RE.search(text or "")
        if match:
            return ".".join(match.groups())
    return ""


def code_class(code: str) -> BounceClass | None:
    parts = code.split(".")
    if len(parts) != 3:
        return None
    for pattern, cls in CODE_TABLE:
        if all(p in ("x", c) for p, c in zip(pattern.split("."), parts, strict=True)):
            return cls
    return None


def bounce_classify(*, label: str, code: str = "", hint: BounceClass | None = None) -> tuple[BounceClass, str]:
    """C7: (class, effective type) of one event. The effective type is what the
    streak logic reads: hard cleans at once, soft counts, delivered resets."""
    if label == BounceType.DELIVERED:
        return BounceClass.DELIVERED, BounceType.DELIVERED
    cls = code_class(code) if code else None
    cls = cls or hint or BounceClass.UNDETERMINED
    effect = EFFECTS.get(cls) or LABEL_EFFECTS[BounceType(label)]
    return cls, EFFECT_TYPES[effect]
