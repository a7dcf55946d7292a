"""Automatic restore by a form submission (R9), and the form's double opt-in.

How R6 and the form's own subscription meet (docs/decisions.md): the restore puts
back every list membership with the status it had (R6); then the form subscribes the
visitor to the form's lists, as for anyone — the person has just asked, with the consent
box ticked. With double opt-in, a list the visitor is not already subscribed to becomes
`unconfirmed` until they follow the emailed link; a subscription R6 put back is never
downgraded."""

import logging
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts_app.jobs.queueing import publish, publish_soon
from contacts_app.lib.errors import Conflict, NotFound
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

from ..models import FormSubmission
from .restoring import contacts_restore

log = logging.getLogger(__name__)

CONFIRM_SALT = "restore.form_confirm"
CONFIRM_MAX_AGE = timedelta(days=7)  # the emailed link works for a week
CONFIRM_SEND_WITHIN = timedelta(days=1)  # a confirmation not sent within a day is not sent late
CONFIRMATIONS_TASK = "restore.tasks.form_confirmations_send_task"
RESUBMISSION_WINDOW = timedelta(hours=1)  # one person sending a form again within it is one submission


@dataclass
class FormSubmissionResult:
    contact: Contact
    created: bool
    restored: bool
    submission: FormSubmission | None = None

    @property
    def needs_confirmation(self) -> bool:
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


def form_submission_save(*, form: Form, email: str, first_name: str = "", last_name: str = "") -> FormSubmissionResult:
    """R9: a visitor submits an ACTIVE form (found by `form_find`). An archived contact
    with that email is restored at once (R6 applied, no freeze, no automation from the
    restore itself), then the form subscribes them like anyone. Concurrent submissions
    of one email resolve to one contact. With double
    opt-in, the confirmation email is sent by a worker once this commits."""
    email = normalize_email(email)
    for _attempt in range(3):
        try:
            with transaction.atomic():
                result = _form_submit_once(form=form, email=email, first_name=first_name, last_name=last_name)
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
    pending = _form_lists_subscribe(form=form, contact=contact)
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


def _form_lists_subscribe(*, form: Form, contact: Contact) -> bool:
    """The form's own effect (R9): its lists. Without double opt-in, subscribed now (the
    list-subscribed automations fire, as for any new subscriber). With it, a list the
    contact is not already subscribed to waits `unconfirmed`; True when one does."""
    lists = list(form.lists.all())
    if not form.double_opt_in:
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


def confirmation_token(submission: FormSubmission) -> str:
    return signing.dumps([submission.form.public_id, submission.id], salt=CONFIRM_SALT)


def confirmation_submission_id(token: str, *, public_id: str) -> int | None:
    """The submission a confirmation link of form `public_id` is for; None when the link
    was altered, is another form's, or is older than CONFIRM_MAX_AGE."""
    try:
        value = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is one
        return None
    if not (isinstance(value, list) and len(value) == 2 and value[0] == public_id and isinstance(value[1], int)):
        return None
    return value[1]


class Confirmation:
    CONFIRMED = "confirmed"
    ALREADY = "already"
    GONE = "gone"  # the contact was archived, merged or deleted since


def submission_confirmed(*, submission_id: int) -> bool:
    return FormSubmission.objects.filter(id=submission_id, confirmed_at__isnull=False).exists()


def form_submission_confirm(*, submission_id: int, now: datetime | None = None) -> str:
    """R9's double opt-in: the visitor followed the emailed link. The form's lists still
    `unconfirmed` become subscribed (their automations fire now, as for any new
    subscriber). Twice is harmless: the submission row, locked, says it was done."""
    now = now or timezone.now()
    with transaction.atomic():
        submission = (
            FormSubmission.objects.select_for_update(of=("self",))
            .select_related("contact", "form")
            .filter(id=submission_id, double_opt_in=True)
            .first()
        )
        if submission is None or submission.contact is None:
            return Confirmation.GONE
        if submission.confirmed_at is not None:
            return Confirmation.ALREADY
        contact = submission.contact
        if contact.status != ContactStatus.ACTIVE:
            return Confirmation.GONE
        waiting = ListMembership.objects.filter(
            contact=contact, mailing_list__in=submission.form.lists.all(), status=MembershipStatus.UNCONFIRMED
        ).select_related("mailing_list")
        for membership in waiting:
            list_subscribe(contact=contact, mailing_list=membership.mailing_list, status=MembershipStatus.SUBSCRIBED)
        submission.confirmed_at = now
        submission.save(update_fields=["confirmed_at"])
    return Confirmation.CONFIRMED


def form_confirmations_send(*, now: datetime | None = None, limit: int = 200) -> int:
    """Email each double opt-in submission its confirmation link, once: each is claimed
    by a conditional update (its row count checked), so two workers never both send;
    a mail server that refuses puts it back for the next sweep. Returns how many were sent."""
    now = now or timezone.now()
    due = list(
        FormSubmission.objects.filter(
            double_opt_in=True, confirmation_sent_at__isnull=True, created_at__gte=now - CONFIRM_SEND_WITHIN
        )
        .order_by("id")
        .values_list("id", flat=True)[:limit]
    )
    sent = 0
    for submission_id in due:
        if not FormSubmission.objects.filter(id=submission_id, confirmation_sent_at__isnull=True).update(
            confirmation_sent_at=now
        ):
            continue  # another worker has it
        submission = (
            FormSubmission.objects.select_related("form__workspace", "contact").filter(id=submission_id).first()
        )
        if submission is None or submission.contact is None:
            continue
        try:
            _confirmation_email(submission)
        except (smtplib.SMTPException, OSError) as error:
            log.warning("Form confirmation %s not sent (%s); retried on the next sweep", submission_id, error)
            FormSubmission.objects.filter(id=submission_id).update(confirmation_sent_at=None)
            continue
        sent += 1
    return sent


def _confirmation_email(submission: FormSubmission) -> None:
    """In the language the visitor used on the form (U3)."""
    form = submission.form
    path = reverse("form_confirm", kwargs={"public_id": form.public_id, "token": confirmation_token(submission)})
    link = f"{settings.SITE_URL.rstrip('/')}{path}"
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        subject = _("Confirm your subscription to %(name)s") % {"name": form.workspace.name}
        first = submission.contact.first_name.strip()
        hello = _("Hello %(name)s,") % {"name": first} if first else _("Hello,")
        body = hello + _(
            "\n\nYou asked to receive emails from %(name)s through the form “%(form)s”. "
            "To confirm, open this link within 7 days:\n\n%(link)s\n\n"
            "If you did not ask for this, ignore this email: you will not be subscribed."
        ) % {"name": form.workspace.name, "form": form.name, "link": link}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [submission.contact.email])
