"""Opinions in a real browser: writing through a lost network, sealing, comparing versions; the
chair's marker followed by another panel member; a save reaching the secretariat's board."""

import re

import pytest
from playwright.sync_api import expect

from consultations.opinions.models import Opinion
from reviews import services as review_services
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.consultations.conftest import build_open_review, panel_of
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def saved(page):
    page.wait_for_selector("[data-testid=save-status][data-state=saved]")


def test_expert_writes_through_a_lost_network_submits_and_compares_versions(new_page, secretariat_user):
    review = build_open_review(secretariat_user)
    opinion = panel_of(review)[0]
    page = new_page(viewport=PHONE, language="en")
    sign_in(page, opinion.expert.user.username, PASSWORD)
    page.goto(f"/portal/reviews/{review.pk}/opinion/")

    page.check("input[name=conclusion][value=agree_with_revisions]")
    for key, value in {"necessity": "9", "feasibility": "7", "soundness": "8"}.items():
        page.fill(f"input[data-criterion={key}]", value)
    page.fill("[data-testid=summary]", "规划总体可行。")
    saved(page)
    assert re.fullmatch(r"Saved \d\d:\d\d", page.inner_text("[data-testid=save-status]"))
    page.fill("#id_label", "第一稿")
    page.click("[data-testid=save-version]")
    saved(page)

    page.context.set_offline(True)
    page.fill("[data-testid=summary]", "规划总体可行，但资金测算不足。")
    section = review.plan_version.blocks[2]["section"]
    page.click(f"[data-testid=comment-{section}]")
    page.locator("[data-testid=point-text]").last.fill("此节缺少年度目标。")
    page.wait_for_selector("[data-testid=save-status][data-state=offline]")
    assert Opinion.objects.get(pk=opinion.pk).summary == "规划总体可行。"
    page.context.set_offline(False)
    saved(page)

    stored = Opinion.objects.get(pk=opinion.pk)
    assert stored.summary == "规划总体可行，但资金测算不足。"
    assert list(stored.points.values_list("section", "text")) == [(section, "此节缺少年度目标。")]

    page.fill("#id_label", "第二稿")
    page.click("[data-testid=save-version]")
    saved(page)
    expect(page.locator("#id_label")).to_have_value("")
    page.click("[data-testid=submit-link]")
    page.wait_for_url("**/opinion/submit/")
    shown = page.inner_text("[data-testid=digest-preview]")
    page.click("[data-testid=confirm-submit]")
    page.wait_for_selector("[data-testid=sealed]")
    assert page.inner_text("[data-testid=digest]") == shown == Opinion.objects.get(pk=opinion.pk).digest

    page.goto(f"/portal/opinions/{opinion.pk}/versions/?a=1&b=2")
    assert page.locator("[data-testid=version-row]").count() == 3
    assert page.locator("[data-testid=diff] ins.diff-ins").first.inner_text() == "，但资金测算不足"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_chair_moves_the_marker_and_another_members_reader_follows(new_page, secretariat_user):
    review = build_open_review(secretariat_user, mode="meeting")
    chair, member, _ = panel_of(review)
    review_services.set_chair(review, chair.expert, by=secretariat_user)
    sections = [b["section"] for b in review.plan_version.blocks]
    chair_page = new_page(viewport=DESKTOP, language="en")
    member_page = new_page(viewport=PHONE, language="en")
    sign_in(chair_page, chair.expert.user.username, PASSWORD)
    sign_in(member_page, member.expert.user.username, PASSWORD)
    for page in (chair_page, member_page):
        page.goto(f"/portal/reviews/{review.pk}/discussion/")
        page.wait_for_selector("[data-testid=live-status][data-state=live]")

    chair_page.click("[data-testid=marker-next]")
    chair_page.wait_for_selector(f".block.now[data-section='{sections[0]}']")
    chair_page.click("[data-testid=marker-next]")

    member_page.wait_for_selector(f".block.now[data-section='{sections[1]}']")
    assert member_page.inner_text("[data-testid=now-discussing]") == f"Now discussing §{sections[1]}"

    assert member_page.input_value("#id_section") == sections[1]
    member_page.fill("[data-testid=comment-text]", "我对此节持保留意见。")
    member_page.check("input[name=dissent]")
    member_page.click("[data-testid=comment-send]")
    chair_page.wait_for_selector("#comments li.dissent")
    assert "我对此节持保留意见。" in chair_page.inner_text("#comments")


def test_a_save_reaches_the_secretariats_open_board(new_page, secretariat_user):
    review = build_open_review(secretariat_user)
    opinion = panel_of(review)[1]
    board = new_page(viewport=DESKTOP, language="en")
    sign_in(board, "sec", PASSWORD)
    board.goto(f"/portal/reviews/{review.pk}/board/")
    board.wait_for_selector("[data-testid=live-status][data-state=live]")
    row = f"[data-testid=board-row][data-expert='{opinion.expert_id}']"
    assert board.inner_text(f"{row} [data-testid=board-state]") == "Not submitted"

    expert = new_page(viewport=PHONE, language="en")
    sign_in(expert, opinion.expert.user.username, PASSWORD)
    expert.goto(f"/portal/reviews/{review.pk}/opinion/")
    expert.fill("[data-testid=summary]", "正在撰写")
    saved(expert)

    board.wait_for_selector(f"{row} [data-testid=board-saved]")
    assert board.inner_text(f"{row} [data-testid=board-state]") == "Writing now"


def test_stale_save_opens_the_merge_screen_and_nothing_typed_is_lost(new_page, secretariat_user):
    review = build_open_review(secretariat_user)
    opinion = panel_of(review)[2]
    username = opinion.expert.user.username
    laptop = new_page(viewport=DESKTOP, language="en")
    phone = new_page(viewport=PHONE, language="en")
    sign_in(laptop, username, PASSWORD)
    sign_in(phone, username, PASSWORD)
    laptop.goto(f"/portal/reviews/{review.pk}/opinion/")
    laptop.context.set_offline(True)
    laptop.fill("[data-testid=summary]", "电脑上写的意见")
    laptop.wait_for_selector("[data-testid=save-status][data-state=offline]")

    phone.goto(f"/portal/reviews/{review.pk}/opinion/")
    phone.fill("[data-testid=summary]", "手机上写的意见")
    saved(phone)
    laptop.context.set_offline(False)

    laptop.wait_for_selector("[data-testid=merge]:not([hidden])")
    assert laptop.inner_text("[data-testid=merge-mine]") == "电脑上写的意见"
    assert laptop.inner_text("[data-testid=merge-theirs]") == "手机上写的意见"
    laptop.click("#merge-rows button:has-text('Add it after mine')")
    laptop.click("[data-testid=merge-save]")
    laptop.wait_for_selector("[data-testid=merge]", state="hidden")
    saved(laptop)

    stored = Opinion.objects.get(pk=opinion.pk)
    assert (stored.version, stored.summary) == (2, "电脑上写的意见\n手机上写的意见")
    assert list(stored.versions.values_list("kind", flat=True)) == ["merged"]
