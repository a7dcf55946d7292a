from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts exactly up to COUNT_CAP, then says "10,000+". Counting a million rows
    on every page view is what makes big lists slow (P2); the restore preview still
    counts the selection exactly."""

    cap = COUNT_CAP

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @property
    def is_capped(self) -> bool:
        return self.count > self.cap
