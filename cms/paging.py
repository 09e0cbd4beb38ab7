"""One page of a list on the site's index pages."""

from django.core.paginator import Paginator

PAGE_SIZE = 20


def paginate(request, queryset, *, per_page=PAGE_SIZE):
    """One page of a list; a page number that is not a number or out of range gives the last
    or first page rather than an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
