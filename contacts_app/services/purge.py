"""Purge (A5): archived contacts are deleted for good a year after archiving."""

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from contacts_app.audit import audit_log
from contacts_app.lifecycle import OFF_LIST, purge_cutoff
from contacts_app.models import AuditEvent, Contact, Workspace
from contacts_app.services.webhooks import webhook_emit


def contacts_purge(*, workspace: Workspace, contact_ids: Sequence[int], reason: str, actor=None) -> int:
    """Delete archived/merged contacts for good: the contact row, its snapshots and
    its history go; an anonymous audit row keeps only the count."""
    with transaction.atomic():
        doomed = Contact.objects.filter(workspace=workspace, id__in=list(contact_ids), status__in=OFF_LIST)
        ids = sorted(doomed.values_list("id", flat=True))
        count = doomed.delete()[1].get(Contact._meta.label, 0)
        if not count:
            return 0
        audit_log(
            workspace_id=workspace.id,
            actor=actor,
            actor_label="purge",
            action=AuditEvent.Action.PURGE,
            count=count,
            details={"reason": reason},
        )
        webhook_emit(workspace_id=workspace.id, type="contact.purged", data={"contacts": ids, "reason": reason})
    return count


def contacts_purge_expired(*, now: datetime | None = None) -> int:
    """A5: contacts archived (or merged) a year ago or more are purged, 1,000 at a
    time, each chunk in its own transaction."""
    cutoff = purge_cutoff(now or timezone.now())
    purged = 0
    while True:
        batch = list(
            Contact.objects.filter(status__in=OFF_LIST, archived_at__lte=cutoff)
            .order_by("workspace_id", "id")
            .values_list("workspace_id", "id")[: settings.ARCHIVE_CHUNK_SIZE]
        )
        if not batch:
            return purged
        by_workspace: dict[int, list[int]] = {}
        for workspace_id, cid in batch:
            by_workspace.setdefault(workspace_id, []).append(cid)
        for workspace_id, ids in by_workspace.items():
            purged += contacts_purge(
                workspace=Workspace(id=workspace_id), contact_ids=ids, reason="one year after archiving"
            )
