import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.translation import gettext_lazy as _

from contacts_app.deliverability import provider_label
from contacts_app.filters import ContactFilter
from contacts_app.lib.csv_stream import IsoUtc
from contacts_app.models import Contact, ContactStatus, EmailStatus

from .models import (
    BounceClass,
    BounceEvent,
    Cleaning,
    ExportJob,
    IncidentRevertItem,
    IncidentRevertJob,
)

CLEANING_CLASSES = [(c.value, c.label) for c in BounceClass if c != BounceClass.DELIVERED]


def cleaning_providers(*, workspace) -> list[str]:
    """The providers that cleaned addresses in this workspace (the filter's choices)."""
    return list(
        Cleaning.objects.filter(workspace=workspace).order_by("provider").values_list("provider", flat=True).distinct()
    )


class CleanedFilter(ContactFilter):
    """C4 + C7: the contact filters, and why the address was cleaned (the class and
    provider of the cleaning in force)."""

    bounce_class = django_filters.ChoiceFilter(
        choices=CLEANING_CLASSES, method="filter_cleaning", label=_("Why cleaned")
    )
    provider = django_filters.ChoiceFilter(choices=(), method="filter_cleaning", label=_("Provider"))

    def __init__(self, data=None, *, workspace, **kwargs):
        super().__init__(
            data, workspace=workspace, statuses=(ContactStatus.ACTIVE,), email_status=EmailStatus.CLEANED, **kwargs
        )
        self.filters["provider"].extra["choices"] = [
            (p, provider_label(p)) for p in cleaning_providers(workspace=workspace)
        ]

    def filter_cleaning(self, qs, name, value):
        open_cleaning = Cleaning.objects.filter(contact=OuterRef("pk"), undone_at__isnull=True, **{name: value})
        return qs.filter(Exists(open_cleaning))


# Every filter the cleaned view reads: what "select all matching", the export and the
# archive carry (carrying fewer, "Select all 0 matching" of ?status=archived archived
# every cleaned contact).
FILTER_KEYS = tuple(CleanedFilter.base_filters)


def cleaned_filter(params, *, workspace) -> CleanedFilter:
    """C4: the same filters as elsewhere, on active contacts whose address is cleaned."""
    return CleanedFilter(params, workspace=workspace)


def cleaned_contacts(*, workspace, params) -> QuerySet[Contact]:
    return cleaned_filter(params, workspace=workspace).qs_or_error()


def exports_for(*, workspace) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(workspace=workspace).select_related("requested_by").order_by("-created_at")[:50]


def bounce_history(*, contact) -> QuerySet[BounceEvent]:
    """C7: "why cleaned": every bounce and delivery of the contact, newest first."""
    return BounceEvent.objects.filter(contact=contact).order_by("-occurred_at", "-id")


def cleanings_of(*, contact) -> QuerySet[Cleaning]:
    """C8: the contact's cleanings, newest first, with who undid them."""
    return (
        Cleaning.objects.filter(contact=contact)
        .select_related("undone_by", "event", "undone_by_job")
        .order_by("-cleaned_at", "-id")
    )


def incident_reverts(*, workspace) -> QuerySet[IncidentRevertJob]:
    return (
        IncidentRevertJob.objects.filter(workspace=workspace)
        .select_related("requested_by")
        .order_by("-created_at")[:20]
    )


def incident_revert_report_rows(*, job):
    """The revert's report: one row per matched cleaning, in job order."""
    return (
        IncidentRevertItem.objects.filter(job=job)
        .order_by("position")
        .annotate(cleaned_at_text=IsoUtc("cleaning__cleaned_at"))
        .values_list(
            "cleaning__contact__email", "cleaning__code", "cleaning__bounce_class", "cleaned_at_text", "outcome"
        )
        .iterator(chunk_size=5000)
    )
