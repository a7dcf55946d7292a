"""Merge a duplicate into a survivor (R3: a merged contact is never restored)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.lib.errors import Conflict, InvalidInput, NotFound
from contacts_app.models import (
    AuditEvent,
    Contact,
    ContactStatus,
    ContactTag,
    DealContact,
    ListMembership,
    Workspace,
)
from contacts_app.services.webhooks import webhook_emit


@transaction.atomic
def contacts_merge(*, workspace: Workspace, survivor_id: int, duplicate_id: int, actor=None) -> Contact:
    """Merge a duplicate into a survivor: the duplicate's lists, tags, deals and
    account move to the survivor (what the survivor already has wins), and the
    duplicate becomes `merged` with `merged_into`. A merged contact can never be
    restored (R3)."""
    if survivor_id == duplicate_id:
        raise InvalidInput(_("A contact cannot be merged into itself."))
    locked = {
        c.id: c
        for c in Contact.objects.select_for_update()
        .filter(workspace=workspace, id__in=[survivor_id, duplicate_id])
        .order_by("id")
    }
    if len(locked) != 2:
        raise NotFound(_("Unknown contact."))
    survivor, duplicate = locked[survivor_id], locked[duplicate_id]
    if survivor.status != ContactStatus.ACTIVE:
        raise Conflict(_("Contacts can only be merged into an active contact."), code="not_active")
    if duplicate.status == ContactStatus.MERGED:
        raise Conflict(_("%(email)s was already merged.") % {"email": duplicate.email}, code="already_merged")

    survivor_lists = ListMembership.objects.filter(contact=survivor).values("mailing_list_id")
    ListMembership.objects.filter(contact=duplicate).exclude(mailing_list_id__in=survivor_lists).update(
        contact=survivor
    )
    ListMembership.objects.filter(contact=duplicate).delete()

    survivor_tags = ContactTag.objects.filter(contact=survivor).values("tag_id")
    ContactTag.objects.filter(contact=duplicate).exclude(tag_id__in=survivor_tags).update(contact=survivor)
    ContactTag.objects.filter(contact=duplicate).delete()

    survivor_deals = set(DealContact.objects.filter(contact=survivor).values_list("deal_id", flat=True))
    for link in DealContact.objects.filter(contact=duplicate):
        if link.deal_id in survivor_deals:
            was_primary = link.is_primary
            link.delete()
            if was_primary:
                DealContact.objects.filter(deal_id=link.deal_id, contact=survivor).update(is_primary=True)
        else:
            link.contact = survivor
            link.save(update_fields=["contact"])

    if survivor.account_id is None and duplicate.account_id is not None:
        survivor.account_id = duplicate.account_id
        survivor.save(update_fields=["account", "updated_at"])

    now = timezone.now()
    duplicate.status = ContactStatus.MERGED
    duplicate.merged_into = survivor
    duplicate.account = None
    # The date it left the contact list, and who took it off: it orders the archived list
    # and starts A5's year; an archived duplicate keeps its archive's date and author.
    if duplicate.archived_at is None:
        duplicate.archived_at = now
        duplicate.archived_by = actor if getattr(actor, "is_authenticated", False) else None
    duplicate.save(update_fields=["status", "merged_into", "account", "archived_at", "archived_by", "updated_at"])
    audit_log(
        workspace_id=workspace.id,
        actor=actor,
        action=AuditEvent.Action.MERGE,
        contact_ids=[duplicate.id, survivor.id],
        details={"survivor": survivor.id, "duplicate": duplicate.id},
    )
    webhook_emit(
        workspace_id=workspace.id,
        type="contact.merged",
        data={"contacts": [duplicate.id], "survivor": survivor.id, "duplicate": duplicate.id},
    )
    return survivor
