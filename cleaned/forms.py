"""Forms of the cleaned view: the typed-ARCHIVE bulk archive (C5) and exports (C4)."""
from django import forms
from django.http import QueryDict

from contacts_app.filters import ContactFilter
from contacts_app.forms import SelectionForm, ServiceForm

from .models import ExportScope

FILTER_KEYS = ("q", "list", "tag", "account")  # the cleaned view's filters


def filter_params(query, keys=FILTER_KEYS) -> dict:
    """The given filters out of a query string or QueryDict, nothing else."""
    return {k: query.get(k) for k in keys if query.get(k)}


class CleanedArchiveForm(SelectionForm):
    """C5: what to archive, and the word the admin typed (checked by the service)."""

    confirmation = forms.CharField(required=False, strip=False)

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
        return scope, filter_params(query, FILTER_KEYS if scope == ExportScope.CLEANED else tuple(ContactFilter.base_filters))
