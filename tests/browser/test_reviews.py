"""Reviews in a real browser: the secretariat schedules a review and draws its panel; an expert
accepts with the declarations; another declines with a reason and the secretariat's invitation
board updates live, without a reload."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import services
from reviews.models import Assignment, Review
from tests.browser.conftest import PHONE, sign_in
from tests.conftest import make_user
from tests.factories import PASSWORD, DomainFactory, OrganizationFactory
from tests.reviews.conftest import add_expert, docx_upload

pytestmark = pytest.mark.browser


@pytest.fixture
def setting(live_server_url):
    secretariat = make_user("secretariat", username="sec-browser")
    domain = DomainFactory(code="2.1", name="智能制造装备")
    submitter = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    plan = services.create_plan(
        by=secretariat, title="机器人产业三年行动计划", kind="action_plan", submitted_by=submitter, domains=["2.1"]
    )
    services.add_plan_version(plan, upload=docx_upload(), by=secretariat)
    experts = [add_expert(n, domain=domain) for n in range(1, 10)]
    return {"secretariat": secretariat, "plan": plan, "domain": domain, "experts": experts}


def drawn_review(setting):
    now = timezone.now()
    review = services.create_review(
        setting["plan"], by=setting["secretariat"], opens_at=now + timedelta(days=3), due_at=now + timedelta(days=17),
        required_domains=["2.1"],
    )  # fmt: skip
    services.draw_for_review(review, by=setting["secretariat"], seed="browser")
    return review


def test_secretariat_schedules_a_review_and_draws_its_panel(new_page, setting):
    page = new_page(language="en")
    sign_in(page, "sec-browser", PASSWORD)
    opens = timezone.localtime() + timedelta(days=5)

    page.goto("/admin/reviews/schedule/")
    page.select_option("#id_plan", str(setting["plan"].pk))
    page.fill("#id_opens_at", opens.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_due_at", (opens + timedelta(days=14)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_required_domains", str(setting["domain"].pk))
    page.click("[data-testid=schedule-form] button[type=submit]")
    page.wait_for_url("**/admin/reviews/*/draw/")
    page.click("[data-testid=draw]")  # the quick, unwitnessed draw: no seed can be typed
    page.wait_for_selector("[data-testid=panel] li")

    review = Review.objects.get()
    assert review.state == Review.State.INVITING
    assert page.locator("[data-testid=panel] li").count() == 5
    assert page.locator("[data-testid=seed]").inner_text() == review.draw.seed
    assert page.locator("[data-testid=commitment-digest]").inner_text() == review.draw.commitment.digest
    assert page.locator("[data-testid=pool-size]").inner_text() == "9"
    assert page.locator("[data-testid=pool-hash]").inner_text() == review.draw.pool_hash
    page.click("[data-testid=verify]")
    assert page.locator("[data-testid=verification]").inner_text().startswith("Verified")


def test_expert_accepts_with_the_declarations_on_a_phone(new_page, setting):
    review = drawn_review(setting)
    assignment = review.assignments.select_related("expert__user").first()
    page = new_page(viewport=PHONE, language="en")
    sign_in(page, assignment.expert.user.username, PASSWORD)

    page.goto("/portal/invitations/")
    card = page.locator(f"[data-testid=invitation-{assignment.pk}]")
    card.locator("input[name=no_conflict]").check()
    card.locator("input[name=confidentiality]").check()
    card.locator("[data-testid=accept]").click()
    page.wait_for_url(f"**/portal/reviews/{review.pk}/")

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.ACCEPTED
    assert assignment.no_conflict_text
    assert assignment.confidentiality_text
    assert page.locator("h1").inner_text() == "机器人产业三年行动计划"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.click("text=Read the plan")
    assert page.locator("#s1").count() == 1


def test_decline_with_a_reason_updates_the_board_live(new_page, setting):
    review = drawn_review(setting)
    board = new_page(language="en")
    sign_in(board, "sec-browser", PASSWORD)
    board.goto(f"/admin/reviews/{review.pk}/board/")
    board.wait_for_selector("#panel-board[data-live='1']")
    assert board.locator("#panel-board li").count() == 5
    leaving = review.assignments.select_related("expert__user").first()
    expert_page = new_page(viewport=PHONE, language="en")
    sign_in(expert_page, leaving.expert.user.username, PASSWORD)

    expert_page.goto("/portal/invitations/")
    card = expert_page.locator(f"[data-testid=invitation-{leaving.pk}]")
    card.locator("summary").click()
    card.locator("textarea[name=reason]").fill("同期在外地出差，无法参加。")
    card.locator("[data-testid=decline]").click()
    expert_page.wait_for_load_state()

    board.locator("#panel-board li").nth(5).wait_for()  # polled by locator: CSP forbids wait_for_function's eval
    row = board.locator(f"#panel-board li[data-assignment='{leaving.pk}'] [data-testid=assignment-state]")
    assert row.inner_text() == "Declined"
    assert board.locator("#panel-board [data-testid=assignment-state]", has_text="Invited").count() == 5
    leaving.refresh_from_db()
    assert leaving.decline_reason == "同期在外地出差，无法参加。"
