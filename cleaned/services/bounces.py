"""C1/C7: the one place where bounce events clean addresses, whatever their source
(provider webhooks through anymail, the signed generic webhook, file imports). Each
event is classified by its evidence (classification.py) and stored with it."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation

from contacts_app.audit import audit_log
from contacts_app.lib.sqlutil import table
from contacts_app.models import (
    AuditEvent,
    Contact,
    ContactStatus,
    EmailStatus,
    Workspace,
)
from contacts_app.selectors import contact_ids_by_email
from contacts_app.services.suppression import suppressed_addresses

from ..classification import bounce_classify
from ..models import BounceClass, BounceEvent, BounceSource, BounceType
from .cleanings import CleaningInput, cleanings_record

DEFAULT_SOFT_THRESHOLD = 7  # no engagement history
ENGAGED_SOFT_THRESHOLD = 15  # the address once opened or clicked: be more patient
MAX_EVENTS_PER_BATCH = 10_000


@dataclass(frozen=True)
class BounceInput:
    event_id: str
    email: str
    type: str
    occurred_at: datetime
    reason: str = ""
    code: str = ""  # C7: RFC 3463 x.y.z, when the source gave one
    diagnostic: str = ""
    hint: BounceClass | None = None  # a provider's own sub-type, used when there is no code
    source: str = BounceSource.SIGNED
    reported_as: str = ""  # the source's label, as it said it

    def classified(self) -> tuple[str, str]:
        """(class, effective type): C7."""
        return bounce_classify(label=self.type, code=self.code, hint=self.hint)


@dataclass
class BounceResult:
    accepted: int = 0
    duplicates: int = 0
    cleaned: int = 0
    suppressed: int = 0  # G2: events for a suppressed address, not recorded


def soft_bounce_threshold(*, workspace: Workspace, engaged: bool) -> int:
    """C1: N consecutive soft bounces clean an address; N is per workspace, default
    7 without engagement history and 15 with."""
    if workspace.soft_bounce_threshold:
        return workspace.soft_bounce_threshold
    return ENGAGED_SOFT_THRESHOLD if engaged else DEFAULT_SOFT_THRESHOLD


@transaction.atomic
def bounces_apply(
    *, workspace: Workspace, provider: str, events: list[BounceInput], actor_label: str = ""
) -> BounceResult:
    """C1: record the events and apply them, in occurrence order per contact: a hard
    bounce cleans at once; a soft bounce adds to the streak and cleans when the
    streak reaches the threshold; a delivery resets the streak. An event id already
    seen for this provider is a duplicate and changes nothing. Set-based: a fixed
    number of queries per batch."""
    result = BounceResult()
    unique: dict[str, BounceInput] = {}
    for e in events:
        if e.event_id in unique:
            result.duplicates += 1
        else:
            unique[e.event_id] = e
    suppressed = suppressed_addresses(workspace=workspace, addresses={e.email for e in unique.values()})
    if suppressed:  # G2: an erased address does not come back through its bounces
        kept = {k: e for k, e in unique.items() if e.email.lower() not in suppressed}
        result.suppressed = len(unique) - len(kept)
        unique = kept
    if not unique:
        return result

    # Lock the contacts first (pk order): a concurrent delivery of the same events
    # waits here, then sees them as already recorded below.
    emails = {e.email.lower() for e in unique.values()}
    holders = contact_ids_by_email(workspace_id=workspace.id, emails=emails)
    contacts = {
        c.lemail: c
        for c in Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=holders.values())
        .exclude(status=ContactStatus.MERGED)
        .annotate(lemail=Lower("email"))
        .order_by("id")
    }
    classes = {e.event_id: e.classified() for e in unique.values()}
    inserted = _record_events(
        workspace=workspace, provider=provider, events=list(unique.values()), contacts=contacts, classes=classes
    )
    fresh = [e for e in unique.values() if e.event_id in inserted]
    result.duplicates += len(unique) - len(fresh)
    result.accepted = len(fresh)

    by_contact: dict[int, list[BounceInput]] = defaultdict(list)
    for e in fresh:
        contact = contacts.get(e.email.lower())
        if contact is not None:
            by_contact[contact.id].append(e)
    changed: list[Contact] = []
    newly_cleaned: list[CleaningInput] = []
    contacts_by_id = {c.id: c for c in contacts.values()}
    for contact_id, contact_events in by_contact.items():
        contact = contacts_by_id[contact_id]
        threshold = soft_bounce_threshold(workspace=workspace, engaged=contact.last_engaged_at is not None)
        for e in sorted(contact_events, key=lambda x: x.occurred_at):
            bounce_class, effect = classes[e.event_id]
            if effect == BounceType.DELIVERED:
                contact.soft_bounce_streak = 0
                continue
            contact.bounce_count += 1
            if effect == BounceType.SOFT:
                contact.soft_bounce_streak += 1
            if contact.email_status != EmailStatus.CLEANED and (
                effect == BounceType.HARD or contact.soft_bounce_streak >= threshold
            ):
                contact.email_status = EmailStatus.CLEANED
                contact.cleaned_at = e.occurred_at
                contact.cleaned_reason = cleaned_reason(e, bounce_class)
                newly_cleaned.append(
                    CleaningInput(
                        contact_id=contact.id,
                        cleaned_at=e.occurred_at,
                        event_pk=inserted[e.event_id],
                        provider=provider,
                        bounce_class=bounce_class,
                        code=e.code,
                    )
                )
        changed.append(contact)
    _save_bounce_state(changed)
    if newly_cleaned:
        cleanings_record(workspace=workspace, cleanings=newly_cleaned)  # C1: memberships bounced; C8: what they were
        audit_log(
            workspace_id=workspace.id,
            actor_label=actor_label or f"bounces:{provider}",
            action=AuditEvent.Action.CLEAN,
            contact_ids=[c.contact_id for c in newly_cleaned],
            details={"provider": provider},
        )
    result.cleaned = len(newly_cleaned)
    return result


def cleaned_reason(event: BounceInput, bounce_class: str) -> str:
    """The one-line "why" kept on the contact: the class, the code, the provider's words."""
    words = event.diagnostic or event.reason
    if bounce_class == BounceClass.UNDETERMINED:  # no evidence beyond the label: its words
        return (words or f"{event.type} bounce")[:255]
    head = BounceClass(bounce_class).label + (f" ({event.code})" if event.code else "")
    return f"{head}: {words}"[:255] if words else head


def cleaned_reason_display(*, reason: str, bounce_class: str | None, code: str = "") -> str:
    """U7: `cleaned_reason` in the reader's language. It is stored with the class's
    English label in front (written by a worker or a webhook); the label is rendered
    again now from the cleaning's class, the code and the provider's own words kept."""
    if not bounce_class or bounce_class == BounceClass.UNDETERMINED:
        return reason
    with translation.override("en"):
        head_en = str(BounceClass(bounce_class).label) + (f" ({code})" if code else "")
    words = reason[len(head_en) :].removeprefix(": ") if reason.startswith(head_en) else ""
    head = str(BounceClass(bounce_class).label) + (f" ({code})" if code else "")
    return f"{head}{translation.pgettext('label separator', ':')} {words}" if words else head  # « : » in French


def _record_events(
    *,
    workspace: Workspace,
    provider: str,
    events: list[BounceInput],
    contacts: dict[str, Contact],
    classes: dict[str, tuple[str, str]],
) -> dict[str, int]:
    """Store the events; an id this provider already sent is skipped by the unique
    index, whether the address matches a contact or not and however many deliveries
    of it race (the later ones wait on the index, then skip). Returns the ids stored
    by this call (event id → row id): only those are applied and counted as accepted.
    `type` stores the effect the classification decided; `reported_as` the source's label."""
    now = timezone.now()
    rows = [
        (
            workspace.id,
            provider,
            e.event_id,
            e.email,
            classes[e.event_id][1],
            e.occurred_at,
            e.reason,
            contacts[e.email.lower()].id if e.email.lower() in contacts else None,
            now,
            e.code,
            e.diagnostic,
            classes[e.event_id][0],
            e.source,
            e.reported_as or e.type,
        )
        for e in events
    ]
    inserted: dict[str, int] = {}
    with connection.cursor() as cur:
        for start in range(0, len(rows), 1000):
            batch = rows[start : start + 1000]
            values = ", ".join(["(" + ", ".join(["%s"] * 14) + ")"] * len(batch))
            cur.execute(
                f"INSERT INTO {table(BounceEvent)} (workspace_id, provider, event_id, email, type, occurred_at, "
                "reason, contact_id, received_at, code, diagnostic, bounce_class, source, reported_as) "
                f"VALUES {values} ON CONFLICT (workspace_id, provider, event_id) DO NOTHING RETURNING event_id, id",
                [v for row in batch for v in row],
            )
            inserted.update({row[0]: row[1] for row in cur.fetchall()})
    return inserted


def _save_bounce_state(contacts: list[Contact]) -> None:
    """One plain UPDATE per contact, sent with executemany: Django's bulk_update
    spent 85% of a 100-event batch building CASE expressions in Python (P4)."""
    if not contacts:
        return
    now = timezone.now()
    with connection.cursor() as cur:
        cur.executemany(
            f"UPDATE {table(Contact)} SET email_status = %s, cleaned_at = %s, cleaned_reason = %s, bounce_count = %s, "
            "soft_bounce_streak = %s, updated_at = %s WHERE id = %s",
            [
                (c.email_status, c.cleaned_at, c.cleaned_reason, c.bounce_count, c.soft_bounce_streak, now, c.id)
                for c in contacts
            ],
        )
