from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from contacts_app.lib.hygiene import parse_positive_int
from contacts_app.web.forms import parse_page_size

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts exactly up to COUNT_CAP, then says "1,000+". Counting a million rows
    on every page view is what makes big lists slow (P2); the restore preview still
    counts the selection exactly."""

    cap = COUNT_CAP

    @cached_property
    def _seen(self) -> int:
        # Unordered: a count needs no sort, and without ORDER BY the planner is free
        # to find the first 1,001 matches the cheapest way, not in the page's order.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._seen, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._seen > self.cap


def _page_size(request) -> int:
    return parse_page_size(request.GET.get("per_page"), default=settings.CONTACTS_PAGE_SIZE)


def paginate(request, queryset) -> tuple[Page, int]:
    """The page asked for by ?page= and ?per_page= (a bad page size is a 400, S4)."""
    per_page = _page_size(request)
    # ASCII digits only: int() would read "١٢" as 12 (S4); anything else is the first page.
    number = parse_positive_int(request.GET.get("page") or "") or 1
    return CappedPaginator(queryset, per_page).get_page(number), per_page


def rows_up_to_page(request) -> int:
    """How many matches the requested page reaches down to (at most the count cap):
    what a query must find before it can show that page."""
    raw = request.GET.get("page", "")
    return max(1, min(_page_size(request) * (parse_positive_int(raw) or 1), COUNT_CAP))
