"""The restore preview (R12) and the billing check (B1–B3)."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contacts_app.associations import ASSOCIATION_KINDS
from contacts_app.lib.i18n import num
from contacts_app.lifecycle import SKIP_REASONS, Outcome, restorable_from, restorable_q
from contacts_app.selectors import billable_count

from .. import selectors
from .selection import Selection, check_filter_size


@dataclass
class RestoreDetails:
    """R12's second pass: how many associations come back, and what will not."""

    coming_back: dict[str, int]  # kind → list memberships / tags / account links / deal links restored
    not_coming_back: dict[str, list[dict]]  # kind → [{"name", "contacts"}] deleted since archiving


@dataclass
class RestorePreview:
    requested: int
    restorable: int
    billable_added: int
    billable_now: int
    billable_after: int
    contact_limit: int
    needs_confirmation: bool
    skipped: dict[str, int]
    details: RestoreDetails | None = None  # None: not computed
    frozen_until: datetime | None = None  # R1: when the first frozen contact of the selection can be restored

    @property
    def over_limit(self) -> bool:
        return self.billable_after > self.contact_limit

    @property
    def over_by(self) -> int:
        """B3: how many billable contacts past the plan the restore would go."""
        return max(0, self.billable_after - self.contact_limit)

    @property
    def usage_percent(self) -> str:
        """The plan's use after the restore, as people read it: "<1" rather than a "0%"
        that says the plan is empty when it is not."""
        if not self.contact_limit:
            return "100"
        share = 100 * self.billable_after / self.contact_limit
        return "<1" if 0 < share < 0.5 else str(int(share + 0.5))  # half up, as people round

    def as_dict(self) -> dict:
        return {
            "requested": self.requested,
            "restorable": self.restorable,
            "billable_added": self.billable_added,
            "billable_after": self.billable_after,
            "contact_limit": self.contact_limit,
            "needs_confirmation": self.needs_confirmation,
            "skipped": self.skipped,
            "coming_back": self.details.coming_back if self.details else {},
            "not_coming_back": self.details.not_coming_back if self.details else {},
        }


def needs_overage_confirmation(*, billable_added: int, billable_after: int, contact_limit: int) -> bool:
    """B3: restoring that brings the workspace to 90% of its plan or over needs an
    explicit confirmation."""
    return billable_added > 0 and billable_after * 10 >= contact_limit * 9


def restore_preview(*, selection: Selection, now: datetime | None = None, details: bool = True) -> RestorePreview:
    """R12/B3: what the selection would give, counted in SQL in one pass over the
    selection. `details` adds what will not come back (`restore_details`, a
    second pass); the modal loads that separately so the counts show at once."""
    now = now or timezone.now()
    ws = selection.workspace
    reasons = selectors.selection_breakdown(selection.queryset, now=now)
    skipped = {reason.value: 0 for reason in SKIP_REASONS}
    restorable, billable_added, _first = reasons.pop("", (0, 0, None))
    for reason, (n, _billable, _first) in reasons.items():
        skipped[reason] += n
    first_frozen = reasons.get(Outcome.FROZEN, (0, 0, None))[2]
    found = restorable + sum(skipped.values())
    requested = selection.requested
    if requested is None:
        check_filter_size(found)
        requested = found
    skipped[Outcome.NOT_FOUND] = requested - found
    billable_now = billable_count(workspace=ws)
    after = billable_now + billable_added
    return RestorePreview(
        requested=requested,
        restorable=restorable,
        billable_added=billable_added,
        billable_now=billable_now,
        billable_after=after,
        contact_limit=ws.contact_limit,
        needs_confirmation=needs_overage_confirmation(
            billable_added=billable_added, billable_after=after, contact_limit=ws.contact_limit
        ),
        skipped=skipped,
        details=restore_details(selection=selection, now=now) if details and restorable else None,
        frozen_until=restorable_from(first_frozen),
    )


def restore_details(*, selection: Selection, now: datetime | None = None, limit: int = 10) -> RestoreDetails:
    """R12: what comes back — list memberships, tags, account links and deal links whose
    list, tag, account or deal still exists — and what will not: lists, tags and
    accounts deleted since archiving, and deals deleted, with how many of the
    restorable contacts had each. One pass collects every id their snapshots refer to;
    the few that no longer exist are named from the snapshot rows of one contact that
    had them."""
    now = now or timezone.now()
    workspace = selection.workspace
    refs = selectors.snapshot_references(selection.queryset.filter(restorable_q(now=now)))
    result, coming_back = {}, {}
    for kind in ASSOCIATION_KINDS:
        counts = refs.get(kind.key, {})
        existing = kind.target.objects.filter(workspace=workspace, id__in=list(counts))
        alive = set(existing.values_list("id", flat=True)) if counts else set()
        coming_back[kind.key] = sum(n for ref, (n, _sample) in counts.items() if ref in alive)
        gone = sorted((ref for ref in counts.items() if ref[0] not in alive), key=lambda ref: -ref[1][0])[:limit]
        names = (
            dict(
                kind.open_snapshots()
                .filter(
                    **{
                        f"{kind.snapshot_id}__in": [i for i, _count in gone],
                        "contact_id__in": [sample for _ref, (_n, sample) in gone],
                    }
                )
                .values_list(kind.snapshot_id, kind.snapshot_name)
            )
            if gone
            else {}
        )
        result[kind.key] = sorted(
            ({"name": names.get(i, f"#{i}"), "contacts": n} for i, (n, _sample) in gone),
            key=lambda r: (-r["contacts"], r["name"]),
        )
    return RestoreDetails(coming_back=coming_back, not_coming_back=result)


def nothing_to_restore(preview: RestorePreview) -> str:
    """R12: why a selection has nothing to restore, in the admin's words."""
    reasons = "; ".join(f"{num(n)} — {Outcome(reason).label.lower()}" for reason, n in preview.skipped.items() if n)
    sentence = _("None of the selected contacts can be restored now (%(reasons)s).") % {"reasons": reasons}
    if preview.frozen_until:
        sentence += " " + _("The first frozen one can be restored from %(day)s.") % {
            "day": date_format(preview.frozen_until)
        }
    return sentence
