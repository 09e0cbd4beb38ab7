"""The portal shell in a real browser: each role signs in, sees its landing page in Chinese,
switches to English, and the large-text switch is remembered."""

import pytest

from tests.browser.conftest import PHONE, sign_in
from tests.conftest import make_user
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("role", ["secretariat", "expert", "commission", "department"])
def test_each_role_signs_in_and_reads_its_landing_page_in_chinese_then_english(new_page, role):
    make_user(role, username=f"demo-{role}", first_name="三", last_name="张")
    page = new_page()
    sign_in(page, f"demo-{role}", PASSWORD)
    assert page.locator("h1").inner_text() == "我的待办"
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator(".who").inner_text() == "张三"
    page.click("[data-testid=language-switch]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "My tasks"
    assert page.locator("html").get_attribute("lang") == "en"
    back_office = page.locator("nav a[href='/admin/']")
    assert back_office.count() == (1 if role == "secretariat" else 0)


def test_wrong_password_shows_a_message_in_chinese(page):
    make_user("expert", username="someone")
    page.goto("/accounts/login/")
    page.fill("#id_username", "someone")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit].primary")
    expected = "用户名或密码错误，请重试。 连续五次登录失败后，将暂停登录 15 分钟。"
    assert page.locator("[role=alert]").inner_text() == expected


def test_large_text_switch_is_remembered_on_a_phone(new_page):
    make_user("expert", username="reader")
    page = new_page(viewport=PHONE)
    sign_in(page, "reader", PASSWORD)
    normal = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    page.click("[data-testid=text-size]")
    page.wait_for_load_state()
    page.goto("/portal/")
    large = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert large > normal
    # Nothing overflows the phone's width.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_portal_page_runs_without_csp_violations(page):
    make_user("commission", username="reader")
    violations = []
    page.on(
        "console",
        lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None,
    )
    sign_in(page, "reader", PASSWORD)
    page.reload()
    assert violations == []
