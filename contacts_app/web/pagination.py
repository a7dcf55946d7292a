"""Lists navigable to their end at any size (U6, P2).

Counting a million rows on every page view is what makes big lists slow, so a list
counts exactly up to COUNT_CAP and then says "1,000+"; past the cap it still pages: each
page reads its rows plus one (that extra row says whether there is a next page), so
"Next" goes on to the last contact with no count at all. An exact count is one click
away (`?count=exact`), paid only when asked for. (The restore preview always counts its
selection exactly.)"""

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from contacts_app.lib.hygiene import parse_positive_int
from contacts_app.web.forms import parse_page_size

COUNT_CAP = 1_000


class ProbedPage(Page):
    """A page past the count cap: whether a next page exists is what the extra row said."""

    def __init__(self, object_list, number, paginator, *, has_more: bool):
        super().__init__(object_list, number, paginator)
        self.has_more = has_more

    def has_next(self) -> bool:
        return self.has_more

    def next_page_number(self) -> int:
        return self.number + 1

    def start_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + 1 if self.object_list else 0

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class CappedPaginator(Paginator):
    """Counts exactly up to COUNT_CAP (or exactly when `exact`), and pages on past it."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, exact: bool = False):
        super().__init__(object_list, per_page)
        self.exact = exact

    @cached_property
    def _seen(self) -> int:
        # Unordered: a count needs no sort, and without ORDER BY the planner is free
        # to find the first 1,001 matches the cheapest way, not in the page's order.
        if self.exact:
            return self.object_list.order_by().count()
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return self._seen if self.exact else min(self._seen, self.cap)

    @property
    def is_capped(self) -> bool:
        return not self.exact and self._seen > self.cap

    def get_page(self, number):
        """P5: the page's rows are read first (plus one); when they end the list, its
        length is what they say and the count query is not run (a small workspace's
        list, a narrow search). Only within the counted range: a page far past it
        would make the database skip that many rows to find out."""
        number = self._probe(number)
        return super().get_page(number)

    def _probe(self, number):
        try:
            number = max(1, int(number))
        except (TypeError, ValueError):
            return number
        bottom = (number - 1) * self.per_page
        if self.exact or "_seen" in self.__dict__ or bottom > self.cap:
            return number
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        self._probed = (number, rows)
        if len(rows) <= self.per_page and (rows or number == 1):  # else more follow, or past the end: counted
            self.__dict__["_seen"] = bottom + len(rows)
        return number

    def validate_number(self, number):
        if not self.is_capped:
            return super().validate_number(number)
        return max(1, int(number))  # past the cap the last page is not known: any page may be asked

    def page(self, number):
        number = self.validate_number(number)
        probed_number, rows = getattr(self, "_probed", (None, None))
        if probed_number != number:  # the last page, once the count named it
            bottom = (number - 1) * self.per_page
            rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not self.is_capped:
            return self._get_page(rows[: self.per_page], number, self)
        return ProbedPage(rows[: self.per_page], number, self, has_more=len(rows) > self.per_page)


def _page_size(request) -> int:
    return parse_page_size(request.GET.get("per_page"), default=settings.CONTACTS_PAGE_SIZE)


LAST_PAGE = 10**9  # past any list's end: the paginator shows its last page


def _page_number(request) -> int:
    # ASCII digits only: int() would read "١٢" as 12 (S4); anything else is the first page.
    # "last" (the Last link) and a number past the end are the last page.
    raw = request.GET.get("page") or ""
    if raw == "last" or (raw.isascii() and raw.isdigit() and len(raw) > 9):
        return LAST_PAGE
    return parse_positive_int(raw, maximum=LAST_PAGE) or 1


def paginate(request, queryset) -> tuple[Page, int]:
    """The page asked for by ?page= and ?per_page= (a bad page size is a 400, S4);
    `?count=exact` counts the whole list."""
    per_page = _page_size(request)
    paginator = CappedPaginator(queryset, per_page, exact=request.GET.get("count") == "exact")
    return paginator.get_page(_page_number(request)), per_page


def rows_up_to_page(request) -> int:
    """How many matches the requested page reaches down to: what a query must find
    before it can show that page."""
    return _page_size(request) * _page_number(request) + 1
