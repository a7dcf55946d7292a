"""A contact's life after archiving: when it may come back, until when, and the
words for why not (A5, R1–R3, R10). Pure functions and constants, read by the
archive and purge here, by the restore app, the filters, the pages and the API, so
each rule is written once.
"""

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from contacts_app.models import ContactStatus

FREEZE = timedelta(days=30)  # R1: restorable by hand from this long after archiving
RETENTION = timedelta(days=365)  # R2: restorable until then; A5: purged from then on
OFF_LIST = (ContactStatus.ARCHIVED, ContactStatus.MERGED)  # detached: their snapshot tells what they had
PURGE_NOTICE = timedelta(days=30)  # U5: how far ahead the archived list warns of the purge


class Outcome(models.TextChoices):
    """R10: what happened to one requested contact. Every outcome but RESTORED is a
    skip reason; the labels are the admin's words."""

    RESTORED = "restored", _("Restored")
    FROZEN = "frozen", _("Archived less than 30 days ago")
    EXPIRED = "expired", _("Archived more than a year ago")
    MERGED = "merged", _("Merged into another contact")
    ALREADY_ACTIVE = "already_active", _("Already active")
    NOT_FOUND = "not_found", _("Not found")
    EMAIL_CONFLICT = "email_conflict", _("Another active contact has this email")


SKIP_REASONS = tuple(o for o in Outcome if o is not Outcome.RESTORED)


def restorable_from(archived_at: datetime | None) -> datetime | None:
    """R1: the first moment a manual restore is allowed."""
    return archived_at + FREEZE if archived_at else None


def restorable_until(archived_at: datetime | None) -> datetime | None:
    """R2/A5: the last moment (exclusive) a contact can be restored; it is purged after it."""
    return archived_at + RETENTION if archived_at else None


def purge_cutoff(now: datetime) -> datetime:
    """A5: contacts archived (or merged) at or before this moment are purged."""
    return now - RETENTION


def _purge_notice_window(now: datetime) -> tuple[datetime, datetime]:
    """U5/A5: contacts archived after the first moment and at or before the second are
    purged for good within PURGE_NOTICE."""
    cutoff = purge_cutoff(now)
    return cutoff, cutoff + PURGE_NOTICE


def purge_due_q(*, now: datetime) -> Q:
    """U5/A5: archived or merged contacts that the purge deletes for good within
    PURGE_NOTICE (those already past the year go at the next hourly run)."""
    after, until = _purge_notice_window(now)
    return Q(status__in=OFF_LIST, archived_at__gt=after, archived_at__lte=until)


def purge_due(*, archived_at: datetime, now: datetime) -> bool:
    """U5/A5: what `purge_due_q` selects, for one archived contact's page."""
    after, until = _purge_notice_window(now)
    return after < archived_at <= until


def skip_reason(
    *, status: str, archived_at: datetime | None, now: datetime, respect_freeze: bool = True
) -> Outcome | None:
    """R1–R3: None when the contact may be restored now, otherwise the R10 reason.
    `respect_freeze=False` is the automatic restore by form (R9)."""
    if status == ContactStatus.ACTIVE:
        return Outcome.ALREADY_ACTIVE
    if status == ContactStatus.MERGED:
        return Outcome.MERGED  # R3
    if archived_at is None or now >= archived_at + RETENTION:
        return Outcome.EXPIRED  # R2
    if respect_freeze and now < archived_at + FREEZE:
        return Outcome.FROZEN  # R1
    return None


def restorable_q(*, now: datetime, respect_freeze: bool = True) -> Q:
    """R1/R2 as a plain range on archived_at, which the archived-list index serves."""
    q = Q(status=ContactStatus.ARCHIVED, archived_at__gt=now - RETENTION)
    return q & Q(archived_at__lte=now - FREEZE) if respect_freeze else q


def annotate_skip_reason(qs: QuerySet, *, now: datetime, respect_freeze: bool = True) -> QuerySet:
    """The same rule as `skip_reason`, as SQL, for counting a large selection at once
    ('' = restorable).

    'email_conflict' is not computed here: the email uniqueness constraint (among
    non-merged contacts) makes it impossible in the database, and a per-row
    correlated lookup would cost the preview dearly. The restore still checks it per
    chunk as a guard."""
    whens = [
        When(status=ContactStatus.ACTIVE, then=Value(Outcome.ALREADY_ACTIVE.value)),
        When(status=ContactStatus.MERGED, then=Value(Outcome.MERGED.value)),
        When(Q(archived_at__isnull=True) | Q(archived_at__lte=now - RETENTION), then=Value(Outcome.EXPIRED.value)),
    ]
    if respect_freeze:
        whens.append(When(archived_at__gt=now - FREEZE, then=Value(Outcome.FROZEN.value)))
    return qs.annotate(skip_reason=Case(*whens, default=Value(""), output_field=CharField()))
