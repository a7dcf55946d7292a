"""C1: the one place where bounce events clean addresses, whatever their source
(provider webhooks through anymail, the signed generic webhook, file imports)."""
import secrets
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import TextField
from django.db.models.functions import Cast, Lower
from django.utils import timezone

from contacts_app.audit import audit_log
from contacts_app.csv_stream import csv_chunks
from contacts_app.errors import InvalidInput
from contacts_app.queueing import publish, publish_soon
from contacts_app.services import contacts_archive
from contacts_app.sqlutil import table
from contacts_app.models import AuditEvent, Contact, ContactStatus, EmailStatus, ListMembership, MembershipStatus, Workspace

from .models import BounceEvent, BounceType, ExportJob, ExportStatus
from .selectors import cleaned_contacts

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


@dataclass
class BounceResult:
    accepted: int = 0
    duplicates: int = 0
    cleaned: int = 0


def soft_bounce_threshold(*, workspace: Workspace, engaged: bool) -> int:
    """C1: N consecutive soft bounces clean an address; N is per workspace, default
    7 without engagement history and 15 with."""
    if workspace.soft_bounce_threshold:
        return workspace.soft_bounce_threshold
    return ENGAGED_SOFT_THRESHOLD if engaged else DEFAULT_SOFT_THRESHOLD


@transaction.atomic
def bounces_apply(*, workspace: Workspace, provider: str, events: list[BounceInput], actor_label: str = "") -> BounceResult:
    """Record the events and apply them, in occurrence order per contact: a hard
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
    if not unique:
        return result

    # Lock the contacts first (pk order): a concurrent delivery of the same events
    # waits here, then sees them as already recorded below.
    emails = {e.email.lower() for e in unique.values()}
    contacts = {
        c.lemail: c
        for c in Contact.objects.select_for_update()
        .filter(workspace=workspace)
        .exclude(status=ContactStatus.MERGED)
        .annotate(lemail=Lower("email"))
        .filter(lemail__in=emails)
        .order_by("id")
    }
    seen = set(
        BounceEvent.objects.filter(workspace=workspace, provider=provider, event_id__in=list(unique)).values_list("event_id", flat=True)
    )
    fresh = [e for e in unique.values() if e.event_id not in seen]
    result.duplicates += len(unique) - len(fresh)
    result.accepted = len(fresh)
    BounceEvent.objects.bulk_create(
        [
            BounceEvent(
                workspace=workspace, provider=provider, event_id=e.event_id, email=e.email[:254], type=e.type,
                occurred_at=e.occurred_at, reason=e.reason[:500], contact=contacts.get(e.email.lower()),
            )
            for e in fresh
        ],
        batch_size=2000,
        ignore_conflicts=True,
    )

    by_contact: dict[int, list[BounceInput]] = defaultdict(list)
    for e in fresh:
        contact = contacts.get(e.email.lower())
        if contact is not None:
            by_contact[contact.id].append(e)
    changed, newly_cleaned = [], []
    contacts_by_id = {c.id: c for c in contacts.values()}
    for contact_id, contact_events in by_contact.items():
        contact = contacts_by_id[contact_id]
        threshold = soft_bounce_threshold(workspace=workspace, engaged=contact.last_engaged_at is not None)
        for e in sorted(contact_events, key=lambda x: x.occurred_at):
            if e.type == BounceType.DELIVERED:
                contact.soft_bounce_streak = 0
                continue
            contact.bounce_count += 1
            if e.type == BounceType.SOFT:
                contact.soft_bounce_streak += 1
            if contact.email_status != EmailStatus.CLEANED and (
                e.type == BounceType.HARD or contact.soft_bounce_streak >= threshold
            ):
                contact.email_status = EmailStatus.CLEANED
                contact.cleaned_at = e.occurred_at
                contact.cleaned_reason = (e.reason or f"{e.type} bounce")[:255]
                newly_cleaned.append(contact.id)
        changed.append(contact)
    _save_bounce_state(changed)
    if newly_cleaned:
        _clean_memberships(newly_cleaned)
        audit_log(
            workspace_id=workspace.id, actor_label=actor_label or f"bounces:{provider}", action=AuditEvent.Action.CLEAN,
            contact_ids=newly_cleaned, details={"provider": provider},
        )
    result.cleaned = len(newly_cleaned)
    return result


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
            [(c.email_status, c.cleaned_at, c.cleaned_reason, c.bounce_count, c.soft_bounce_streak, now, c.id) for c in contacts],
        )


def _clean_memberships(contact_ids: list[int]) -> None:
    """C1: cleaning sets every list membership of the contact to bounced."""
    ListMembership.objects.filter(contact_id__in=contact_ids).exclude(status=MembershipStatus.BOUNCED).update(
        status=MembershipStatus.BOUNCED
    )


# --- C4: background CSV export ---------------------------------------------------------

EXPORT_HEADER = ["email", "first_name", "last_name", "phone", "status", "email_status", "cleaned_at", "cleaned_reason",
                 "bounce_count", "created_at"]
EXPORT_PROGRESS_EVERY = 5000


def export_create(*, workspace: Workspace, actor, params: dict) -> ExportJob:
    """Queue a CSV export of the cleaned contacts matching `params` (the page's filter)."""
    total = cleaned_contacts(workspace=workspace, params=params).count()
    with transaction.atomic():
        job = ExportJob.objects.create(workspace=workspace, requested_by=actor, filter=params, total=total)
        audit_log(workspace_id=workspace.id, actor=actor, action=AuditEvent.Action.EXPORT, count=total, details={"export": job.id, "filter": params})
        transaction.on_commit(lambda: export_enqueue_soon(export_id=job.id))
    return job


def export_enqueue_soon(*, export_id: int) -> None:
    from .tasks import export_run_task  # the tasks module imports this one

    publish_soon(lambda: publish(export_run_task, export_id), name=f"enqueue-export-{export_id}")


def exports_sweep(*, now=None) -> int:
    """Periodic: enqueue exports that were accepted but never started (broker down
    or message lost). Returns how many."""
    from .tasks import export_run_task

    cutoff = (now or timezone.now()) - timedelta(seconds=settings.RESTORE_STALE_AFTER)
    ids = list(ExportJob.objects.filter(status=ExportStatus.QUEUED, created_at__lt=cutoff).values_list("id", flat=True))
    for export_id in ids:
        publish(export_run_task, export_id)
    return len(ids)


def export_path(job) -> Path:
    return Path(settings.EXPORTS_DIR) / str(job.workspace_id) / job.file_name


def export_run(*, export_id: int) -> str:
    """Write the CSV streaming rows from the database (constant memory), UTF-8 with a
    header and formula-neutralised cells. Claimed with a conditional update, so a
    duplicate delivery does nothing."""
    name = f"cleaned-contacts-{export_id}-{secrets.token_hex(8)}.csv"
    if not ExportJob.objects.filter(id=export_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING, file_name=name):
        return "not_claimed"
    job = ExportJob.objects.get(id=export_id)
    path = export_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Dates leave the database as text: building a datetime per cell only to print it
    # again was the export's biggest cost (P3).
    text_dates = {f"{name}_text": Cast(name, TextField()) for name in ("cleaned_at", "created_at")}
    rows = (
        cleaned_contacts(workspace=job.workspace, params=job.filter)
        .annotate(**text_dates)
        .order_by("id")
        .values_list(*[f"{c}_text" if f"{c}_text" in text_dates else c for c in EXPORT_HEADER])
    )
    counter = {"rows": 0}

    def counted():
        for row in rows.iterator(chunk_size=EXPORT_PROGRESS_EVERY):
            counter["rows"] += 1
            if counter["rows"] % EXPORT_PROGRESS_EVERY == 0:
                ExportJob.objects.filter(id=export_id).update(rows=counter["rows"])
            yield row

    try:
        with path.open("wb") as fh:
            for block in csv_chunks(EXPORT_HEADER, counted()):
                fh.write(block)
    except Exception as exc:
        ExportJob.objects.filter(id=export_id).update(status=ExportStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now())
        raise
    ExportJob.objects.filter(id=export_id).update(status=ExportStatus.DONE, rows=counter["rows"], finished_at=timezone.now())
    return "done"


# --- C5: bulk archive with a typed confirmation ----------------------------------------

CONFIRMATION_WORD = "ARCHIVE"


def cleaned_contacts_archive(*, workspace: Workspace, contact_ids: list[int], confirmation: str, actor) -> int:
    """C5: archive cleaned contacts in bulk once the admin typed ARCHIVE. Uses the
    archive service, so their data is kept (A2)."""

    if confirmation.strip() != CONFIRMATION_WORD:
        raise InvalidInput(f"Type {CONFIRMATION_WORD} in capital letters to confirm.", code="confirmation_required")
    cleaned_ids = list(
        Contact.objects.filter(workspace=workspace, id__in=contact_ids, email_status=EmailStatus.CLEANED).values_list("id", flat=True)
    )
    return contacts_archive(workspace=workspace, contact_ids=cleaned_ids, actor=actor)
