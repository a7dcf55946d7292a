"""Automatic restore by a form submission (R9), and the form's double opt-in.

How R6 and the form's own subscription meet (docs/decisions.md): the restore puts
back every list membership with the status it had (R6); then the form subscribes the
visitor to the form's lists, as for anyone — the person has just asked, with the consent
box ticked. With double opt-in, a list the visitor is not already subscribed to becomes
`unconfirmed` until they follow the emailed link; a subscription R6 put back is never
downgraded."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts_app.jobs.queueing import publish, publish_soon
from contacts_app.lib.errors import Conflict, InvalidInput, NotFound
from contacts_app.lifecycle import Outcome, skip_reason
from contacts_app.models import (
    Contact,
    ContactStatus,
    Form,
    ListMembership,
    MembershipStatus,
    RestoreSource,
)
from contacts_app.services.contacts import (
    contact_create,
    list_subscribe,
    normalize_email,
)
from contacts_app.services.purge import contacts_purge
from contacts_app.services.suppression import suppressed_addresses, suppression_lift_by_consent

from ..models import FormSubmission
from .form_confirmation import COMEBACK_TASK, Confirmation, comeback_details, comeback_token
from .restoring import contacts_restore

log = logging.getLogger(__name__)

CONFIRMATIONS_TASK = "restore.tasks.form_confirmations_send_task"
RESUBMISSION_WINDOW = timedelta(hours=1)  # one person sending a form again within it is one submission


@dataclass
class FormSubmissionResult:
    contact: Contact | None  # None: a suppressed address waits for its owner's emailed confirmation (G2)
    created: bool
    restored: bool
    submission: FormSubmission | None = None
    form_double_opt_in: bool = False

    @property
    def needs_confirmation(self) -> bool:
        """What the visitor is told. For a suppressed address (no contact yet) it follows
        the form's setting, like any address, so the answer tells no one it was suppressed."""
        if self.contact is None:
            return self.form_double_opt_in
        return bool(self.submission and self.submission.double_opt_in and self.submission.confirmed_at is None)


def form_find(*, form_ref: str) -> Form | None:
    """S3: an active form by its public id; an all-digit reference is the integer id the
    first API clients were given (kept working, see docs/decisions.md). Unknown and
    inactive forms are alike: nothing tells one from the other."""
    forms = Form.objects.select_related("workspace").filter(is_active=True)
    if form_ref.isascii() and form_ref.isdigit() and len(form_ref) <= 18:
        return forms.filter(id=int(form_ref)).first()
    return forms.filter(public_id=form_ref).first() if len(form_ref) <= 32 else None


def form_get(*, form_ref: str) -> Form:
    """`form_find`, or the 404 an unknown or inactive form answers (R9)."""
    form = form_find(form_ref=str(form_ref))
    if form is None:
        raise NotFound(_("This form does not exist or no longer accepts submissions."))
    return form


def form_submission_save(
    *,
    form: Form,
    email: str,
    first_name: str = "",
    last_name: str = "",
    consent: bool | None = True,
    email_confirmed: bool = False,
) -> FormSubmissionResult:
    """R9: a visitor submits an ACTIVE form (found by `form_find`). An archived contact
    with that email is restored at once (R6 applied, no freeze, no automation from the
    restore itself), then the form subscribes them like anyone. Concurrent submissions
    of one email resolve to one contact. With double opt-in, the confirmation email is
    sent by a worker once this commits (not again when `email_confirmed`: the visitor
    has just followed an emailed link). `consent` False is refused: a form subscribes.

    G2: an address on the suppression list comes back only by its owner's hand: nothing
    is stored; the address is emailed a link (form_confirmation.comeback_token) whose
    confirmation lifts the suppression, audited, and submits again. The page the visitor
    sees is the one the form shows anyone, so it tells no one the address was suppressed."""
    email = normalize_email(email)
    if consent is False:
        raise InvalidInput(_("Tick the box to agree to receive our emails."), code="consent_required")
    if suppressed_addresses(workspace=form.workspace, addresses=[email]):
        token = comeback_token(form=form, email=email, first_name=first_name, last_name=last_name)
        publish_soon(lambda: publish(COMEBACK_TASK, form.id, token), name="form-comeback")
        return FormSubmissionResult(contact=None, created=False, restored=False, form_double_opt_in=form.double_opt_in)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                result = _form_submit_once(
                    form=form, email=email, first_name=first_name, last_name=last_name, email_confirmed=email_confirmed
                )
                if result.needs_confirmation:
                    transaction.on_commit(
                        lambda: publish_soon(lambda: publish(CONFIRMATIONS_TASK), name="form-confirmations")
                    )
                return result
        except (IntegrityError, Conflict) as exc:
            if isinstance(exc, Conflict) and exc.code != "email_taken":
                raise
            continue  # a concurrent submission created the contact first: take the existing path
    raise Conflict(_("Too many simultaneous submissions for this address; please try again."), code="busy")


def form_comeback_confirm(*, form: Form, token: str) -> str:
    """G2: the owner of a suppressed address followed the emailed link: the suppression
    is lifted (audited) and the form submitted again, its lists subscribed at once (the
    link proved the address). Twice is harmless. Returns the confirmation's state."""
    details = comeback_details(token, public_id=form.public_id)
    if details is None:
        return "invalid"
    if not suppressed_addresses(workspace=form.workspace, addresses=[details["email"]]):
        return Confirmation.ALREADY  # followed before (or lifted otherwise): nothing more to do
    with transaction.atomic():
        suppression_lift_by_consent(workspace=form.workspace, address=details["email"], form_id=form.id)
        result = form_submission_save(
            form=form,
            email=details["email"],
            first_name=details["first_name"],
            last_name=details["last_name"],
            email_confirmed=True,
        )
        if result.submission is not None:  # the link confirmed the address: say so (the access request shows it)
            FormSubmission.objects.filter(id=result.submission.id).update(confirmed_at=timezone.now())
    return Confirmation.CONFIRMED


def comeback_state(*, form: Form, token: str) -> str:
    """What the link's page shows before its button: "ask", or "already" once followed."""
    details = comeback_details(token, public_id=form.public_id)
    if details is not None and not suppressed_addresses(workspace=form.workspace, addresses=[details["email"]]):
        return Confirmation.ALREADY
    return "ask"


def _form_submit_once(
    *, form: Form, email: str, first_name: str, last_name: str, email_confirmed: bool = False
) -> FormSubmissionResult:
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
        contact = contact_create(
            workspace=ws, email=email, first_name=first_name, last_name=last_name, consent=True, actor_label="form"
        )
        created = True
    pending = _form_lists_subscribe(
        form=form, contact=contact, double_opt_in=form.double_opt_in and not email_confirmed
    )
    recent = (
        FormSubmission.objects.select_for_update()
        .filter(form=form, contact=contact, created_at__gte=now - RESUBMISSION_WINDOW)
        .order_by("-id")
        .first()
    )
    if recent is not None:
        # The same person again within the hour (a double click, a bot replaying): one
        # submission counted, and one confirmation email — the first one's link works.
        return FormSubmissionResult(contact=contact, created=created, restored=restored, submission=recent)
    outcome = (
        FormSubmission.Outcome.CREATED
        if created
        else FormSubmission.Outcome.RESTORED
        if restored
        else FormSubmission.Outcome.UPDATED
    )
    submission = FormSubmission.objects.create(
        form=form,
        contact=contact,
        outcome=outcome,
        created_at=now,
        double_opt_in=pending,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    return FormSubmissionResult(contact=contact, created=created, restored=restored, submission=submission)


def _form_lists_subscribe(*, form: Form, contact: Contact, double_opt_in: bool) -> bool:
    """The form's own effect (R9): its lists. Without double opt-in, subscribed now (the
    list-subscribed automations fire, as for any new subscriber). With it, a list the
    contact is not already subscribed to waits `unconfirmed`; True when one does."""
    lists = list(form.lists.all())
    if not double_opt_in:
        for mailing_list in lists:
            list_subscribe(contact=contact, mailing_list=mailing_list, status=MembershipStatus.SUBSCRIBED)
        return False
    subscribed = set(
        ListMembership.objects.filter(
            contact=contact, mailing_list__in=lists, status=MembershipStatus.SUBSCRIBED
        ).values_list("mailing_list_id", flat=True)
    )
    pending = False
    for mailing_list in lists:
        if mailing_list.id not in subscribed:
            list_subscribe(contact=contact, mailing_list=mailing_list, status=MembershipStatus.UNCONFIRMED)
            pending = True
    return pending
