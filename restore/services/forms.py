"""R9: the workspace's forms, as its admins manage them (members only read). Every
change is audited in the transaction that makes it (U4)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts_app.audit import audit_log
from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.hygiene import clean_text, is_blank
from contacts_app.models import AuditEvent, Form, MailingList, Workspace

# What an admin sets on a form, besides its lists.
SETTINGS = (
    "name",
    "is_active",
    "ask_first_name",
    "ask_last_name",
    "consent_text",
    "thank_you_message",
    "double_opt_in",
)


def _checked(*, workspace: Workspace, values: dict, list_ids: list[int]) -> tuple[dict, list[MailingList]]:
    """S4: the values as typed or a refusal naming the field (never cut)."""
    name = values["name"]
    clean_text(name, field=_("Name"), max_length=Form._meta.get_field("name").max_length)
    if is_blank(name):
        raise InvalidInput(_("Give the form a name."), code="invalid_name")
    clean_text(values["consent_text"], field=_("Consent sentence"), max_length=500)
    clean_text(values["thank_you_message"], field=_("Thank-you message"), max_length=1000, multiline=True)
    wanted = set(list_ids)
    lists = list(MailingList.objects.filter(workspace=workspace, id__in=wanted).order_by("name"))
    if len(lists) != len(wanted):
        raise InvalidInput(_("One of the chosen lists does not exist in this workspace."), code="unknown_list")
    return {**values, "name": name.strip()}, lists


def form_save(*, workspace: Workspace, actor, list_ids: list[int], form: Form | None = None, **values) -> Form:
    """Create a form (`form` None) or change one: its name, lists, fields, consent
    sentence, thank-you message, double opt-in and whether it is active (R9)."""
    unknown = set(values) - set(SETTINGS)
    assert not unknown, unknown
    values, lists = _checked(workspace=workspace, values=values, list_ids=list_ids)
    with transaction.atomic():
        if form is None:
            form = Form.objects.create(workspace=workspace, **values)
            verb, changed = "created", sorted(values)
        else:
            form = Form.objects.select_for_update().get(id=form.id, workspace=workspace)
            changed = sorted(k for k, v in values.items() if getattr(form, k) != v)
            before = set(form.lists.values_list("id", flat=True))
            if before != {m.id for m in lists}:
                changed.append("lists")
            for key, value in values.items():
                setattr(form, key, value)
            form.updated_at = timezone.now()
            form.save()
            verb = "updated"
        form.lists.set(lists)
        if changed:
            audit_log(
                workspace_id=workspace.id,
                actor=actor,
                action=AuditEvent.Action.FORM_CHANGE,
                details={"verb": verb, "form": form.name, "form_id": form.id, "changed": changed},
            )
    return form


def form_deactivate(*, form: Form, actor) -> bool:
    """R9: an inactive form restores nobody and its page answers 404. False when it was
    already inactive (a second click changes nothing and writes no audit row)."""
    return _form_switch(form=form, actor=actor, active=False)


def form_activate(*, form: Form, actor) -> bool:
    """The undo of `form_deactivate`, alike."""
    return _form_switch(form=form, actor=actor, active=True)


def _form_switch(*, form: Form, actor, active: bool) -> bool:
    with transaction.atomic():
        done = Form.objects.filter(id=form.id, is_active=not active).update(is_active=active, updated_at=timezone.now())
        if done:
            audit_log(
                workspace_id=form.workspace_id,
                actor=actor,
                action=AuditEvent.Action.FORM_CHANGE,
                details={"verb": "activated" if active else "deactivated", "form": form.name, "form_id": form.id},
            )
    return bool(done)
