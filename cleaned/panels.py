"""C7/C8 on the contact page: why the address was cleaned (its bounce history with
the evidence), its cleanings and who undid them, and the admin's un-clean form."""

from django.template.loader import render_to_string

from contacts_app.models import ContactStatus

from . import selectors
from .forms import UncleanForm


def why_cleaned_panel(*, request, contact) -> str:
    events = list(selectors.bounce_history(contact=contact)[:100])
    cleanings = list(selectors.cleanings_of(contact=contact))
    if not events and not cleanings and not contact.is_cleaned:
        return ""
    membership = getattr(request, "membership", None)
    can_unclean = bool(
        membership and membership.is_admin and contact.is_cleaned and contact.status == ContactStatus.ACTIVE
    )
    return render_to_string(
        "cleaned/_why_cleaned.html",
        {
            "contact": contact,
            "events": events,
            "cleanings": cleanings,
            "can_unclean": can_unclean,
            "form": UncleanForm(),
            "workspace": request.workspace,
        },
        request=request,
    )
