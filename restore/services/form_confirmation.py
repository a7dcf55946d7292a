"""R9's double opt-in: the confirmation link a visitor is emailed, and what following
it does. The submission itself is form_submission.py's."""

import base64
import hashlib
import json
import logging
import smtplib
from datetime import datetime, timedelta

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from contacts_app.models import ContactStatus, Form, ListMembership, MembershipStatus
from contacts_app.services.contacts import list_subscribe

from ..models import FormSubmission

log = logging.getLogger(__name__)

CONFIRM_SALT = "restore.form_confirm"
CONFIRM_MAX_AGE = timedelta(days=7)  # the emailed link works for a week
CONFIRM_SEND_WITHIN = timedelta(days=1)  # a confirmation not sent within a day is not sent late
COMEBACK_SALT = "restore.form_comeback"
COMEBACK_TASK = "restore.tasks.form_comeback_email_task"


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
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        _send_confirmation(
            form=form, first_name=submission.contact.first_name.strip(), address=submission.contact.email, path=path
        )


def _send_confirmation(*, form: Form, first_name: str, address: str, path: str) -> None:
    """The confirmation email, in the active language: a link valid 7 days."""
    link = f"{settings.SITE_URL.rstrip('/')}{path}"
    subject = _("Confirm your subscription to %(name)s") % {"name": form.workspace.name}
    hello = _("Hello %(name)s,") % {"name": first_name} if first_name else _("Hello,")
    body = hello + _(
        "\n\nYou asked to receive emails from %(name)s through the form “%(form)s”. "
        "To confirm, open this link within 7 days:\n\n%(link)s\n\n"
        "If you did not ask for this, ignore this email: you will not be subscribed."
    ) % {"name": form.workspace.name, "form": form.name, "link": link}
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])


def _comeback_fernet() -> Fernet:
    key = hashlib.sha256(f"{COMEBACK_SALT}:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def comeback_token(*, form, email: str, first_name: str, last_name: str) -> str:
    """G2: what the owner of a suppressed address is emailed: the submission itself,
    encrypted (a link lands in logs and browser histories: it must not show the address),
    so that nothing about the address is stored until they confirm."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    payload = json.dumps([form.public_id, email, first_name, last_name, language]).encode()
    return _comeback_fernet().encrypt(payload).decode()


def comeback_details(token: str, *, public_id: str) -> dict | None:
    """The submission a come-back link of form `public_id` carries; None when altered,
    another form's or older than CONFIRM_MAX_AGE."""
    try:
        value = json.loads(_comeback_fernet().decrypt(token.encode(), ttl=int(CONFIRM_MAX_AGE.total_seconds())))
    except (InvalidToken, ValueError, UnicodeError):
        return None
    if not (isinstance(value, list) and len(value) == 5 and value[0] == public_id):
        return None
    return {"email": value[1], "first_name": value[2], "last_name": value[3], "language": value[4]}


def form_comeback_email_send(*, form_id: int, token: str) -> bool:
    """Email the come-back link, in the visitor's language (a worker: the request does not
    wait for the mail server). Lost, the visitor simply sends the form again."""
    form = Form.objects.select_related("workspace").filter(id=form_id, is_active=True).first()
    details = comeback_details(token, public_id=form.public_id) if form else None
    if details is None:
        return False
    path = reverse("form_confirm", kwargs={"public_id": form.public_id, "token": token})
    with translation.override(details["language"]):
        first = details["first_name"].strip()
        _send_confirmation(form=form, first_name=first, address=details["email"], path=path)
    return True
