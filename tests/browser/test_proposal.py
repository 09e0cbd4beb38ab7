"""A proposal in a real browser: an expert submits one on a phone-sized page (adding and removing
suggestions); it appears on the secretariat's board without reload; the secretariat routes each
suggestion to a department; both departments answer; the expert sees both answers."""

import pytest

from consultations.proposals.models import Proposal
from tests.browser.conftest import PHONE, sign_in
from tests.consultations.proposal_setup import build_setting
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


def test_expert_submits_secretariat_routes_departments_answer_expert_reads(new_page):
    setting = build_setting()
    board = new_page(language="en")
    sign_in(board, setting.secretariat.username, PASSWORD)
    board.goto("/admin/proposals/")
    board.wait_for_selector("#board-live[data-state=live]", timeout=60_000)

    phone = new_page(viewport=PHONE, language="en")
    sign_in(phone, setting.expert.user.username, PASSWORD)
    phone.goto("/portal/proposals/new/")
    phone.fill("#id_title", "关于支持机器人配套中小企业的建议")
    phone.fill("#id_problem", "本地配套率不足三成。")
    phone.fill("#point-1", "设立配套企业技改补贴")
    phone.fill("#point-2", "临时的建议")
    phone.click("[data-testid=add-suggestion]")
    phone.fill("#point-3", "建设共性技术平台")
    phone.locator("[data-testid=suggestion]").nth(1).locator("[data-testid=remove-suggestion]").click()
    phone.check("input[name=domains][value='2']")
    phone.click("[data-testid=submit-proposal]")
    phone.wait_for_selector("[data-testid=proposal-state]:text('Submitted')")
    proposal = Proposal.objects.get()
    assert list(proposal.points.order_by("position").values_list("text", flat=True)) == [
        "设立配套企业技改补贴",
        "建设共性技术平台",
    ]

    board.wait_for_selector(f"[data-testid=board-row][data-proposal='{proposal.pk}']")  # no reload
    board.click(f"[data-testid=board-row][data-proposal='{proposal.pk}'] a")
    first, second = proposal.points.order_by("position")
    board.check(f"input[name=route-organizations][value='{setting.industry.pk}']")
    board.check(f"input[name=route-organizations][value='{setting.science.pk}']")
    board.select_option(f"select[name=route-point_{first.pk}]", str(setting.industry.pk))
    board.select_option(f"select[name=route-point_{second.pk}]", str(setting.science.pk))
    board.click("[data-testid=route-form] button[type=submit]")
    board.wait_for_selector("[data-testid=screen-state]:text('Routed')")

    for staff, point, status, reason in (
        (setting.industry_staff, first, "adopted", ""),
        (setting.science_staff, second, "partly_adopted", "纳入明年科技计划"),
    ):
        department = new_page(language="en")
        sign_in(department, staff.username, PASSWORD)
        department.goto("/portal/proposals/")
        department.click(f"a[href='/portal/proposals/{proposal.pk}/']")
        item = department.locator(f"#point-{point.pk}")
        item.locator(f"input[value={status}]").check()
        item.locator("textarea").fill(reason)
        item.locator("button[type=submit]").click()
        department.wait_for_selector(f"#point-{point.pk} [data-testid=suggestion-answer]")
        assert department.locator("[data-testid=answer-form]").count() == 1  # only its own suggestion

    phone.goto(f"/portal/proposals/{proposal.pk}/")
    assert phone.inner_text("[data-testid=proposal-state]") == "Answered"
    assert phone.locator("[data-testid=suggestion-status]").all_inner_texts() == ["Adopted", "Partly adopted"]
    assert "纳入明年科技计划" in phone.inner_text(f"#point-{second.pk}")
