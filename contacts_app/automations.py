"""The only place where automations fire and automation emails are queued.

Normal actions (contact created, subscribed to a list, tag added) call
`automations_fire`. Restore never does (R8): it re-inserts associations directly.
"""

from collections.abc import Iterable

from contacts_app.models import Automation, AutomationRun, CampaignSend, Contact, Trigger
from contacts_app.services.suppression import suppressed_contact_ids


def automations_fire(
    *,
    workspace_id: int,
    trigger: str,
    contact_ids: Iterable[int],
    list_id: int | None = None,
    tag_id: int | None = None,
) -> int:
    """Start every active automation of the workspace matching the trigger, for the
    given contacts. A4: archived or merged contacts start nothing; C2: cleaned
    addresses get no email, nor suppressed ones (G2). Returns the number of automation runs created."""
    if trigger not in Trigger.values:
        raise ValueError(f"unknown trigger {trigger!r}")
    automations = Automation.objects.filter(workspace_id=workspace_id, trigger=trigger, is_active=True)
    if trigger == Trigger.LIST_SUBSCRIBED:
        automations = automations.filter(trigger_list_id=list_id)
    elif trigger == Trigger.TAG_ADDED:
        automations = automations.filter(trigger_tag_id=tag_id)
    automations = list(automations)
    if not automations:
        return 0
    contacts = list(
        Contact.objects.filter(workspace_id=workspace_id, id__in=list(contact_ids))
        .active()
        .values_list("id", "email_status", "email")
    )
    sending = [(cid, email) for cid, _s, email in contacts] if any(a.send_subject for a in automations) else []
    blocked = suppressed_contact_ids(workspace_id=workspace_id, contacts=sending)  # no query when nothing is sent
    runs, sends = [], []
    for automation in automations:
        for contact_id, email_status, _email in contacts:
            runs.append(AutomationRun(automation=automation, contact_id=contact_id, trigger=trigger))
            if automation.send_subject and email_status == "ok" and contact_id not in blocked:  # C2, G2
                sends.append(
                    CampaignSend(
                        workspace_id=workspace_id,
                        contact_id=contact_id,
                        automation=automation,
                        subject=automation.send_subject,
                    )
                )
    AutomationRun.objects.bulk_create(runs, batch_size=1000)
    CampaignSend.objects.bulk_create(sends, batch_size=1000)
    return len(runs)
