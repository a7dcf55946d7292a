"""G1/G3 for what this app holds about a person: bounce events (also those that matched
no contact: found by address), cleanings and the incident-revert items that name them,
export files that list the person, and the typed words kept with exports and reverts.
Registered with contacts_app's erasure and access-request registries (apps.py)."""

import csv
from collections import Counter

from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy

from contacts_app.access_request import DataSection
from contacts_app.deliverability import provider_label
from contacts_app.lib.scrub import rows_scrub
from contacts_app.services.erasure import ErasureScope

from .models import (
    BounceClass,
    BounceEvent,
    BounceType,
    Cleaning,
    ExportJob,
    IncidentRevertItem,
    IncidentRevertJob,
)
from .services.exports import export_path, export_xlsx_path


def bounces_erase(scope: ErasureScope) -> None:
    """Every bounce event of the contacts, and every event for their addresses."""
    BounceEvent.objects.filter(workspace=scope.workspace, contact_id__in=scope.contact_ids).delete()
    BounceEvent.objects.annotate(lemail=Lower("email")).filter(
        workspace=scope.workspace, lemail__in=sorted(scope.addresses)
    ).delete()


def cleanings_erase(scope: ErasureScope) -> None:
    """Cleanings go with their contact (and their memberships and revert items with
    them); a running incident revert is told it has fewer to do, so it still ends."""
    cleanings = Cleaning.objects.filter(workspace=scope.workspace, contact_id__in=scope.contact_ids)
    pending = Counter(
        IncidentRevertItem.objects.filter(cleaning__in=cleanings, outcome="").values_list("job_id", flat=True)
    )
    for job_id, n in pending.items():
        IncidentRevertJob.objects.filter(id=job_id).update(requested=F("requested") - n)
    cleanings.delete()
    rows_scrub(IncidentRevertJob.objects.filter(workspace=scope.workspace), fields=["reason"], terms=scope.terms)


def exports_withdraw(scope: ErasureScope) -> None:
    """An export file that lists one of the addresses is deleted and marked withdrawn
    (the Exports page says why); the filters kept with exports lose typed addresses."""
    live = ExportJob.objects.filter(workspace=scope.workspace, file_deleted_at__isnull=True).exclude(file_name="")
    for job in live:
        if _file_lists(job, scope.addresses):
            export_path(job).unlink(missing_ok=True)
            export_xlsx_path(job).unlink(missing_ok=True)
            ExportJob.objects.filter(id=job.id).update(file_deleted_at=timezone.now(), withdrawn=True)
    rows_scrub(ExportJob.objects.filter(workspace=scope.workspace), fields=["filter"], terms=scope.terms)


def _file_lists(job: ExportJob, addresses: frozenset[str]) -> bool:
    path = export_path(job)
    if not path.is_file():
        return False
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return any(row and row[0].strip().lower() in addresses for row in csv.reader(fh))


def _bounce_rows(contact) -> list[dict]:
    events = BounceEvent.objects.filter(contact=contact).order_by("occurred_at", "id")
    return [
        {
            "occurred_at": e.occurred_at,
            "address": e.email,
            "type": e.type,
            "class": e.bounce_class,
            "code": e.code,
            "reason": e.reason,
            "diagnostic": e.diagnostic,
            "provider": e.provider,
        }
        for e in events
    ]


def _cleaning_rows(contact) -> list[dict]:
    cleanings = Cleaning.objects.filter(contact=contact).order_by("cleaned_at", "id")
    return [
        {
            "cleaned_at": c.cleaned_at,
            "class": c.bounce_class,
            "code": c.code,
            "provider": c.provider,
            "undone_at": c.undone_at,
            "undo_reason": c.undo_reason,
        }
        for c in cleanings
    ]


BOUNCES_SECTION = DataSection(
    "bounce_events",
    gettext_lazy("Bounce evidence"),
    (
        ("occurred_at", gettext_lazy("When")),
        ("address", gettext_lazy("Address")),
        ("type", gettext_lazy("Type")),
        ("class", gettext_lazy("Class")),
        ("code", gettext_lazy("Code")),
        ("diagnostic", gettext_lazy("Diagnostic")),
        ("provider", gettext_lazy("Provider")),
    ),
    _bounce_rows,
    (("type", BounceType), ("class", BounceClass), ("provider", provider_label)),
    deleted_as=gettext_lazy("Bounce events and their diagnostics"),
)
CLEANINGS_SECTION = DataSection(
    "cleanings",
    gettext_lazy("Cleanings"),
    (
        ("cleaned_at", gettext_lazy("Cleaned")),
        ("class", gettext_lazy("Class")),
        ("code", gettext_lazy("Code")),
        ("provider", gettext_lazy("Provider")),
        ("undone_at", gettext_lazy("Un-cleaned")),
    ),
    _cleaning_rows,
    (("class", BounceClass), ("provider", provider_label)),
)
