"""What the admin picked: explicit ids or every contact matching a filter (S2, S4)."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from contacts_app.lib.errors import InvalidInput
from contacts_app.lib.i18n import num
from contacts_app.models import Contact, Workspace


@dataclass
class Selection:
    """What the admin picked: explicit ids, or every contact matching a filter
    (resolved here on the server, never from ids the browser happened to see)."""

    workspace: Workspace
    queryset: QuerySet[Contact]  # always scoped to the workspace (S2)
    requested: int | None  # None for a filter: the preview counts it with its breakdown
    description: dict
    explicit_ids: list[int] | None = None

    def ids(self) -> list[int]:
        if self.explicit_ids is not None:
            return self.explicit_ids
        return list(self.queryset.order_by("id").values_list("id", flat=True))


def selection_from_ids(*, workspace: Workspace, ids: list[int]) -> Selection:
    """Ticked contacts. S2: ids of another workspace simply match nothing (not_found)."""
    if not ids:
        raise InvalidInput(_("Select at least one contact to restore."), code="empty_selection")
    if len(ids) > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(
            _("At most %(max)s contacts can be restored at once.") % {"max": num(settings.MAX_SELECTION_SIZE)},
            code="selection_too_large",
        )
    ids = sorted(set(ids))
    return Selection(
        workspace=workspace,
        queryset=Contact.objects.filter(workspace=workspace, id__in=ids),
        requested=len(ids),
        description={"contact_ids": len(ids)},
        explicit_ids=ids,
    )


def selection_from_queryset(*, workspace: Workspace, queryset: QuerySet[Contact], description: dict) -> Selection:
    """Every contact matching a filter. Not counted here: counting a big filter is a
    pass over it, and the preview's breakdown is that same pass (P2)."""
    return Selection(
        workspace=workspace,
        queryset=queryset.filter(workspace=workspace).order_by(),
        requested=None,
        description={"filter": description},
    )


def check_filter_size(matching: int) -> None:
    """S4: a filter that matches nothing, or more than can be handled at once, is refused."""
    if matching == 0:
        raise InvalidInput(_("No contact matches this filter."), code="empty_selection")
    if matching > settings.MAX_SELECTION_SIZE:
        raise InvalidInput(
            _("%(n)s contacts match; at most %(max)s can be restored at once. Narrow the filter.")
            % {"n": num(matching), "max": num(settings.MAX_SELECTION_SIZE)},
            code="selection_too_large",
        )
