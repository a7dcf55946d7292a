"""Contacts, lists, tags and sends: the normal actions that DO fire automations,
and editing (C2)."""

from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.automations import automations_fire
from contacts_app.deliverability import membership_status_for
from contacts_app.lib.addresses import normalize_email
from contacts_app.lib.errors import Conflict, InvalidInput, NotFound
from contacts_app.lib.hygiene import clean_text
from contacts_app.lifecycle import restorable_from
from contacts_app.models import (
    Account,
    AuditEvent,
    CampaignSend,
    Contact,
    ContactStatus,
    ContactTag,
    ListMembership,
    MailingList,
    MembershipStatus,
    Tag,
    Trigger,
    Workspace,
)
from contacts_app.services.suppression import suppressed_contact_ids, suppression_check


def _email_taken_error(workspace: Workspace, email: str) -> Conflict:
    existing = (
        Contact.objects.filter(workspace=workspace)
        .exclude(status=ContactStatus.MERGED)
        .annotate(lemail=Lower("email"))
        .filter(lemail=email.lower())
        .values_list("id", "status", "archived_at")
        .first()
    )
    contact_id, status, archived_at = existing or (None, None, None)
    if status == ContactStatus.ARCHIVED and restorable_from(archived_at) <= timezone.now():
        error = Conflict(
            _("%(email)s belongs to an archived contact. Restore it instead of adding it again.") % {"email": email},
            code="email_archived",
        )
    elif status == ContactStatus.ARCHIVED:
        error = Conflict(
            _(
                "%(email)s belongs to an archived contact. Restore it (from %(day)s, after the 30-day freeze) "
                "instead of adding it again."
            )
            % {"email": email, "day": date_format(restorable_from(archived_at))},
            code="email_archived",
        )
    else:
        error = Conflict(_("A contact with the email %(email)s already exists.") % {"email": email}, code="email_taken")
    error.contact_id = contact_id  # the pages link to it
    return error


def contact_create(
    *,
    workspace: Workspace,
    email: str,
    first_name: str = "",
    last_name: str = "",
    phone: str = "",
    list_ids: Iterable[int] = (),
    tag_ids: Iterable[int] = (),
    account_id: int | None = None,
    replaces: Contact | None = None,
    consent: bool = False,
    actor=None,
    actor_label: str = "",
) -> Contact:
    """Add a contact. Fires the contact-created, list-subscribed and tag-added
    automations like any normal action. Email is unique per workspace among
    non-merged contacts, case-insensitively (enforced by the database).

    Without `consent` the contact's list memberships are `unconfirmed`, never
    `subscribed`: we only email people who gave permission (C6). `replaces` links the
    new contact to the cleaned one whose address it corrects (C6, both ways)."""
    email = normalize_email(email)
    suppression_check(workspace=workspace, address=email)  # G2 (a form with consent lifts it first)
    lists = _workspace_objects(MailingList, workspace, list_ids, "list")
    tags = _workspace_objects(Tag, workspace, tag_ids, "tag")
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                workspace=workspace,
                email=email,
                **_names(first_name=first_name, last_name=last_name, phone=phone),
                account=_workspace_objects(Account, workspace, [account_id], "account")[0] if account_id else None,
                replaces=replaces if replaces is not None and replaces.workspace_id == workspace.id else None,
            )
            audit_log(
                workspace_id=workspace.id,
                actor=actor,
                actor_label=actor_label,
                action=AuditEvent.Action.CONTACT_CREATE,
                contact_ids=[contact.id],
                details={"consent": consent},
            )
            automations_fire(workspace_id=workspace.id, trigger=Trigger.CONTACT_CREATED, contact_ids=[contact.id])
            status = MembershipStatus.SUBSCRIBED if consent else MembershipStatus.UNCONFIRMED
            for mailing_list in lists:
                list_subscribe(contact=contact, mailing_list=mailing_list, status=status)
            for tag in tags:
                tag_add(contact=contact, tag=tag)
    except IntegrityError:
        raise _email_taken_error(workspace, email) from None
    return contact


def _names(**values: str) -> dict[str, str]:
    """Names and phone as typed (trimmed); S4: refused, never cut, when they do not fit."""
    return {
        field: clean_text(value.strip(), field=field, max_length=Contact._meta.get_field(field).max_length)
        for field, value in values.items()
    }


def _workspace_objects(model, workspace: Workspace, ids: Iterable[int], label: str) -> list:
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        raise InvalidInput(_("Each %(what)s must be given by its numeric id.") % {"what": label}) from None
    found = list(model.objects.filter(workspace=workspace, id__in=wanted))
    if len(found) != len(wanted):
        raise NotFound(
            _("Unknown %(what)s id(s): %(ids)s.") % {"what": label, "ids": sorted(wanted - {o.id for o in found})}
        )
    return found


def _require_active(contact: Contact) -> None:
    if contact.status != ContactStatus.ACTIVE:
        raise Conflict(
            _("%(email)s is %(status)s; only active contacts can be changed.")
            % {"email": contact.email, "status": contact.get_status_display().lower()},
            code="not_active",
        )


def list_subscribe(*, contact: Contact, mailing_list: MailingList, status: str = MembershipStatus.SUBSCRIBED) -> bool:
    """Put the contact on the list with `status`. Fires the list-subscribed
    automations when the contact becomes subscribed. Returns True if it fired."""
    _require_active(contact)
    if mailing_list.workspace_id != contact.workspace_id:
        raise NotFound(_("Unknown list."))
    status = membership_status_for(email_status=contact.email_status, wanted=status)
    membership, created = ListMembership.objects.get_or_create(
        contact=contact, mailing_list=mailing_list, defaults={"status": status}
    )
    was_subscribed = not created and membership.status == MembershipStatus.SUBSCRIBED
    if not created and membership.status != status:
        membership.status = status
        membership.save(update_fields=["status"])
    if status == MembershipStatus.SUBSCRIBED and not was_subscribed:
        automations_fire(
            workspace_id=contact.workspace_id,
            trigger=Trigger.LIST_SUBSCRIBED,
            contact_ids=[contact.id],
            list_id=mailing_list.id,
        )
        return True
    return False


def tag_add(*, contact: Contact, tag: Tag) -> bool:
    """Tag the contact; fires the tag-added automations when the tag is new on it."""
    _require_active(contact)
    if tag.workspace_id != contact.workspace_id:
        raise NotFound(_("Unknown tag."))
    __, created = ContactTag.objects.get_or_create(contact=contact, tag=tag)
    if created:
        automations_fire(
            workspace_id=contact.workspace_id, trigger=Trigger.TAG_ADDED, contact_ids=[contact.id], tag_id=tag.id
        )
    return created


def campaign_send(*, workspace: Workspace, mailing_list: MailingList, subject: str) -> int:
    """Queue a campaign to the list's subscribed members. A4/C2: archived, merged
    and cleaned contacts receive nothing; G2: nor an address suppressed by hand."""
    if mailing_list.workspace_id != workspace.id:
        raise NotFound(_("Unknown list."))
    recipients = list(
        Contact.objects.in_workspace(workspace)
        .sendable()
        .filter(list_memberships__mailing_list=mailing_list, list_memberships__status=MembershipStatus.SUBSCRIBED)
        .values_list("id", "email")
    )
    blocked = suppressed_contact_ids(workspace_id=workspace.id, contacts=recipients)  # G2
    sends = [
        CampaignSend(workspace=workspace, contact_id=cid, mailing_list=mailing_list, subject=subject)
        for cid, _email in recipients
        if cid not in blocked
    ]
    CampaignSend.objects.bulk_create(sends, batch_size=1000)
    return len(sends)


# --- Editing (C2) ----------------------------------------------------------------------


def contact_update(*, contact: Contact, email: str, first_name: str, last_name: str, phone: str, actor=None) -> Contact:
    """Edit a contact. C2: a cleaned contact is read-only; the fix for a typo is a new
    contact with the corrected address (C6)."""
    if contact.is_cleaned:
        raise Conflict(
            _(
                "This address bounced and was cleaned, so the contact cannot be edited. "
                "If the address had a typo, add the corrected address as a new contact."
            ),
            code="contact_cleaned",
        )
    _require_active(contact)
    email = normalize_email(email)
    if email.lower() != contact.email.lower():
        suppression_check(workspace=contact.workspace, address=email)  # G2
    contact.email = email
    for field, value in _names(first_name=first_name, last_name=last_name, phone=phone).items():
        setattr(contact, field, value)
    try:
        with transaction.atomic():
            contact.save(update_fields=["email", "first_name", "last_name", "phone", "updated_at"])
    except IntegrityError:
        raise _email_taken_error(contact.workspace, contact.email) from None
    return contact
