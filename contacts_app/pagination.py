from django.core.paginator import Paginator
from django.utils.functional import cached_property

COUNT_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts exactly up to COUNT_CAP, then says "1,000+". Counting a million rows
    on every page view is what makes big lists slow (P2); the restore preview still
    counts the selection exactly."""

    cap = COUNT_CAP

    @cached_property
    def _seen(self) -> int:
        return self.object_list[: self.cap + 1].count()

    @cached_property
    def count(self) -> int:
        return min(self._seen, self.cap)

    @property
    def is_capped(self) -> bool:
        return self._seen > self.cap
