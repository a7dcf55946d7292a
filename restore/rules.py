"""R1–R3, R10: which archived contacts may come back, and why not. Pure functions,
shared by the preview, the worker, the pages and the API so the rule lives once."""
from datetime import datetime, timedelta

from django.db.models import Case, CharField, Q, QuerySet, Value, When

from contacts_app.archive_models import ARCHIVE_RETENTION
from contacts_app.models import Contact, ContactStatus

FREEZE = timedelta(days=30)  # R1
WINDOW = ARCHIVE_RETENTION  # R2, A5


def restorable_from(archived_at: datetime | None) -> datetime | None:
    return archived_at + FREEZE if archived_at else None


def restorable_until(archived_at: datetime | None) -> datetime | None:
    """The last moment (exclusive) a contact can be restored; it is purged after it."""
    return archived_at + WINDOW if archived_at else None


def skip_reason(*, status: str, archived_at: datetime | None, now: datetime, respect_freeze: bool = True) -> str | None:
    """None when the contact may be restored now, otherwise the R10 reason."""
    if status == ContactStatus.ACTIVE:
        return "already_active"
    if status == ContactStatus.MERGED:
        return "merged"  # R3
    if archived_at is None or now >= archived_at + WINDOW:
        return "expired"  # R2
    if respect_freeze and now < archived_at + FREEZE:
        return "frozen"  # R1
    return None


def restorable_q(*, now: datetime, respect_freeze: bool = True) -> Q:
    """R1/R2 as a plain range on archived_at, which the archived-list index serves."""
    q = Q(status=ContactStatus.ARCHIVED, archived_at__gt=now - WINDOW)
    return q & Q(archived_at__lte=now - FREEZE) if respect_freeze else q


def annotate_skip_reason(qs: QuerySet[Contact], *, now: datetime, respect_freeze: bool = True) -> QuerySet[Contact]:
    """The same rule as `skip_reason`, as SQL, for counting a large selection at once.

    'email_conflict' is not computed here: the email uniqueness constraint (among
    non-merged contacts) makes it impossible in the database, and a per-row
    correlated lookup would cost the preview dearly. `contacts_restore` still checks
    it per chunk as a guard."""
    whens = [
        When(status=ContactStatus.ACTIVE, then=Value("already_active")),
        When(status=ContactStatus.MERGED, then=Value("merged")),
        When(Q(archived_at__isnull=True) | Q(archived_at__lte=now - WINDOW), then=Value("expired")),
    ]
    if respect_freeze:
        whens.append(When(archived_at__gt=now - FREEZE, then=Value("frozen")))
    return qs.annotate(skip_reason=Case(*whens, default=Value(""), output_field=CharField()))
