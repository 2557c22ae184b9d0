"""One page of a filtered list, with the filters to carry over to the other pages (templates/_pagination.html)."""

from django.core.paginator import Paginator

from campaign.lib.params import query_int

PAGE_SIZE = 50


def list_page(request, queryset, per_page: int = PAGE_SIZE) -> dict:
    """{"page": the page asked for in ?page=, "query": the other parameters, URL-encoded}."""
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": Paginator(queryset, per_page).get_page(query_int(request, "page")), "query": query.urlencode()}
