"""Parsing of request input into plain values; no business rules here."""
from django.conf import settings

from .errors import InvalidInput


def parse_id_list(values, *, what: str = "contact") -> list[int]:
    """A non-empty list of positive integer ids, at most MAX_SELECTION_SIZE (S4)."""
    ids: set[int] = set()
    for raw in values:
        for part in str(raw).split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isdigit() or int(part) <= 0 or len(part) > 18:
                raise InvalidInput(f"“{part[:40]}” is not a valid {what} id.", code="invalid_id")
            ids.add(int(part))
    if not ids:
        raise InvalidInput(f"Select at least one {what} first.", code="empty_selection")
    if len(ids) > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(
            f"That is {len(ids):,} {what}s; at most {settings.MAX_SELECTION_SIZE:,} can be handled at once.",
            code="selection_too_large",
        )
    return sorted(ids)


PAGE_SIZES = (25, 50, 100)


def parse_page_size(raw: str | None, *, default: int) -> int:
    if raw in (None, ""):
        return default
    if not raw.isdigit() or int(raw) not in PAGE_SIZES:
        raise InvalidInput(f"Page size must be one of {', '.join(map(str, PAGE_SIZES))}.", code="invalid_page_size")
    return int(raw)
