"""Typed request and response bodies of the JSON API that more than one app uses: the
error envelope, ids, text, the contact filter and the contact. Constraints live here
so the OpenAPI document states them (lengths, ranges, formats) and the same checks of
`hygiene.py` refuse what the pages and webhooks refuse."""

import re
from datetime import date, datetime
from typing import Annotated, Literal

from django.core.paginator import Paginator
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import AfterValidator, BeforeValidator, ConfigDict, Field

from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import (
    DATE_PATTERN,
    EARLIEST,
    EMAIL_PATTERN,
    LATEST,
    MAX_ID,
    NON_BLANK_PATTERN,
    parse_positive_int,
    text_problem,
)
from contacts_app.lifecycle import restorable_from, restorable_until
from contacts_app.models import Contact, ContactStatus, EmailStatus


class Error(Schema):
    """Every answer that is not 2xx."""

    error: str = Field(description="A stable code to branch on, in English (e.g. `job_in_progress`).")
    detail: str = Field(description="A sentence for a person.")


def errors(*statuses: int) -> dict[int, type[Error]]:
    """The error answers an operation documents (401 and 429 go with every token call)."""
    return {status: Error for status in statuses}


def _clean(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(f"this text {problem}")
    return value


_TEXT_CHARACTER = r"[^\x00-\x1F\x7F-\x9F]"  # anything but a C0 or C1 control character
NO_CONTROL_CHARACTERS = rf"^{_TEXT_CHARACTER}*$"


def Text(max_length: int, **kwargs):
    """A single line of text that fits its column: no control characters or unpaired
    surrogates, never cut."""
    kwargs.setdefault("pattern", NO_CONTROL_CHARACTERS)
    return Annotated[str, Field(max_length=max_length, **kwargs), AfterValidator(_clean)]


# An address exactly as the server accepts it (lib/hygiene.EMAIL_PATTERN, the service's
# own check), answered 400 invalid_email.
Email = Text(254, pattern=EMAIL_PATTERN)


def Reason(max_length: int, **kwargs):
    """A typed reason: not blank (a space alone is no reason), never cut."""
    return Text(max_length, pattern=NON_BLANK_PATTERN, **kwargs)


def _json_integer(value):
    """A JSON integer (1 and 1.0 alike), never a string or a boolean."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("must be an integer")
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("must be an integer")
        return int(value)
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID, description="A positive 64-bit id."), BeforeValidator(_json_integer)]


def _query_integer(value):
    """An id in a query string: ASCII digits only (the one parser, lib/hygiene)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    parsed = parse_positive_int(value) if isinstance(value, str) else None
    if parsed is None:
        raise ValueError("must be a positive integer written with the digits 0-9")
    return parsed


QueryId = Annotated[int, Field(ge=1, le=MAX_ID, description="A positive 64-bit id."), BeforeValidator(_query_integer)]
IdList = Annotated[list[Id], Field(min_length=1, max_length=200_000)]


def _iso_date(value):
    """YYYY-MM-DD only (pydantic would also read 0 as 1970-01-01)."""
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise ValueError("must be a date written YYYY-MM-DD")
    return value


SaneDate = Annotated[
    date,
    Field(
        ge=EARLIEST,
        lt=LATEST,
        description=f"YYYY-MM-DD, from {EARLIEST} to before {LATEST}.",
        json_schema_extra={"pattern": DATE_PATTERN},  # pydantic states no bounds for a date
    ),
    BeforeValidator(_iso_date),
]


def validation_detail(problems: list[dict]) -> tuple[str, str]:
    """One sentence naming each bad field, and a code: `invalid_filter` when only the
    query string was wrong, `invalid_email` when only an address was, as the API
    answered before its schemas were typed; else `invalid`."""
    parts, sources, fields = [], set(), set()
    for problem in problems[:10]:
        loc = [str(p) for p in problem.get("loc", ()) if p not in ("body", "query", "payload", "filters", "path")]
        sources.add(str(problem.get("loc", ("",))[0]))
        fields.add(loc[-1] if loc else "")
        message = str(problem.get("msg", "is not valid")).removeprefix("Value error, ")
        if problem.get("type") == "string_pattern_mismatch":  # the pattern itself helps no one (it is in the schema)
            pattern = str((problem.get("ctx") or {}).get("pattern", ""))
            message = "must not be blank" if pattern == NON_BLANK_PATTERN else "is not in the expected form"
            if loc and loc[-1] in ("email", "address", "addresses") or (len(loc) > 1 and loc[-2] == "addresses"):
                message = "is not a valid email address"
        parts.append(f"{'.'.join(loc) or 'body'}: {message}")
    code = "invalid_filter" if sources == {"query"} else "invalid_email" if fields == {"email"} else "invalid"
    return code, "Some values are not valid — " + "; ".join(parts) + "."


Restorability = Literal["yes", "frozen", "expiring", "expired", "merged"]


class ContactFilterIn(Schema):
    """The contact filter of the lists, select-all and exports (one definition:
    `contacts_app.filters.ContactFilter`)."""

    model_config = ConfigDict(extra="forbid")

    status: Literal["active", "archived", "merged"] | None = None
    email_status: Literal["ok", "cleaned"] | None = None
    q: Text(200) | None = Field(None, description="Part of a name or an email.")
    archived_after: SaneDate | None = None
    archived_before: SaneDate | None = None
    restorable: Restorability | None = None
    list: Id | None = Field(None, description="Is (or, archived, was) on this list.")
    tag: Id | None = Field(None, description="Has (or, archived, had) this tag.")
    account: Id | None = Field(None, description="Is (or, archived, was) at this account.")

    def as_params(self) -> dict[str, str]:
        return {
            k: (v.isoformat() if isinstance(v, date) else str(v)) for k, v in self.model_dump(exclude_none=True).items()
        }


class ContactOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    status: Literal["active", "archived", "merged"]
    email_status: Literal["ok", "cleaned"]
    created_at: datetime
    archived_at: datetime | None
    restorable_from: datetime | None = Field(
        description="R1: from when a manual restore is allowed (archived contacts)."
    )
    restorable_until: datetime | None = Field(description="R2: until when it can be restored; it is purged then.")
    merged_into: int | None

    @staticmethod
    def from_contact(c: Contact) -> dict:
        archived = c.status == ContactStatus.ARCHIVED
        return {
            "id": c.id,
            "email": c.email,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "status": c.status,
            "email_status": c.email_status or EmailStatus.OK,
            "created_at": c.created_at,
            "archived_at": c.archived_at,
            "restorable_from": restorable_from(c.archived_at) if archived else None,
            "restorable_until": restorable_until(c.archived_at) if archived else None,
            "merged_into": c.merged_into_id,
        }


def api_page(request, queryset, *, number: int, size: int):
    """A page of `size` rows of `queryset` and the next page's URL (None on the last);
    a page past the end is refused (S4) with the last page's number."""
    paginator = Paginator(queryset, size)
    last = max(paginator.num_pages, 1)
    if number > last:
        raise InvalidInput(
            _("There is no page %(n)s: the last is %(last)s.") % {"n": number, "last": last}, code="invalid_page"
        )
    page = paginator.page(number)
    next_url = None
    if page.has_next():
        params = request.GET.copy()
        params["page"] = str(number + 1)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return page, next_url
