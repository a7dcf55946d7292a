from django.db.models import QuerySet

from contacts_app.models import Contact, ContactStatus, EmailStatus
from restore.filters import ContactFilter

from .models import ExportJob


def cleaned_filter(params, *, workspace) -> ContactFilter:
    """C4: the same filters as elsewhere, on active contacts whose address is cleaned."""
    f = ContactFilter(params, workspace=workspace, statuses=(ContactStatus.ACTIVE,))
    f.queryset = f.queryset.filter(email_status=EmailStatus.CLEANED)
    return f


def cleaned_contacts(*, workspace, params) -> QuerySet[Contact]:
    return cleaned_filter(params, workspace=workspace).qs_or_error()


def exports_for(*, workspace) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(workspace=workspace).select_related("requested_by").order_by("-created_at")[:50]
