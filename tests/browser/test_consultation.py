"""Consultations in a real browser: the commission poses one on a desktop and watches its board;
an expert of the domain answers on a phone-sized screen (points added per question, autosaved),
submits and sees the seal; the commission's board shows the answer without a reload."""

import re

import pytest

from consultations.models import Consultation, Opinion
from tests.consultations.consulting_setup import build_committee
from tests.factories import PASSWORD

from .conftest import DESKTOP, PHONE, sign_in

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
