"""Parse what the archived-list page posts into a Selection (no rules here)."""

from django.http import QueryDict

from contacts_app.filters import ContactFilter
from contacts_app.lifecycle import OFF_LIST
from contacts_app.web.forms import FlagField, SelectionForm

from .services.selection import Selection, selection_from_ids, selection_from_queryset

PAGE_KEYS = ("page", "per_page", "sort")


def archived_filter(params, *, workspace) -> ContactFilter:
    """The archived list's filter: archived and merged contacts only (R3 lists merged ones)."""
    return ContactFilter(params, workspace=workspace, statuses=OFF_LIST)


class RestoreForm(SelectionForm):
    """The preview and the start of a restore: the selection, and B3's explicit
    acceptance of a possible overage."""

    confirm_overage = FlagField()

    def selection(self, *, workspace) -> Selection:
        """Either ticked ids, or "all N matching this filter", resolved here on the
        server from the filter the page was showing."""
        data = self.cleaned_or_error()
        if data["select_all"]:
            params = QueryDict(data["filter"])
            qs = archived_filter(params, workspace=workspace).qs_or_error()
            description = {k: v for k, v in params.items() if k not in PAGE_KEYS and v}
            return selection_from_queryset(workspace=workspace, queryset=qs, description=description)
        return selection_from_ids(workspace=workspace, ids=data["ids"])


def selection_from_post(request) -> Selection:
    return RestoreForm(request.POST).selection(workspace=request.workspace)
