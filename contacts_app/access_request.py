"""G3: the access request — everything held about one contact, as a JSON file and as a
readable page, from one selector. Sections are declared once each: this app's below;
the restore and cleaned apps register theirs (form submissions, bounce evidence,
cleanings) in their AppConfig.ready, so contacts_app never imports them. The same
sections are what an erasure's confirmation counts (G1)."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import connection, models
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts_app.audit import actor_words
from contacts_app.models import (
    ArchiveRecord,
    AuditEvent,
    AutomationRun,
    CampaignSend,
    Contact,
    ContactStatus,
    EmailStatus,
    ListMembership,
    MembershipStatus,
    Trigger,
)


@dataclass(frozen=True)
class DataSection:
    key: str  # the JSON key
    title: str  # lazy: the page's heading
    columns: tuple[tuple[str, str], ...]  # (key, lazy label)
    rows: Callable[[Contact], list[dict]]
    # Stored words shown in the reader's language (U7): a column's choices, or a function.
    words: tuple[tuple[str, type[models.TextChoices] | Callable[[str], str]], ...] = ()
    erased: bool = True  # G1 deletes these rows (False: they stay, without the person's data)
    single: bool = False  # one row: an object in the JSON, not a list
    deleted_as: str = ""  # lazy: what an erasure's confirmation calls these rows (default: the title)


_SECTIONS: dict[str, DataSection] = {}


def contact_data_section_register(section: DataSection) -> None:
    _SECTIONS[section.key] = section


def contact_data(*, contact: Contact) -> dict:
    """G3: the JSON document (dates in ISO 8601, UTC)."""
    return {
        "generated_at": timezone.now().isoformat(),
        "workspace": contact.workspace.slug,
        **{key: _json(section, section.rows(contact)) for key, section in _SECTIONS.items()},
    }


def contact_data_sections(*, contact: Contact) -> list[tuple[DataSection, list[dict]]]:
    """G3: the page's sections, each with its rows (values as the reader reads them)."""
    return [(section, [_display_row(r, section) for r in section.rows(contact)]) for section in _SECTIONS.values()]


def contact_data_counts(*, contact: Contact) -> list[tuple[str, int]]:
    """G1's confirmation: (section title, how many rows) of what erasing deletes."""
    deleted = [s for s in _SECTIONS.values() if s.erased]
    return [(str(s.deleted_as or s.title), len(rows)) for s, rows in ((s, s.rows(contact)) for s in deleted) if rows]


def _json(section: DataSection, rows: list[dict]):
    found = [_json_row(r) for r in rows]
    return (found[0] if found else None) if section.single else found


def _json_row(row: dict) -> dict:
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in row.items()}


def _display_row(row: dict, section: DataSection) -> dict:
    words = dict(section.words)

    def shown(key, value):
        word = words.get(key)
        if isinstance(word, type) and value in word.values:
            return word(value).label
        if callable(word) and not isinstance(word, type) and value:
            return word(value)
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "DATETIME_FORMAT")
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) or "—"
        return "—" if value in (None, "") else value

    return {k: shown(k, v) for k, v in row.items()}


# --- this app's sections ---------------------------------------------------------------


def _contact(contact: Contact) -> list[dict]:
    return [
        {
            "id": contact.id,
            "email": contact.email,
            "first_name": contact.first_name,
            "last_name": contact.last_name,
            "phone": contact.phone,
            "status": contact.status,
            "email_status": contact.email_status,
            "account": contact.account.name if contact.account_id else None,
            "created_at": contact.created_at,
            "archived_at": contact.archived_at,
            "cleaned_at": contact.cleaned_at,
            "cleaned_reason": contact.cleaned_reason,
            "bounce_count": contact.bounce_count,
            "last_engaged_at": contact.last_engaged_at,
        }
    ]


def _merged(contact: Contact) -> list[dict]:
    """Records merged into this one: the same person's older data (erased with it)."""
    older = Contact.objects.filter(workspace_id=contact.workspace_id, merged_into=contact).order_by("id")
    return [
        {
            "email": c.email,
            "first_name": c.first_name,
            "last_name": c.last_name,
            "phone": c.phone,
            "created_at": c.created_at,
            "merged_at": c.archived_at,
        }
        for c in older
    ]


def _sends(contact: Contact) -> list[dict]:
    sends = CampaignSend.objects.filter(contact=contact).select_related("automation", "mailing_list").order_by("id")
    return [
        {
            "subject": s.subject,
            "queued_at": s.created_at,
            "by": s.automation.name if s.automation_id else (s.mailing_list.name if s.mailing_list_id else ""),
        }
        for s in sends
    ]


def _automation_runs(contact: Contact) -> list[dict]:
    runs = AutomationRun.objects.filter(contact=contact).select_related("automation").order_by("id")
    return [{"automation": r.automation.name, "trigger": r.trigger, "at": r.created_at} for r in runs]


def _lists(contact: Contact) -> list[dict]:
    memberships = ListMembership.objects.filter(contact=contact).select_related("mailing_list").order_by("id")
    return [{"list": m.mailing_list.name, "status": m.status, "since": m.created_at} for m in memberships]


def _tags(contact: Contact) -> list[dict]:
    return [{"tag": t.name} for t in contact.tags.order_by("name")]


def _deals(contact: Contact) -> list[dict]:
    links = contact.deal_links.select_related("deal").order_by("id")
    return [{"deal": d.deal.title, "primary": d.is_primary, "since": d.created_at} for d in links]


def _archive_history(contact: Contact) -> list[dict]:
    records = (
        ArchiveRecord.objects.filter(contact=contact)
        .prefetch_related("list_memberships", "tags", "deal_links")
        .order_by("archived_at")
    )
    return [
        {
            "archived_at": r.archived_at,
            "restored_at": r.restored_at,
            "lists": [m.list_name for m in r.list_memberships.all()],
            "tags": [t.tag_name for t in r.tags.all()],
            "deals": [d.deal_title for d in r.deal_links.all()],
            "account": r.account_name,
        }
        for r in records
    ]


def audit_events_about(*, contact: Contact):
    """The workspace's activity rows that name this contact (its id in `contact_ids`)."""
    events = AuditEvent.objects.filter(workspace_id=contact.workspace_id).order_by("created_at", "id")
    if connection.vendor == "postgresql":
        return list(events.filter(contact_ids__contains=[contact.id]))
    # SQLite (the demo) has no JSON containment: a text match, then the exact check.
    candidates = events.annotate(_ids=Cast("contact_ids", TextField())).filter(_ids__contains=str(contact.id))
    return [e for e in candidates if contact.id in e.contact_ids]


def _audit(contact: Contact) -> list[dict]:
    return [
        {
            "at": e.created_at,
            "action": e.action,
            "by": actor_words(e),
            "contacts": e.count,
        }
        for e in audit_events_about(contact=contact)
    ]


_DELETED_AS = {  # G1's confirmation: what goes, in words that do not suggest the lists themselves go
    "contact": gettext_lazy("The contact"),
    "lists": gettext_lazy("List memberships (the lists stay)"),
    "tags": gettext_lazy("Tags on it (the tags stay)"),
    "deals": gettext_lazy("Deal links"),
    "archive_history": gettext_lazy("Archive records and their snapshots"),
    "emails_sent": gettext_lazy("The record of emails sent"),
    "automation_runs": gettext_lazy("Automation runs"),
}

for _section in (
    DataSection(
        "contact",
        gettext_lazy("Contact"),
        (
            ("email", gettext_lazy("Email")),
            ("first_name", gettext_lazy("First name")),
            ("last_name", gettext_lazy("Last name")),
            ("phone", gettext_lazy("Phone")),
            ("status", gettext_lazy("Status")),
            ("email_status", gettext_lazy("Email status")),
            ("account", gettext_lazy("Account")),
            ("created_at", gettext_lazy("Created")),
            ("archived_at", gettext_lazy("Archived")),
            ("cleaned_at", gettext_lazy("Cleaned")),
            ("cleaned_reason", gettext_lazy("Why cleaned")),
            ("bounce_count", gettext_lazy("Bounces")),
            ("last_engaged_at", gettext_lazy("Last opened or clicked")),
        ),
        _contact,
        (("status", ContactStatus), ("email_status", EmailStatus)),
        single=True,
    ),
    DataSection(
        "merged_records",
        gettext_lazy("Records merged into it"),
        (
            ("email", gettext_lazy("Email")),
            ("first_name", gettext_lazy("First name")),
            ("last_name", gettext_lazy("Last name")),
            ("phone", gettext_lazy("Phone")),
            ("created_at", gettext_lazy("Created")),
            ("merged_at", gettext_lazy("Merged")),
        ),
        _merged,
    ),
    DataSection(
        "lists",
        gettext_lazy("Lists"),
        (("list", gettext_lazy("List")), ("status", gettext_lazy("Status")), ("since", gettext_lazy("Joined"))),
        _lists,
        (("status", MembershipStatus),),
    ),
    DataSection("tags", gettext_lazy("Tags"), (("tag", gettext_lazy("Tag")),), _tags),
    DataSection(
        "emails_sent",
        gettext_lazy("Emails sent"),
        (("subject", gettext_lazy("Subject")), ("queued_at", gettext_lazy("When")), ("by", gettext_lazy("Sent by"))),
        _sends,
    ),
    DataSection(
        "automation_runs",
        gettext_lazy("Automations"),
        (
            ("automation", gettext_lazy("Automation")),
            ("trigger", gettext_lazy("Trigger")),
            ("at", gettext_lazy("When")),
        ),
        _automation_runs,
        (("trigger", Trigger),),
    ),
    DataSection(
        "deals",
        gettext_lazy("Deals"),
        (
            ("deal", gettext_lazy("Deal")),
            ("primary", gettext_lazy("Primary contact")),
            ("since", gettext_lazy("Since")),
        ),
        _deals,
    ),
    DataSection(
        "archive_history",
        gettext_lazy("Archive history"),
        (
            ("archived_at", gettext_lazy("Archived")),
            ("restored_at", gettext_lazy("Restored")),
            ("lists", gettext_lazy("Lists")),
            ("tags", gettext_lazy("Tags")),
            ("deals", gettext_lazy("Deals")),
            ("account", gettext_lazy("Account")),
        ),
        _archive_history,
    ),
    DataSection(
        "activity",
        gettext_lazy("Activity about this contact"),
        (
            ("at", gettext_lazy("When")),
            ("action", gettext_lazy("Action")),
            ("by", gettext_lazy("By")),
            ("contacts", gettext_lazy("Contacts")),
        ),
        _audit,
        (("action", AuditEvent.Action),),
        erased=False,  # the facts stay, scrubbed of the address
    ),
):
    contact_data_section_register(replace(_section, deleted_as=_DELETED_AS.get(_section.key, "")))
