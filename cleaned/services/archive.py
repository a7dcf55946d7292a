"""C5: bulk archive of cleaned contacts with a typed confirmation."""

from django.utils.translation import gettext as _

from contacts_app.lib.errors import InvalidInput
from contacts_app.models import Contact, EmailStatus, Workspace
from contacts_app.services.archive import contacts_archive

CONFIRMATION_WORD = "ARCHIVE"


def cleaned_contacts_archive(*, workspace: Workspace, contact_ids: list[int], confirmation: str, actor) -> int:
    """C5: archive cleaned contacts in bulk once the admin typed ARCHIVE. Uses the
    archive service, so their data is kept (A2)."""

    if confirmation.strip() != CONFIRMATION_WORD:
        raise InvalidInput(
            _("Type %(word)s in capital letters to confirm.") % {"word": CONFIRMATION_WORD},
            code="confirmation_required",
        )
    cleaned_ids = list(
        Contact.objects.filter(workspace=workspace, id__in=contact_ids, email_status=EmailStatus.CLEANED).values_list(
            "id", flat=True
        )
    )
    return contacts_archive(workspace=workspace, contact_ids=cleaned_ids, actor=actor)
