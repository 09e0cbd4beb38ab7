"""The consolidation in a real browser: the chair and the secretariat edit the group opinion at
once without losing either text; the panel confirms and the chair sees it live; the commission
downloads the .docx and answers every point; an expert then sees the answers."""

import pytest

from consultations.consolidation import services as rules
from consultations.consolidation.models import Consolidation
from consultations.opinions.models import Point
from consultations.responses import selectors as responses
from tests.browser.conftest import PHONE, sign_in
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import closed_review, set_chair
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]  # building a closed review is slow on a busy machine


def test_chair_and_secretariat_edit_the_group_opinion_at_once_without_loss(new_page, secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    chair = set_chair(review, secretariat_user)
    url = f"/portal/reviews/{review.pk}/consolidation/"
    chair_page, secretariat_page = new_page(language="en"), new_page(language="en")
    sign_in(chair_page, chair.username, PASSWORD)
    sign_in(secretariat_page, secretariat_user.username, PASSWORD)
    chair_page.goto(url)
    secretariat_page.goto(url)
    chair_page.wait_for_selector("#live-status[data-state=live]", timeout=60_000)
    secretariat_page.wait_for_selector("#live-status[data-state=live]", timeout=60_000)

    secretariat_page.fill("#group-text", "秘书处：建议补充资金测算。")
    chair_page.fill("#group-text", "组长：规划总体可行。")
    chair_page.click("#group-save")
    chair_page.wait_for_selector("#group-version:text('1')")
    secretariat_page.wait_for_selector("#theirs:not([hidden])")  # told live, own text kept
    kept = secretariat_page.input_value("#group-text")
    secretariat_page.click("#group-save")  # still on version 0: refused, nothing lost
    secretariat_page.wait_for_selector("#group-version:text('1')")
    theirs = secretariat_page.inner_text("#theirs-text")
    secretariat_page.fill("#group-text", theirs + "\n" + kept)
    secretariat_page.click("#group-save")
    secretariat_page.wait_for_selector("#group-version:text('2')")

    final = Consolidation.objects.get(review=review)
    assert (kept, theirs) == ("秘书处：建议补充资金测算。", "组长：规划总体可行。")
    assert final.group_opinion == "组长：规划总体可行。\n秘书处：建议补充资金测算。"
    assert final.version == 2


def test_panel_confirms_and_the_chair_sees_it_live(new_page, secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    chair = set_chair(review, secretariat_user)
    rules.save_group_opinion(review, by=chair, text="专家组意见：同意。", expected_version=0)
    url = f"/portal/reviews/{review.pk}/consolidation/"
    watcher = new_page(language="en")
    sign_in(watcher, chair.username, PASSWORD)
    watcher.goto(url)
    watcher.wait_for_selector("#live-status[data-state=live]", timeout=60_000)

    for opinion in panel_of(review)[1:]:
        member = new_page(viewport=PHONE, language="en")
        sign_in(member, opinion.expert.user.username, PASSWORD)
        member.goto(url)
        member.click("#confirm")
        member.wait_for_selector("text=You confirmed this version.")

    # A locator, not wait_for_function: its polling evaluates with eval, which the pages' CSP forbids.
    watcher.locator("#confirmations .badge.ok").nth(1).wait_for(timeout=60_000)
    watcher.click("#confirm")
    watcher.wait_for_selector("text=You confirmed this version.")
    review.refresh_from_db()
    assert review.state == "consolidated"
    assert Consolidation.objects.get(review=review).sealed_at is not None


def test_commission_downloads_the_docx_answers_every_point_and_the_expert_sees_the_answers(
    new_page, secretariat_user, commission_user
):
    review = closed_review(secretariat_user, panel=3)
    saved = rules.save_group_opinion(review, by=secretariat_user, text="专家组意见。", expected_version=0)
    for opinion in panel_of(review):
        rules.confirm_group_opinion(review, by=opinion.expert.user, version=saved.version)
    page = new_page(language="en")
    sign_in(page, commission_user.username, PASSWORD)
    page.goto(f"/portal/reviews/{review.pk}/consolidation/")

    with page.expect_download() as download:
        page.click(".doc-list li[data-kind=docx] a")
    assert download.value.suggested_filename == f"consolidation-{review.pk}-v1.docx"
    for point in Point.objects.filter(opinion__review=review).order_by("id"):
        form = page.locator(f"#point-{point.pk} form")
        form.locator("input[value=partly_adopted]").check()
        form.locator("textarea").fill("部分采纳：纳入年度计划。")
        form.locator("button").click()
        page.wait_for_selector(f"#point-{point.pk} [data-testid=response]")
    page.click("#finalise")
    page.wait_for_selector("[data-testid=package-final]")

    expert = panel_of(review)[0].expert
    reader = new_page(viewport=PHONE, language="en")
    sign_in(reader, expert.user.username, PASSWORD)
    reader.goto("/portal/my-points/")
    answers = reader.locator("[data-testid=my-answer]").all_inner_texts()
    assert answers == ["Partly adopted", "Partly adopted"]
    assert list(responses.open_points(review)) == []
