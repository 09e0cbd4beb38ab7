"""Pages of a long list whose rows are shown with other tables' (the roster: an expert with their
employer, primary domain and account).

PostgreSQL joins every match to those tables before it sorts the matches and keeps a page: at
50,000 experts a common specialty matched 3,672 experts, and joining them all was 119 ms of a
160 ms search (docs/benchmarks.md). ``rows_first`` cuts the page on the model's own table (the
filters and the order, in a subquery) and joins only the page's rows: still one query, the same
rows in the same order.
"""

from django.core.paginator import Paginator
from django.db.models import QuerySet


def rows_first(queryset, bottom, top):
    """``queryset[bottom:top]`` as one query that joins only the rows of that slice.

    A queryset this cannot rewrite exactly (not ordered, DISTINCT, annotated, a union) is sliced
    as it is, and so is one that joins nothing for display."""
    query = getattr(queryset, "query", None)
    if (
        not isinstance(queryset, QuerySet)
        or not query.order_by
        or query.distinct
        or query.combinator
        or query.annotations
        or not (query.select_related or queryset._prefetch_related_lookups)
    ):
        return queryset[bottom:top]
    page = queryset.prefetch_related(None).select_related(None).values("pk")[bottom:top]
    rows = queryset.model._default_manager.filter(pk__in=page).order_by(*query.order_by)
    rows.query.select_related = query.select_related
    return rows.prefetch_related(*queryset._prefetch_related_lookups)


class RowsFirst:
    """A ``Paginator`` mixin: each page through ``rows_first``."""

    def page(self, number):  # Django's Paginator.page, but for the slice
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        return self._get_page(rows_first(self.object_list, bottom, top), number, self)


class RowsFirstPaginator(RowsFirst, Paginator):
    pass
