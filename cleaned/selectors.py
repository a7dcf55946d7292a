from django.db.models import QuerySet

from contacts_app.filters import ContactFilter
from contacts_app.models import Contact, ContactStatus, EmailStatus

from .models import ExportJob


def cleaned_filter(params, *, workspace) -> ContactFilter:
    """C4: the same filters as elsewhere, on active contacts whose address is cleaned."""
    return ContactFilter(params, workspace=workspace, statuses=(ContactStatus.ACTIVE,), email_status=EmailStatus.CLEANED)


def cleaned_contacts(*, workspace, params) -> QuerySet[Contact]:
    return cleaned_filter(params, workspace=workspace).qs_or_error()


def exports_for(*, workspace) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(workspace=workspace).select_related("requested_by").order_by("-created_at")[:50]
