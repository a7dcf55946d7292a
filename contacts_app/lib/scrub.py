"""G1: taking an erased person's address out of free text that other rows keep — an
audit row's details, a notice, a job's typed search, the admin log — without deleting
the row (the fact stays, the person goes). A value is rewritten where it quotes one of
the addresses (any case) or, as a whole word, its local part ("jeanne.dupont" typed as
a search); local parts shorter than MIN_LOCAL_PART identify no one and are left."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast

ERASED = "[erased]"
MIN_LOCAL_PART = 3
_PREFILTER_GROUP = 100  # alternatives per database regular expression
_WORD = r"A-Za-z0-9._%+-"


@dataclass(frozen=True)
class Terms:
    """What identifies the erased people in text: their addresses, lower-cased."""

    addresses: frozenset[str]

    @cached_property
    def words(self) -> list[str]:
        local_parts = {a.rpartition("@")[0] for a in self.addresses}
        return sorted(self.addresses | {lp for lp in local_parts if len(lp) >= MIN_LOCAL_PART}, key=len, reverse=True)

    @cached_property
    def pattern(self) -> re.Pattern:
        alternatives = "|".join(re.escape(w) for w in self.words)
        return re.compile(rf"(?<![{_WORD}])(?:{alternatives})(?![{_WORD}])", re.IGNORECASE)

    def text(self, value: str) -> str:
        return self.pattern.sub(ERASED, value) if self.words else value

    def value(self, value):
        """A JSON value with every string scrubbed (keys are the code's, left alone)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def prefilter(self, field: str) -> Q:
        """Rows whose `field` (as text) may quote a term: a superset, checked in Python."""
        found = Q(pk__in=[])
        words = self.words
        for start in range(0, len(words), _PREFILTER_GROUP):
            group = "|".join(re.escape(w) for w in words[start : start + _PREFILTER_GROUP])
            found |= Q(**{f"_scrub_{field}__iregex": group})
        return found


def rows_scrub(queryset: QuerySet, *, fields: Iterable[str], terms: Terms) -> int:
    """Rewrite `fields` of the rows of `queryset` that quote a term; returns how many
    rows changed. The rows stay (their other columns hold no personal data)."""
    fields = list(fields)
    if not terms.words:
        return 0
    annotated = queryset.annotate(**{f"_scrub_{f}": Cast(f, TextField()) for f in fields})
    wanted = Q(pk__in=[])
    for f in fields:
        wanted |= terms.prefilter(f)
    changed = 0
    for row in annotated.filter(wanted).only("pk", *fields):
        updates = {}
        for f in fields:
            old = getattr(row, f)
            new = terms.value(old)
            if new != old:
                updates[f] = new
        if updates:
            changed += type(row).objects.filter(pk=row.pk).update(**updates)
    return changed
