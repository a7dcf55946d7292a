from collections.abc import Sequence

from django.utils.translation import gettext

from contacts_app.deliverability import provider_label
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


def actor_words(event: AuditEvent) -> str:
    """The person, or what acted without one, in the reader's words (U7): the stored
    labels are codes ("bounces:mailgun", "anymail:Postmark", "restore:form")."""
    if event.actor:  # support staff acting in a customer's workspace are said to be support
        name = event.actor.get_username()
        return gettext("%(name)s (support)") % {"name": name} if event.actor.is_staff else name
    label = event.actor_label or ""
    kind, __, what = label.partition(":")
    if kind in ("bounces", "anymail") and what:
        return provider_label(what.lower().replace(" ", "_"))
    if label in ("restore:form", "form"):
        return gettext("a form submission")
    if label == "demo data":
        return gettext("demo data")
    if label == "purge":
        return gettext("automatic purge")
    return label or gettext("system")
