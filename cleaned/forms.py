"""Forms of the cleaned view: the typed-ARCHIVE bulk archive (C5) and exports (C4)."""

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from contacts_app.filters import ContactFilter
from contacts_app.lib.hygiene import validate_date, validate_text
from contacts_app.web.forms import SelectionForm, ServiceForm

from .models import ExportScope
from .selectors import CLEANING_CLASSES, FILTER_KEYS
from .services.incidents import Incident


def filter_params(query, keys=FILTER_KEYS) -> dict:
    """The given filters out of a query string or QueryDict, nothing else."""
    return {k: query.get(k) for k in keys if query.get(k)}


class CleanedArchiveForm(SelectionForm):
    """C5: what to archive, and the word the admin typed (checked by the service)."""

    confirmation = forms.CharField(required=False, strip=False, max_length=100)

    def filter_params(self) -> dict:
        return filter_params(QueryDict(self.cleaned_data["filter"]))


class ExportForm(ServiceForm):
    """C4: export what the cleaned view was showing; U5: or any contact filter (the
    archived list's "export them first")."""

    filter = forms.CharField(required=False, strip=False)
    scope = forms.ChoiceField(choices=ExportScope.choices, required=False)

    def scope_and_params(self) -> tuple[str, dict]:
        data = self.cleaned_or_error()
        scope = data["scope"] or ExportScope.CLEANED
        query = QueryDict(data["filter"])
        return scope, filter_params(
            query, FILTER_KEYS if scope == ExportScope.CLEANED else tuple(ContactFilter.base_filters)
        )


class UncleanForm(ServiceForm):
    """C8: the reason the admin types (checked, kept whole, by the service)."""

    reason = forms.CharField(required=False, strip=False, widget=forms.Textarea(attrs={"rows": 2}))


class IncidentForm(ServiceForm):
    """C8: which cleanings an incident revert undoes: provider, window, class. Each
    problem is said with the field's name (S4)."""

    provider = forms.CharField(
        max_length=30, validators=[validate_text], error_messages={"required": _("Pick the provider of the incident.")}
    )
    bounce_class = forms.ChoiceField(
        choices=[("", _("Any reason")), *CLEANING_CLASSES],
        required=False,
        error_messages={"invalid_choice": _("Pick why the addresses were cleaned from the list.")},
    )
    cleaned_from = forms.DateTimeField(
        validators=[validate_date],
        error_messages={
            "required": _("Give the start of the incident (date and time)."),
            "invalid": _("The incident's start is not a date and time."),
        },
    )
    cleaned_until = forms.DateTimeField(
        validators=[validate_date],
        error_messages={
            "required": _("Give the end of the incident (date and time)."),
            "invalid": _("The incident's end is not a date and time."),
        },
    )
    reason = forms.CharField(required=False, strip=False)

    def incident(self, *, workspace) -> Incident:
        data = self.cleaned_or_error()
        return Incident(
            workspace=workspace,
            provider=data["provider"],
            bounce_class=data["bounce_class"],
            cleaned_from=data["cleaned_from"],
            cleaned_until=data["cleaned_until"],
        )
