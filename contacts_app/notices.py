"""Telling a user something happened (R13): an email through Django's email backend and
a notice on their next page view in the workspace."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from contacts_app.lib.sqlutil import CompiledQuery
from contacts_app.models import Notice, Workspace

log = logging.getLogger(__name__)


def notice_send(*, workspace: Workspace, user, subject: str, message: str, path: str) -> Notice:
    """Record the notice and email it (when the user has an address). `path` is the
    page it is about, made absolute with SITE_URL in the email.

    A mail server that is down only costs the email (logged): it used to roll the
    notice back with it, and the sweeper retried every 30 s for ever while nobody was
    told anything."""
    notice = Notice.objects.create(workspace=workspace, user=user, message=message, url=path)
    if user.email:  # U7: job numbers are the workspace's, so the email names the workspace
        where = gettext("Workspace: %(name)s") % {"name": workspace.name}
        body = f"{message}\n\n{where}\n{settings.SITE_URL.rstrip('/')}{path}\n"
        _email(f"[{workspace.name}] {subject}", body, user.email)
    return notice


def _email(subject: str, body: str, address: str) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    except (smtplib.SMTPException, OSError) as error:
        log.warning("The notice email to %s was not sent (%s); the notice is shown in the app", address, error)


_UNREAD = CompiledQuery(  # P5: asked on every page, compiled once
    lambda user_id, workspace_id: Notice.objects.filter(
        user_id=user_id, workspace_id=workspace_id, read_at__isnull=True
    ).values_list("id")[:1],
    user_id=int,
    workspace_id=int,
)


def notices_take(*, user, workspace: Workspace) -> list[Notice]:
    """The user's unread notices in this workspace, marked read now (shown once). Every
    page view asks, so the usual answer — none — is one indexed read, no transaction;
    only when there are some are they locked and marked."""
    if not _UNREAD(user_id=user.id, workspace_id=workspace.id):
        return []
    unread = Notice.objects.filter(user=user, workspace=workspace, read_at__isnull=True)
    with transaction.atomic():
        taken = list(unread.select_for_update(skip_locked=True).order_by("created_at"))
        if taken:
            Notice.objects.filter(id__in=[n.id for n in taken]).update(read_at=timezone.now())
    return taken
