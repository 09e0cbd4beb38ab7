"""Query-count helper: a list must cost the same number of queries at 1 row and at 20."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(func):
    with CaptureQueriesContext(connection) as captured:
        func()
    return len(captured.captured_queries)


def assert_constant_queries(make_rows, fetch, *, small=1, large=20):
    """``make_rows(n)`` adds rows until there are ``n``; ``fetch()`` renders the list."""
    make_rows(small)
    fetch()  # warm caches (content types, sessions) so both counts measure the same work
    at_small = count_queries(fetch)
    make_rows(large)
    fetch()  # warm again: new rows may have emptied a cache (a new page forgets the site's menu)
    at_large = count_queries(fetch)
    assert at_large == at_small, f"{at_small} queries for {small} rows, {at_large} for {large}"
    return at_small
