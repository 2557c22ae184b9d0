"""One page of a filtered list, with the filters to carry over to the other pages (templates/_pagination.html).

A list never counts all its rows: at a million hazards the count would cost a hundred times the
page. It counts as far as the page asked for, and at least COUNT_CAP rows; past that it says
"1,000+" (CappedPaginator.more), and the pages go on as long as there are rows."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from campaign.lib.params import query_int

PAGE_SIZE = 50
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    """A paginator that counts no further than max(COUNT_CAP, the page after the one asked for)."""

    def __init__(self, object_list, per_page: int, asked: int | None = None):
        super().__init__(object_list, per_page)
        self.limit = max(COUNT_CAP, ((asked or 1) + 1) * per_page)
        self.more = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not hasattr(rows, "query"):
            return len(rows)
        # Any rows will do for counting: no order (the planner picks the cheapest index), only ids.
        n = rows.order_by().values("pk")[: self.limit + 1].count()
        self.more = n > self.limit
        return min(n, self.limit)

    @property
    def count_label(self) -> str:
        """The count as a list shows it: "37", "1,000+"."""
        shown = f"{self.count:,}"
        return _("%(n)s+") % {"n": shown} if self.more else shown


def list_page(request, queryset, per_page: int = PAGE_SIZE) -> dict:
    """{"page": the page asked for in ?page=, "query": the other parameters, URL-encoded}."""
    query = request.GET.copy()
    query.pop("page", None)
    asked = query_int(request, "page")
    paginator = CappedPaginator(queryset, per_page, asked)
    return {"page": paginator.get_page(asked), "query": query.urlencode()}
