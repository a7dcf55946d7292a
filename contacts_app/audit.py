from collections.abc import Sequence

from contacts_app.lib.client import current_client_address
from contacts_app.models import AuditEvent


def audit_log(
    *,
    workspace_id: int | None,
    action: str,
    actor=None,
    actor_label: str = "",
    contact_ids: Sequence[int] = (),
    count: int | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Record who did what to which contacts. Call it inside the transaction that
    makes the change, so the change and its audit row commit or roll back together."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    ids = list(contact_ids)
    return AuditEvent.objects.create(
        workspace_id=workspace_id,
        actor=actor,
        actor_label=actor_label,
        action=action,
        contact_ids=ids,
        count=len(ids) if count is None else count,
        details=details or {},
        client_address=current_client_address() or None,  # S7: the request's, through trusted proxies only
    )
