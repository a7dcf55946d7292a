"""C5: bulk archive of cleaned contacts with a typed confirmation."""

from contacts_app.models import Contact, EmailStatus, Workspace
from contacts_app.services.archive import CONFIRMATION_WORD, archive_confirmation_check
from contacts_app.services.archive_jobs import ArchiveRequest, archive_request

__all__ = ["CONFIRMATION_WORD", "cleaned_contacts_archive"]


def cleaned_contacts_archive(
    *, workspace: Workspace, contact_ids: list[int], confirmation: str, actor, all_matching: bool = False
) -> ArchiveRequest:
    """C5/A6: archive cleaned contacts in bulk once the admin typed ARCHIVE — at once for
    one chunk, else as an archive job. Uses the archive service, so their data is kept (A2)."""
    archive_confirmation_check(confirmation)
    cleaned_ids = list(
        Contact.objects.filter(workspace=workspace, id__in=contact_ids, email_status=EmailStatus.CLEANED)
        .order_by("id")
        .values_list("id", flat=True)
    )
    return archive_request(
        workspace=workspace,
        actor=actor,
        contact_ids=cleaned_ids,
        selection={"email_status": "cleaned", "ids": len(cleaned_ids)},
        all_matching=all_matching,
    )
