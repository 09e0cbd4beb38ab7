"""The batch draw in a real browser: the secretariat sees the reviews waiting for a panel with
their pools, a batch that cannot be drawn is refused with the review named and nothing drawn; then
it ticks every review it can draw, sees the page busy while the batch runs, and reads the result
per review with links to each draw and its certificate."""

import re

import pytest
from playwright.sync_api import expect

from reviews.models import Draw, Review
from reviews.services import plans as plan_services
from tests.browser.conftest import sign_in
from tests.factories import PASSWORD, DomainFactory, OrganizationFactory
from tests.reviews.conftest import add_expert, docx_upload, schedule

pytestmark = pytest.mark.browser

URL = "/admin/reviews/batch-draw/"


@pytest.fixture
def waiting(live_server_url, secretariat_user):
    """Three reviews waiting for a panel: two the roster of ten can fill, one nobody may sit on."""
    domain = DomainFactory(code="2.1", name="智能制造装备")
    submitter = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    plan = plan_services.create_plan(
        by=secretariat_user, title="机器人产业三年行动计划", kind="action_plan", submitted_by=submitter,
        domains=["2.1"],
    )  # fmt: skip
    plan_services.add_plan_version(plan, upload=docx_upload(), by=secretariat_user)
    for number in range(1, 11):
        add_expert(number, domain=domain)
    first, second = schedule(plan, secretariat_user), schedule(plan, secretariat_user)
    lonely = schedule(plan, secretariat_user)
    lonely.required_domains.set([DomainFactory(code="9.9", name="无人领域")])
    return first, second, lonely


def row(page, review):
    return page.locator(f"tr[data-review='{review.pk}']")


def tick(page, *reviews):
    for review in reviews:
        row(page, review).locator("input[name=reviews]").check()
    expect(page.locator("input[name=reviews]:checked")).to_have_count(len(reviews))


def test_secretariat_draws_several_reviews_together_and_reads_each_result(new_page, secretariat_user, waiting):
    first, second, lonely = waiting
    page = new_page(language="en")
    sign_in(page, secretariat_user.username, PASSWORD)
    page.goto(URL)

    expect(row(page, first).locator("[data-testid=pool-size]")).to_have_text("10")
    expect(row(page, lonely).locator("[data-testid=pool-size]")).to_have_text("0")
    expect(row(page, lonely).locator("[data-testid=pool-problem]")).to_contain_text("Only 0 eligible experts")

    # everything ticked at once, the review nobody may sit on included: refused by name, nothing drawn
    page.check("[data-testid=tick-all]")
    expect(page.locator("input[name=reviews]:checked")).to_have_count(3)
    page.click("[data-testid=run-batch]")
    refusals = page.locator("[data-testid=batch-refusals]")
    expect(refusals).to_contain_text(f"Review {lonely.pk} “机器人产业三年行动计划”: Only 0 eligible experts")
    expect(row(page, lonely).locator("[data-testid=refusal]")).to_be_visible()
    assert Draw.objects.count() == 0

    # the busy state on submit: the request answered 204 here (the browser stays on the page, busy)
    page.goto(URL)
    tick(page, first, second)
    answered = []

    def no_content(route):
        answered.append(route.request.method)
        route.fulfill(status=204)

    posts = re.compile(r".*/admin/reviews/batch-draw/$")
    page.route(posts, no_content)
    button = page.locator("[data-testid=run-batch]")
    button.click()
    expect(button).to_be_disabled()
    expect(button).to_have_class(re.compile(r"\bbutton-longrunning-active\b"))
    expect(button).to_contain_text("Drawing the panels")
    assert answered == ["POST"]
    page.unroute(posts)
    assert Draw.objects.count() == 0

    # the two it can draw, for real: the result page
    page.goto(URL)
    tick(page, first, second)
    page.click("[data-testid=run-batch]")
    page.wait_for_url(re.compile(r".*/admin/reviews/batch-draw/batch-[0-9a-f]+/$"))

    draws = {draw.review_id: draw for draw in Draw.objects.all()}
    assert sorted(draws) == [first.pk, second.pk]
    expect(page.locator("[data-testid=batch-seed]")).to_have_text(draws[first.pk].seed)
    for review in (first, second):
        expect(row(page, review).locator("[data-testid=panel-drawn]")).to_have_text("5 / 5")
    assert Review.objects.get(pk=lonely.pk).state == Review.State.DRAFT

    row(page, second).locator("[data-testid=certificate-link]").click()
    page.wait_for_url(f"**/portal/draws/{draws[second.pk].pk}/certificate/")
    page.go_back()
    row(page, first).locator("[data-testid=draw-link]").click()
    page.wait_for_url(f"**/admin/reviews/{first.pk}/draw/")
    expect(page.locator("[data-testid=seed]")).to_have_text(draws[first.pk].seed)
    expect(page.locator("[data-testid=panel] li")).to_have_count(5)
