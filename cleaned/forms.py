"""Forms of the cleaned view: the typed-ARCHIVE bulk archive (C5) and exports (C4)."""
from django import forms
from django.http import QueryDict

from contacts_app.forms import SelectionForm, ServiceForm

FILTER_KEYS = ("q", "list", "tag", "account")


def filter_params(query) -> dict:
    """The cleaned view's filters out of a query string or QueryDict, nothing else."""
    return {k: query.get(k) for k in FILTER_KEYS if query.get(k)}


class CleanedArchiveForm(SelectionForm):
    """C5: what to archive, and the word the admin typed (checked by the service)."""

    confirmation = forms.CharField(required=False, strip=False)

    def filter_params(self) -> dict:
        return filter_params(QueryDict(self.cleaned_data["filter"]))


class ExportForm(ServiceForm):
    """C4: export what the cleaned view was showing."""

    filter = forms.CharField(required=False, strip=False)

    def filter_params(self) -> dict:
        return filter_params(QueryDict(self.cleaned_or_error()["filter"]))
