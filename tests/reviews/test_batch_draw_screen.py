"""The batch draw screen of the Wagtail admin: the reviews waiting for a panel with their pools,
several drawn together, the result per review; a refusal shows why and writes nothing."""

import re

import pytest
from django.test import Client

from reviews.draw import services as draw_services
from reviews.models import Assignment, Draw, DrawCommitment, Review
from tests.conftest import make_user
from tests.factories import DomainFactory
from tests.queries import assert_constant_queries
from tests.reviews.conftest import schedule

URL = "/admin/reviews/batch-draw/"


@pytest.fixture
def admin(secretariat_user):
    """The secretariat in the admin, reading English (the admin follows the request's language)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(secretariat_user)
    return client


def written():
    return (
        Draw.objects.count(),
        DrawCommitment.objects.count(),
        Assignment.objects.count(),
        sorted(Review.objects.values_list("pk", "state")),
    )


def cell(html, review_id, testid):
    row = re.search(rf'<tr data-review="{review_id}">(.*?)</tr>', html, re.S)
    assert row, f"no row for review {review_id}"
    found = re.search(rf'data-testid="{testid}">([^<]*)<', row.group(1))
    return found.group(1).strip() if found else None


def test_the_list_shows_each_waiting_review_with_its_eligible_pool(admin, secretariat_user, plan, roster):
    full = schedule(plan, secretariat_user)
    narrow = schedule(plan, secretariat_user)
    narrow.required_domains.set([DomainFactory(code="9.9", name="无人领域")])
    drawn = schedule(plan, secretariat_user)
    draw_services.draw_for_review(drawn, by=secretariat_user, seed="before")
    capped = schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1})  # the drawn panel is at its cap

    html = admin.get(URL).content.decode()

    assert cell(html, full.pk, "pool-size") == "12"
    assert cell(html, full.pk, "pool-problem") is None
    assert cell(html, narrow.pk, "pool-size") == "0"
    assert cell(html, narrow.pk, "pool-problem").startswith("Only 0 eligible experts for a panel of 5")
    assert cell(html, capped.pk, "pool-size") == "7"
    assert f'<tr data-review="{drawn.pk}">' not in html  # drawn: not waiting any more
    assert 'data-controller="w-progress"' in html  # the busy state while the batch runs


def test_the_list_costs_the_same_queries_for_one_review_and_for_many(admin, secretariat_user, plan, roster):
    def make_rows(count):
        while Review.objects.count() < count:
            schedule(plan, secretariat_user)

    assert_constant_queries(make_rows, lambda: admin.get(URL), small=1, large=6)


def test_posting_draws_the_ticked_reviews_and_shows_each_result(admin, secretariat_user, plan, roster):
    first, second = schedule(plan, secretariat_user), schedule(plan, secretariat_user)
    left = schedule(plan, secretariat_user)

    response = admin.post(URL, {"reviews": [first.pk, second.pk]})

    assert response.status_code == 302
    draws = list(Draw.objects.order_by("review_id"))
    assert [d.review_id for d in draws] == [first.pk, second.pk]
    assert response["Location"] == f"{URL}{draws[0].batch}/"
    page = admin.get(response["Location"])
    html = page.content.decode()
    assert f'data-testid="batch-seed">{draws[0].seed}<' in html
    for draw in draws:
        assert cell(html, draw.review_id, "panel-drawn") == "5 / 5"
        assert f'href="/admin/reviews/{draw.review_id}/draw/" data-testid="draw-link"' in html
        assert f'href="/portal/draws/{draw.pk}/certificate/" data-testid="certificate-link"' in html
    assert "2 panels were drawn together (unwitnessed) and invited." in html
    assert Review.objects.get(pk=left.pk).state == Review.State.DRAFT
    assert f'<tr data-review="{left.pk}">' in admin.get(URL).content.decode()  # still waiting


def test_a_batch_the_load_caps_cannot_fill_shows_why_in_the_users_language_and_writes_nothing(
    client, secretariat_user, plan, roster
):
    first = schedule(plan, secretariat_user, panel_size=7, rules={"load_cap_per_quarter": 1})
    second = schedule(plan, secretariat_user, panel_size=7, rules={"load_cap_per_quarter": 1})
    client.force_login(secretariat_user)  # no Accept-Language: the admin's default, Chinese
    before = written()

    response = client.post(URL, {"reviews": [first.pk, second.pk]})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="batch-refusals"' in html
    assert "无法完成全部分配：受工作量上限限制，仍有 2 个席位空缺。" in html
    assert written() == before
    assert html.count("checked>") == 2  # the ticks are kept for another try


def test_a_review_that_cannot_be_drawn_is_named_on_its_row(admin, secretariat_user, plan, roster):
    fine = schedule(plan, secretariat_user)
    lonely = schedule(plan, secretariat_user)
    lonely.required_domains.set([DomainFactory(code="9.9", name="无人领域")])
    before = written()

    html = admin.post(URL, {"reviews": [fine.pk, lonely.pk]}).content.decode()

    refusal = cell(html, lonely.pk, "refusal")
    assert refusal.startswith(f"Review {lonely.pk} “机器人产业三年行动计划”: Only 0 eligible experts")
    assert cell(html, fine.pk, "refusal") is None
    assert written() == before


@pytest.mark.parametrize("ticked", [[], ["x"], ["-1"]])
def test_nothing_or_garbage_ticked_is_refused(admin, secretariat_user, review, ticked):
    before = written()

    html = admin.post(URL, {"reviews": ticked}).content.decode()

    assert 'data-testid="batch-refusals"' in html
    assert ("Choose at least one review." if not ticked else "Tick reviews from the list.") in html
    assert written() == before


def test_a_review_drawn_meanwhile_is_refused_by_name(admin, secretariat_user, plan, roster):
    first, second = schedule(plan, secretariat_user), schedule(plan, secretariat_user)
    draw_services.draw_for_review(second, by=secretariat_user, seed="in another tab")
    before = written()

    html = admin.post(URL, {"reviews": [first.pk, second.pk]}).content.decode()

    assert f"Review {second.pk} “机器人产业三年行动计划” is not waiting for a panel (state: Inviting)." in html
    assert written() == before


@pytest.mark.parametrize("role", ["commission", "department", "expert", "auditor"])
def test_only_the_secretariat_reaches_the_screen(client, secretariat_user, review, role):
    client.force_login(make_user(role, username=f"screen-{role}"))
    before = written()

    listed = client.get(URL)
    posted = client.post(URL, {"reviews": [review.pk]})

    for response in (listed, posted):  # to sign in without the admin; to the admin's home (refused) with it
        assert response.status_code == 302
        assert response["Location"] == "/admin/" or response["Location"].startswith("/admin/login/")
    assert written() == before


def test_the_result_of_an_unknown_batch_is_404(admin, review):
    assert admin.get(f"{URL}batch-000000000000/").status_code == 404


def test_the_menu_offers_the_batch_draw_to_the_secretariat_only(admin, client, review):
    auditor = make_user("auditor", username="menu-auditor")
    client.force_login(auditor)

    assert URL in admin.get("/admin/").content.decode()
    assert URL not in client.get("/admin/").content.decode()
