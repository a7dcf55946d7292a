"""Parse what the archived-list page posts into a Selection (no rules here)."""
from django.http import QueryDict

from contacts_app.forms import parse_id_list

from . import services
from .filters import OFF_LIST, ContactFilter


def archived_filter(params, *, workspace) -> ContactFilter:
    """The archived list's filter: archived and merged contacts only (R3 lists merged ones)."""
    return ContactFilter(params, workspace=workspace, statuses=OFF_LIST)


def selection_from_post(request) -> services.Selection:
    """Either ticked ids, or "all N matching this filter", resolved here on the server
    from the filter the page was showing."""
    if request.POST.get("select_all") == "1":
        params = QueryDict(request.POST.get("filter", ""))
        qs = archived_filter(params, workspace=request.workspace).qs_or_error()
        description = {k: v for k, v in params.items() if k not in ("page", "per_page", "sort") and v}
        return services.selection_from_queryset(workspace=request.workspace, queryset=qs, description=description)
    return services.selection_from_ids(workspace=request.workspace, ids=parse_id_list(request.POST.getlist("ids")))
