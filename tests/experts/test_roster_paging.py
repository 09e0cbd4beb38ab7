"""A page of the roster is cut on the experts' own table and only its rows are joined for display
(``core.paging``): the same rows in the same order as slicing the whole list, in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.paging import rows_first
from experts import selectors
from experts.models import Expert, Organization
from tests.experts.conftest import new_expert

NAMES = ["王涛", "王建国", "李伟", "张伟", "王芳", "赵敏", "王磊"]


@pytest.fixture
def roster(db):
    works = Organization.objects.create(name="沈阳王氏机器人有限公司", kind="enterprise")
    return [new_expert(name=name, key=f"P-{n}", employer=works if n % 2 else None) for n, name in enumerate(NAMES)]


def page_query(captured):
    """The query that read the page's rows (the one that joins the employer for display)."""
    reads = [q["sql"] for q in captured if q["sql"].startswith("SELECT") and "experts_organization" in q["sql"]]
    return [sql for sql in reads if '"experts_expert"."name"' in sql.split(" FROM ")[0]][-1]


@pytest.mark.parametrize("query", ["", "王", "w"])
def test_pages_hold_the_rows_of_the_whole_list_in_order(roster, api_as, secretariat_user, query):
    everyone = selectors.ordered_roster(selectors.search_experts(selectors.roster(), query), "strokes")
    api = api_as(secretariat_user)

    pages = [api.get("/api/v1/experts/", {"q": query, "page_size": 2, "page": n}) for n in (1, 2, 3, 4)]

    listed = [row["id"] for page in pages if page.status_code == 200 for row in page.json()["results"]]
    assert listed == [expert.pk for expert in everyone] and len(listed) > 2  # more than one page


def test_the_page_is_cut_in_a_subquery_before_the_join(roster, api_as, secretariat_user):
    with CaptureQueriesContext(connection) as captured:
        response = api_as(secretariat_user).get("/api/v1/experts/", {"q": "王", "page_size": 2, "page": 2})

    sql = page_query(captured)
    outer, inner = sql.split(" IN (SELECT ", 1)
    assert response.status_code == 200 and len(response.json()["results"]) == 2
    assert "JOIN" in outer and "LIMIT 2 OFFSET 2" in inner and "JOIN" not in inner, sql


def test_the_employer_is_searched_in_a_subquery_not_a_join(roster):
    queryset = selectors.search_experts(Expert.objects.all(), "机器人")

    sql = str(queryset.query)
    assert "JOIN" not in sql and "experts_organization" in sql
    assert sorted(queryset.values_list("name", flat=True)) == sorted(NAMES[1::2])


def test_the_admin_roster_page_is_cut_before_the_join(roster, client, secretariat_user):
    from tests.conftest import verify_second_factor

    client.force_login(secretariat_user)
    verify_second_factor(client, secretariat_user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/experts/expert/", {"q": "王"})

    assert response.status_code == 200
    everyone = selectors.ordered_roster(selectors.search_experts(selectors.roster(), "王"), "strokes")
    assert [e.pk for e in response.context["object_list"]] == [e.pk for e in everyone] and len(everyone) == 6
    assert " IN (SELECT " in page_query(captured)


def test_a_list_it_cannot_rewrite_exactly_is_sliced_as_it_is(roster):
    distinct = selectors.roster().filter(domains__code="2.1").distinct().order_by("id")

    assert rows_first(distinct, 0, 3).query.low_mark == 0 and rows_first(distinct, 0, 3).query.high_mark == 3
    assert [e.pk for e in rows_first(distinct, 2, 5)] == [e.pk for e in distinct[2:5]]
