"""S4 in one place: what any text, id or date coming from outside must satisfy before
a service sees it. The API's schemas, the page forms and filters, the webhooks and
`import_bounces` all call these, so a value is refused the same way everywhere —
with a sentence naming the field — and never silently cut or stored broken."""

import re
import unicodedata
from datetime import UTC, date, datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.i18n import num

MAX_ID = 2**63 - 1  # PostgreSQL bigint
# Dates a person or a provider can mean. Outside this, arithmetic on them (a day added,
# a time zone applied) overflows Python's calendar; they are refused at the edge.
EARLIEST = date(1970, 1, 1)
LATEST = date(2100, 1, 1)
_DIGITS = re.compile(r"[0-9]+")

# S4: the addresses the product accepts, written once for the server and the OpenAPI
# document (so the document states exactly what is accepted): a dot-atom local part
# and a host name of letters, digits and hyphens with a top-level label that starts
# with a letter. No quoted local parts, address literals or non-ASCII host names (write
# them in punycode, xn--…): decisions.md.
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_TOP_LABEL = r"[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])"
EMAIL_PATTERN = rf"^{_ATOM}(?:\.{_ATOM})*@(?:{_LABEL}\.)+{_TOP_LABEL}$"
# Text with at least one character that is neither a control character nor a space
# (the spaces Python's str.strip removes, and U+FEFF), named one by one so that every
# regular-expression engine reading the document agrees with the server.
SPACE_CHARACTERS = (
    " \u00a0\u1680"
    + "".join(map(chr, range(0x2000, 0x200B)))
    + "\u2028\u2029\u202f\u205f\u3000\ufeff"
    # and what shows as nothing: zero-width and blank characters
    + "\u115f\u1160\u180e\u200b\u200c\u200d\u2060\u2800\u3164\uffa0"
)
_NOT_TEXT = r"\x00-\x1F\x7F-\x9F"
# What shows as nothing on its own: format characters (bidi marks, soft hyphen, joiners,
# tags), combining marks with nothing to sit on, separators, controls.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Mn", "Me", "Zs", "Zl", "Zp"})


def _invisible_ranges() -> str:
    """A regex class body of the invisible characters of the Basic Multilingual Plane
    (the document's pattern; past it, is_blank alone decides: decisions.md)."""
    points = [
        cp
        for cp in range(0x10000)
        if not 0xD800 <= cp <= 0xDFFF
        and (unicodedata.category(chr(cp)) in INVISIBLE_CATEGORIES or chr(cp) in SPACE_CHARACTERS)
    ]
    ranges, start, prev = [], points[0], points[0]
    for cp in points[1:] + [None]:
        if cp is not None and cp == prev + 1:
            prev = cp
            continue
        ranges.append(f"\\u{start:04X}" if start == prev else f"\\u{start:04X}-\\u{prev:04X}")
        if cp is not None:
            start = prev = cp
    return "".join(ranges)


NON_BLANK_PATTERN = rf"^[^{_NOT_TEXT}]*[^{_NOT_TEXT}{_invisible_ranges()}][^{_NOT_TEXT}]*$"
# A date between EARLIEST and LATEST, as the document can say it: years 1970 to 2099.
DATE_PATTERN = r"^(?:19[7-9][0-9]|20[0-9]{2})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"
DATETIME_PATTERN = (
    DATE_PATTERN[:-1]
    + r"T(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,6})?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])?$"
)


def is_email(value: str) -> bool:
    return isinstance(value, str) and len(value) <= 254 and re.fullmatch(EMAIL_PATTERN, value) is not None


def is_blank(value: str) -> bool:
    """Nothing that shows: spaces, line breaks, controls, format characters, lone
    combining marks (NON_BLANK_PATTERN says the same for one line)."""
    return all(ch in SPACE_CHARACTERS or unicodedata.category(ch) in INVISIBLE_CATEGORIES for ch in value)


def text_problem(value: str, *, max_length: int | None = None, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as text, or None. Control characters (tab and
    line breaks only where `multiline`), unpaired surrogates and values longer than
    their column are refused."""
    if max_length is not None and len(value) > max_length:
        return _("is %(length)s characters long; at most %(max)s are allowed") % {
            "length": num(len(value)),
            "max": num(max_length),
        }
    allowed = "\t\n\r" if multiline else ""
    for ch in value:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return _("contains an invalid character (an unpaired surrogate)")
        if unicodedata.category(ch) == "Cc" and ch not in allowed:
            return _("contains a control character (U+%(code)s)") % {"code": f"{ord(ch):04X}"}
    return None


def clean_text(value: str, *, field: str, max_length: int | None = None, multiline: bool = False) -> str:
    """The text as given, or InvalidInput naming the field (services and parsers)."""
    problem = text_problem(value, max_length=max_length, multiline=multiline)
    if problem:
        raise InvalidInput(_("'%(field)s' %(problem)s.") % {"field": field, "problem": problem}, code="invalid_text")
    return value


def validate_text(value: str) -> None:
    """Django validator for single-line form fields (length is the field's own check)."""
    problem = text_problem(value)
    if problem:
        raise ValidationError(_("This value %(problem)s.") % {"problem": problem}, code="invalid_text")


def parse_positive_int(raw: str, *, maximum: int = MAX_ID) -> int | None:
    """An ASCII decimal in 1..maximum, or None. (`str.isdigit` also accepts "²" and
    "١", which `int()` then refuses or reads differently.)"""
    if not isinstance(raw, str) or not _DIGITS.fullmatch(raw) or len(raw) > 19:
        return None
    value = int(raw)
    return value if 1 <= value <= maximum else None


def check_date(value: date, *, field: str) -> date:
    """Within EARLIEST..LATEST; an aware date and time is judged in UTC (what is stored)."""
    if isinstance(value, datetime):
        try:
            day = (value.astimezone(UTC) if value.tzinfo else value).date()
        except OverflowError:  # past the calendar's ends in UTC: out of range anyway
            day = value.date()
    else:
        day = value
    if not EARLIEST <= day < LATEST:
        raise InvalidInput(
            _("'%(field)s' must be between %(earliest)s and %(latest)s.")
            % {"field": field, "earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="invalid_date",
        )
    return value


def check_date_range(start: date | None, end: date | None, *, start_label: str, end_label: str) -> None:
    """S4: a range that ends before it starts matches nothing: say so instead of an
    empty list the admin takes for "no such contacts"."""
    if start and end and start > end:
        raise InvalidInput(
            _("“%(start)s” is after “%(end)s”: nothing can match. Swap the two dates.")
            % {"start": start_label, "end": end_label},
            code="invalid_date_range",
        )


def validate_date(value: date) -> None:
    """Django validator for date fields and filters."""
    try:
        check_date(value, field="date")
    except InvalidInput:
        raise ValidationError(
            _("Enter a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="invalid_date",
        ) from None


def aware(value: datetime) -> datetime:
    """A date and time from outside, in UTC (a naive one is taken as UTC)."""
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def typed_word_check(typed: str, *, word: str) -> None:
    """What cannot be undone lightly (archiving all matching, erasing) needs the word
    typed, in capitals; spaces around it are forgiven."""
    if (typed or "").strip() != word:
        raise InvalidInput(
            _("Type %(word)s in capital letters to confirm.") % {"word": word}, code="confirmation_required"
        )
