"""The committee site in a real browser: axe-core's WCAG 2.1 AA rules at phone and desktop widths,
the secretariat publishing a meeting notice through the approval workflow in the Wagtail admin,
and no request to any other host."""

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from cms import demo
from cms.models import NoticeIndexPage
from cms.publishing import ensure_publishing
from experts import roles
from tests.browser.conftest import DESKTOP, PHONE, sign_in
from tests.cms.conftest import make_expert
from tests.conftest import make_user
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The four of the done-when list first, then every other kind of public page.
PUBLIC_PAGES = [
    "/",
    "/members/",
    "/news/committee-formed/",
    "/conclusions/information-services-action-plan/",
    "/about/",
    "/news/",
    "/notices/",
    "/notices/robot-action-plan-meeting/",
    "/conclusions/",
    "/policies/",
    "/policies/opinions-full-text/",
    "/search/?q=机器",
]


@pytest.fixture
def site(live_server_url):
    """The demo site with a few members (photos included) in the roster."""
    for name in ("王建国", "李海燕", "张晓明"):
        make_expert(name, public_fields=["title", "employer", "domains", "photo"], photo=True)
    demo.load()
    ensure_publishing()
    return live_server_url


def axe_violations(page):
    """Run axe-core in the page (evaluated over the DevTools protocol, so the page's strict CSP
    stays on) and return ``"rule: targets"`` for each violation."""
    page.evaluate(AXE_SOURCE)
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => v.id + ": " + v.nodes.map(n => n.target.join(" ")).join(", "));
        }""",
        WCAG21_AA,
    )


def hosts_of(page):
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).netloc))
    return hosts


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_site_public_pages_pass_axe_wcag21_aa(site, new_page, viewport):
    page = new_page(viewport=viewport)
    hosts = hosts_of(page)
    found = {}

    for path in PUBLIC_PAGES:
        response = page.goto(path)
        assert response.status == 200, path
        found[path] = axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path

    assert found == {path: [] for path in PUBLIC_PAGES}
    assert hosts == {urlparse(site).netloc}


def test_site_axe_check_does_report_a_violation(site, page):
    """Guard against a silently broken check: an image without alt text must be reported."""
    page.goto("/")
    page.evaluate("document.querySelector('main').appendChild(document.createElement('img')).src = '/static/none.png'")

    assert [violation.split(":")[0] for violation in axe_violations(page)] == ["image-alt"]


def test_site_secretariat_writes_submits_and_approves_a_meeting_notice(site, new_page):
    make_user(roles.SECRETARIAT, username="head", first_name="处长", last_name="李")
    index = NoticeIndexPage.objects.get()
    title = "关于召开《沈阳市新材料产业发展专项规划》论证会的通知"
    admin = new_page()
    hosts = hosts_of(admin)
    visitor = new_page(viewport=PHONE)

    sign_in(admin, "head", PASSWORD)  # password, then the second factor the secretariat needs
    admin.goto(f"/admin/pages/add/cms/meetingnoticepage/{index.pk}/")
    admin.fill("#id_title", title)
    admin.fill("#id_meeting_at", "2027-01-15 09:30")
    # The date picker opens a moment after focus and closes on a click elsewhere; left open it
    # covers the footer menu.
    picker = admin.locator(".xdsoft_datetimepicker:visible")
    expect(picker).to_have_count(1)
    admin.click("#id_location")
    expect(picker).to_have_count(0)
    admin.fill("#id_location", "市发展改革委第二会议室")
    admin.fill("#id_review_title", "沈阳市新材料产业发展专项规划")
    admin.locator("footer .w-dropdown__toggle").first.click()
    admin.click("button[name=action-submit]")
    admin.wait_for_url(f"**/admin/pages/{index.pk}/")

    visitor.goto("/notices/")
    assert visitor.locator(f"main a:text-is('{title}')").count() == 0

    admin.goto(f"/admin/pages/{index.pk}/")
    admin.locator(f"a:has-text('{title}')").first.click()
    admin.wait_for_url("**/edit/")
    admin.locator("footer .w-dropdown__toggle").first.click()
    admin.locator("button[data-workflow-action-name=approve]:not([data-workflow-action-modal-url])").click()
    admin.wait_for_load_state()

    visitor.goto("/notices/")
    visitor.locator(f"main a:text-is('{title}')").click()
    assert visitor.locator("h1").inner_text() == title
    assert "2027-01-15 09:30" in visitor.locator(".facts").inner_text()
    assert "市发展改革委第二会议室" in visitor.locator(".facts").inner_text()
    assert hosts == {urlparse(site).netloc}
