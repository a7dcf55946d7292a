"""Bounce payloads from outside (the signed webhook's body, `import_bounces` rows) into
BounceInput: one typed definition, also published in the OpenAPI document. A batch is
refused whole on its first bad event (nothing is written for a malformed payload)."""

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from contacts_app.api.schemas import Email, Text
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import DATETIME_PATTERN, EARLIEST, LATEST, NON_BLANK_PATTERN, aware, check_date

from .classification import code_in
from .models import BounceEvent, BounceSource, BounceType
from .services.bounces import MAX_EVENTS_PER_BATCH, BounceInput


def _iso_datetime(value):
    """ISO 8601 text as the document's pattern says (pydantic alone would also read a
    number of seconds)."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(DATETIME_PATTERN, value):
        raise ValueError(
            f"must be an ISO 8601 date and time (YYYY-MM-DDTHH:MM[:SS][zone]) from {EARLIEST} to before {LATEST}"
        )
    return value


def _sane(value: datetime) -> datetime:
    try:
        check_date(value, field="occurred_at")
    except InvalidInput as error:
        raise ValueError(error.detail) from None
    return aware(value)


class BounceEventIn(BaseModel):
    """One event from a sending provider."""

    model_config = ConfigDict(extra="ignore")

    id: Text(
        BounceEvent.limit("event_id"),
        pattern=NON_BLANK_PATTERN,
        description="The provider's event id; a repeated id is a duplicate.",
    )
    email: Email
    type: Literal["hard", "soft", "delivered"]
    occurred_at: Annotated[datetime, BeforeValidator(_iso_datetime), AfterValidator(_sane)] = Field(
        description=f"ISO 8601, from {EARLIEST} to before {LATEST}; without a zone, UTC.",
        json_schema_extra={"pattern": DATETIME_PATTERN},
    )
    reason: Text(BounceEvent.limit("reason")) = ""
    code: Text(BounceEvent.limit("code"), pattern=r"^[245]\.[0-9]{1,3}\.[0-9]{1,3}$") | None = Field(
        None, description="RFC 3463 enhanced status code, x.y.z."
    )
    diagnostic: Text(BounceEvent.limit("diagnostic")) | None = Field(None, description="The SMTP diagnostic text.")


OPTIONAL = ("code", "diagnostic")


class BounceBatchIn(BaseModel):
    model_config = ConfigDict(extra="ignore")

    events: list[BounceEventIn] = Field(min_length=1, max_length=MAX_EVENTS_PER_BATCH)


def _malformed(error: ValidationError) -> InvalidInput:
    """The first problem, in words: "event 3: 'type' must be one of hard, soft, delivered."."""
    problem = error.errors(include_url=False)[0]
    if problem["type"] == "json_invalid":
        return InvalidInput("The body is not valid JSON.", code="malformed")
    loc = list(problem["loc"])
    where = f"event {loc[1]}: " if loc[:1] == ["events"] and len(loc) > 2 else ""
    field = str(loc[-1]) if loc else "body"
    if problem["type"] == "literal_error":
        message = f"'{field}' must be one of {', '.join(BounceType.values)}"
    else:
        said = problem["msg"].removeprefix("Value error, ").removeprefix(f"'{field}' ")
        message = f"'{field}' {said[:1].lower()}{said[1:]}"  # the pattern it quotes kept as it is
    return InvalidInput(f"{where}{message}.", code="malformed")


def _inputs(batch: BounceBatchIn, source: str) -> list[BounceInput]:
    """C7: the code as given, else one written in the diagnostic ("550 5.1.1 …")."""
    return [
        BounceInput(
            event_id=e.id.strip(),
            email=e.email.strip(),
            type=BounceType(e.type),
            occurred_at=e.occurred_at,
            reason=e.reason,
            code=e.code or code_in(e.diagnostic, e.reason),
            diagnostic=e.diagnostic or "",
            source=source,
            reported_as=e.type,
        )
        for e in batch.events
    ]


def bounce_inputs_from_json(body: bytes) -> list[BounceInput]:
    """The signed webhook's raw body (validated as JSON, so a deeply nested or
    non-UTF-8 body is a clean 400)."""
    try:
        return _inputs(BounceBatchIn.model_validate_json(body), BounceSource.SIGNED)
    except ValidationError as error:
        raise _malformed(error) from None


def bounce_inputs(raw_events) -> list[BounceInput]:
    """Events already read from a file (`import_bounces`): an empty optional column
    (a CSV without a code) is no value."""
    if isinstance(raw_events, list):
        raw_events = [
            {k: v for k, v in e.items() if v != "" or k not in OPTIONAL} if isinstance(e, dict) else e
            for e in raw_events
        ]
    try:
        return _inputs(BounceBatchIn.model_validate({"events": raw_events}), BounceSource.FILE)
    except ValidationError as error:
        raise _malformed(error) from None
