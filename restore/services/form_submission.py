"""Automatic restore by a form submission (R9)."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts_app.lib.errors import Conflict, NotFound
from contacts_app.lifecycle import Outcome, skip_reason
from contacts_app.models import (
    Contact,
    ContactStatus,
    Form,
    MembershipStatus,
    RestoreSource,
)
from contacts_app.services.contacts import (
    contact_create,
    list_subscribe,
    normalize_email,
)
from contacts_app.services.purge import contacts_purge

from .restoring import contacts_restore


@dataclass
class FormSubmissionResult:
    contact: Contact
    created: bool
    restored: bool


def form_find(*, form_ref: str) -> Form | None:
    """S3: an active form by its public id; an all-digit reference is the integer id the
    first API clients were given (kept working, see docs/decisions.md). Unknown and
    inactive forms are alike: nothing tells one from the other."""
    forms = Form.objects.select_related("workspace").filter(is_active=True)
    if form_ref.isascii() and form_ref.isdigit() and len(form_ref) <= 18:
        return forms.filter(id=int(form_ref)).first()
    return forms.filter(public_id=form_ref).first() if len(form_ref) <= 32 else None


def form_submit(*, form_ref: str, email: str, first_name: str = "", last_name: str = "") -> FormSubmissionResult:
    """R9: a visitor submits an ACTIVE form. An archived contact with that email is
    restored at once (R6 applied, no freeze, no automation from the restore itself),
    then the form subscribes them like anyone. An inactive or unknown form: 404.
    Concurrent submissions of one email resolve to one contact."""
    form = form_find(form_ref=str(form_ref))
    if form is None:
        raise NotFound(_("This form does not exist or no longer accepts submissions."))
    return form_submission_save(form=form, email=email, first_name=first_name, last_name=last_name)


def form_submission_save(*, form: Form, email: str, first_name: str = "", last_name: str = "") -> FormSubmissionResult:
    """R9: `form_submit` for a form already found (the hosted page has it)."""
    email = normalize_email(email)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _form_submit_once(form=form, email=email, first_name=first_name, last_name=last_name)
        except (IntegrityError, Conflict) as exc:
            if isinstance(exc, Conflict) and exc.code != "email_taken":
                raise
            continue  # a concurrent submission created the contact first: take the existing path
    raise Conflict(_("Too many simultaneous submissions for this address; please try again."), code="busy")


def _form_submit_once(*, form: Form, email: str, first_name: str, last_name: str) -> FormSubmissionResult:
    ws = form.workspace
    contact = (
        Contact.objects.select_for_update()
        .filter(workspace=ws)
        .exclude(status=ContactStatus.MERGED)
        .annotate(lemail=Lower("email"))
        .filter(lemail=email.lower())
        .first()
    )
    created = restored = False
    now = timezone.now()
    if contact and contact.status == ContactStatus.ARCHIVED:
        if (
            skip_reason(status=contact.status, archived_at=contact.archived_at, now=now, respect_freeze=False)
            == Outcome.EXPIRED
        ):
            # Past the one-year window it is due for purge (A5): purge it now, start afresh.
            contacts_purge(workspace=ws, contact_ids=[contact.id], reason="expired on form submission")
            contact = None
        else:
            contacts_restore(
                workspace=ws,
                contact_ids=[contact.id],
                source=RestoreSource.FORM,
                respect_freeze=False,
                now=now,
                form=form,
            )
            contact.refresh_from_db()
            restored = True
    if contact is None:
        contact = contact_create(workspace=ws, email=email, first_name=first_name, last_name=last_name, consent=True)
        created = True
    for mailing_list in form.lists.all():
        list_subscribe(contact=contact, mailing_list=mailing_list, status=MembershipStatus.SUBSCRIBED)
    return FormSubmissionResult(contact=contact, created=created, restored=restored)
