"""Restoring a batch of contacts (R6–R8, R10): set-based, no automation fired."""

from datetime import datetime

from django.db import connection
from django.utils import timezone

from contacts_app.audit import audit_log
from contacts_app.lifecycle import Outcome, skip_reason
from contacts_app.models import (
    ArchiveRecord,
    AuditEvent,
    Contact,
    ContactStatus,
    RestoreSource,
    Workspace,
)
from contacts_app.selectors import contact_ids_by_email
from contacts_app.services.webhooks import webhook_emit

from .. import sql


def contacts_restore(
    *,
    workspace: Workspace,
    contact_ids: list[int],
    actor=None,
    source: RestoreSource = RestoreSource.MANUAL,
    respect_freeze: bool = True,
    now: datetime | None = None,
    job_id: int | None = None,
    form=None,
) -> dict[int, Outcome]:
    """R6–R8, R10: restore what can be restored among `contact_ids` (associations
    put back by `sql.reattach_associations`, R7's status and archive fields cleared)
    and say, for each id, what happened: RESTORED or the R10 skip reason. Set-based: a fixed number of
    queries per call. Call inside a transaction; the rows are locked in pk order.
    Fires no automation and queues no email (R8)."""
    assert connection.in_atomic_block, "contacts_restore must run inside a transaction"
    now = now or timezone.now()
    ids = sorted(set(contact_ids))
    rows = (
        Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=ids)
        .order_by("id")
        .values_list("id", "status", "archived_at", "email")
    )
    outcomes = dict.fromkeys(ids, Outcome.NOT_FOUND)
    candidates: dict[int, str] = {}
    for cid, status, archived_at, email in rows:
        reason = skip_reason(status=status, archived_at=archived_at, now=now, respect_freeze=respect_freeze)
        if reason:
            outcomes[cid] = reason
        else:
            candidates[cid] = email.lower()
    if candidates:
        taken = contact_ids_by_email(
            workspace_id=workspace.id, emails=candidates.values(), status=ContactStatus.ACTIVE
        ).keys()
        for cid, email in list(candidates.items()):
            if email in taken:
                outcomes[cid] = Outcome.EMAIL_CONFLICT
                del candidates[cid]
    restored = sorted(candidates)
    if restored:
        record_ids = list(
            ArchiveRecord.objects.filter(contact_id__in=restored, restored_at__isnull=True).values_list("id", flat=True)
        )
        actor_id = actor.pk if getattr(actor, "is_authenticated", False) else None
        sql.reattach_associations(
            workspace_id=workspace.id,
            record_ids=record_ids,
            contact_ids=restored,
            now=now,
            actor_id=actor_id,
            source=source,
            form_id=form.id if form is not None else None,
        )
        for cid in restored:
            outcomes[cid] = Outcome.RESTORED
        audit_log(
            workspace_id=workspace.id,
            actor=actor,
            actor_label="" if actor_id else f"restore:{source}",
            action=AuditEvent.Action.AUTO_RESTORE if source == RestoreSource.FORM else AuditEvent.Action.RESTORE,
            contact_ids=restored,
            details={
                "source": source,
                **({"job": job_id} if job_id else {}),
                **({"form": form.name, "form_id": form.id} if form is not None else {}),  # R9: which form
            },
        )
        webhook_emit(
            workspace_id=workspace.id,
            type="contact.restored",
            data={
                "contacts": restored,
                "source": source,
                **({"restore_job": job_id} if job_id else {}),
                **({"form": {"id": form.public_id, "name": form.name}} if form is not None else {}),
            },
            now=now,
        )
    return outcomes
