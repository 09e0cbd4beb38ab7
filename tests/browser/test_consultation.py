"""Consultations in a real browser: the commission poses one on a desktop and watches its board;
an expert of the domain answers on a phone-sized screen (points added per question, autosaved),
submits and sees the seal; the commission's board shows the answer without a reload. Nothing
typed is lost: a stale save opens the merge panel, text typed offline waits on the device."""

import re

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from consultations.inquiries.models import Consultation
from consultations.opinions.models import Opinion
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.consultations.consulting_setup import build_committee, pose
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


def test_commission_poses_a_consultation_and_an_expert_answers_on_a_phone(new_page, commission_user):
    e = build_committee()["experts"]
    desk = new_page(viewport=DESKTOP, language="en")
    sign_in(desk, commission_user.username, PASSWORD)

    desk.goto("/portal/consultations/")
    desk.click("[data-testid=pose]")
    desk.fill("#id_title", "机器人配套企业征询")
    desk.locator("[data-testid=question]").nth(0).fill("如何支持中小配套企业？")
    desk.locator("[data-testid=question]").nth(1).fill("用地规则应如何调整？")
    desk.select_option("#id_addressed_domains", ["2.1"])
    desk.check("#id_open_now")
    desk.click("[data-testid=save-consultation]")
    desk.wait_for_url(re.compile(r".*/portal/consultations/\d+/$"))
    desk.wait_for_selector("#live-status[data-state=live]", timeout=60_000)
    consultation = Consultation.objects.get()

    phone = new_page(viewport=PHONE, language="en")
    sign_in(phone, e["grandchild"].user.username, PASSWORD)
    phone.goto(f"/portal/consultations/{consultation.pk}/answer/")
    first, second = phone.locator("fieldset.question").nth(0), phone.locator("fieldset.question").nth(1)
    first.locator("textarea").nth(0).fill("设立技改专项补贴")
    first.locator("[data-add-point]").click()
    first.locator("textarea").nth(1).fill("组织供需对接会")
    second.locator("textarea").nth(0).fill("推行标准厂房租赁")
    phone.wait_for_selector("#save-status[data-state=saved]", timeout=30_000)
    phone.click("[data-testid=submit-link]")
    phone.wait_for_url("**/answer/submit/")
    phone.click("[data-testid=confirm-submit]")
    phone.wait_for_selector("[data-testid=digest]")

    desk.wait_for_selector("[data-testid=answer-count]:text('1 answer submitted')", timeout=60_000)
    answer = Opinion.objects.get(consultation=consultation)
    board = [desk.locator("[data-testid=question-group]").nth(i).locator("[data-testid=answer-point]").all_inner_texts()
             for i in range(2)]  # fmt: skip
    assert phone.inner_text("[data-testid=digest]") == answer.digest
    assert [(p.question.text, p.text) for p in answer.points.order_by("position")] == [
        ("如何支持中小配套企业？", "设立技改专项补贴"),
        ("如何支持中小配套企业？", "组织供需对接会"),
        ("用地规则应如何调整？", "推行标准厂房租赁"),
    ]
    name = e["grandchild"].name
    assert board == [[f"设立技改专项补贴 （{name}）", f"组织供需对接会 （{name}）"], [f"推行标准厂房租赁 （{name}）"]]


def saved(page):
    """Wait for the page to say the server has everything; if it never does, say what it said."""
    try:
        page.wait_for_selector("[data-testid=save-status][data-state=saved]")
    except PlaywrightTimeout:
        status = page.locator("[data-testid=save-status]")
        raise AssertionError(
            f"never saved: the status says {status.get_attribute('data-state')!r}, {status.inner_text()!r}"
        ) from None


def answer_texts(consultation):
    answer = Opinion.objects.get(consultation=consultation)
    return answer, [(p.question.position, p.text) for p in answer.points.order_by("position")]


def test_a_stale_save_opens_the_merge_panel_and_the_chosen_text_is_saved(new_page, secretariat_user):
    expert = build_committee()["experts"]["child"]
    consultation = pose(secretariat_user)
    url = f"/portal/consultations/{consultation.pk}/answer/"
    laptop, phone = new_page(viewport=DESKTOP, language="en"), new_page(viewport=PHONE, language="en")
    for page in (laptop, phone):
        sign_in(page, expert.user.username, PASSWORD)
        page.goto(url)

    laptop.locator("fieldset.question").nth(0).locator("textarea").nth(0).fill("电脑上写的第一点")
    saved(laptop)
    phone.locator("fieldset.question").nth(0).locator("textarea").nth(0).fill("手机上写的第一点")
    phone.locator("fieldset.question").nth(1).locator("textarea").nth(0).fill("手机上写的第二点")
    phone.wait_for_selector("[data-testid=merge]:not([hidden])")
    phone.reload()  # a reload in the middle of it keeps what the phone holds
    phone.wait_for_selector("[data-testid=merge]:not([hidden])")

    first, second = phone.locator("[data-testid=merge-question-1]"), phone.locator("[data-testid=merge-question-2]")
    assert first.locator("[data-testid=merge-mine]").inner_text() == "手机上写的第一点"
    assert first.locator("[data-testid=merge-theirs]").inner_text() == "电脑上写的第一点"
    assert second.locator("[data-testid=merge-mine]").inner_text() == "手机上写的第二点"
    assert second.locator("[data-testid=merge-theirs] li").count() == 0
    assert answer_texts(consultation)[1] == [(0, "电脑上写的第一点")]
    first.locator("button[data-choice=theirs]").click()
    second.locator("button[data-choice=mine]").click()
    assert phone.locator("fieldset.question").nth(0).locator("textarea").nth(0).input_value() == "电脑上写的第一点"
    phone.click("[data-testid=merge-save]")
    phone.wait_for_selector("[data-testid=merge]", state="hidden")
    saved(phone)

    answer, texts = answer_texts(consultation)
    assert (answer.version, texts) == (2, [(0, "电脑上写的第一点"), (1, "手机上写的第二点")])
    assert list(answer.versions.values_list("kind", flat=True)) == ["merged"]
    assert phone.evaluate("Object.keys(localStorage)") == []


def test_text_typed_without_network_is_kept_on_the_device_and_saved_when_it_returns(new_page, secretariat_user):
    expert = build_committee()["experts"]["grandchild"]
    consultation = pose(secretariat_user)
    url = f"/portal/consultations/{consultation.pk}/answer/"
    page = new_page(viewport=PHONE, language="en")
    context = page.context
    sign_in(page, expert.user.username, PASSWORD)
    page.goto(url)

    context.set_offline(True)
    page.locator("fieldset.question").nth(0).locator("textarea").nth(0).fill("断网时写的第一点")
    page.wait_for_selector("[data-testid=save-status][data-state=offline]")
    assert answer_texts(consultation)[1] == []
    context.set_offline(False)  # the page sends it by itself
    saved(page)
    assert answer_texts(consultation)[1] == [(0, "断网时写的第一点")]

    context.set_offline(True)
    page.locator("fieldset.question").nth(1).locator("textarea").nth(0).fill("断网后关掉页面前写的")
    page.wait_for_selector("[data-testid=save-status][data-state=offline]")
    # The draft is on the device (written at the change) before the tab closes.
    page.wait_for_function("() => Object.values(localStorage).some((v) => v.includes('断网后关掉页面前写的'))")
    page.close()  # the tab closed before the network came back
    context.set_offline(False)
    again = context.new_page()
    again.goto(url)
    saved(again)

    assert again.locator("fieldset.question").nth(1).locator("textarea").nth(0).input_value() == "断网后关掉页面前写的"
    assert answer_texts(consultation)[1] == [(0, "断网时写的第一点"), (1, "断网后关掉页面前写的")]
    assert again.evaluate("Object.keys(localStorage)") == []
