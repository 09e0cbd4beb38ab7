"""The roster in a real browser: the secretariat creates an expert with a photo in the Wagtail
admin and imports a workbook; an expert updates their unavailable dates in the portal."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from experts import workbook
from experts.models import Domain, Expert, Organization
from tests.browser.conftest import PHONE, sign_in
from tests.conftest import make_user
from tests.experts.conftest import jpeg_bytes, new_expert
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def test_secretariat_creates_expert_with_photo_in_admin(new_page, tmp_path):
    make_user("secretariat", username="sec-browser")
    Organization.objects.create(name="辽河大学", kind="university")
    Domain.objects.create(code="2.1", name="机器人及智能制造装备产业")
    photo = tmp_path / "portrait.jpg"
    photo.write_bytes(jpeg_bytes((900, 1200)))
    page = new_page(language="en")
    sign_in(page, "sec-browser", PASSWORD)

    page.goto("/admin/experts/expert/new/")
    page.fill("#id_name", "赵六")
    page.select_option("#id_category", "scholar")
    page.select_option("#id_initial_status", "active")
    page.select_option("#id_employer", label="辽河大学")
    page.check("input[name=domains]")
    page.fill("#id_mobile", "13800001234")
    page.fill("#id_email", "zhaoliu@example.cn")
    page.set_input_files("#id_photo_upload", str(photo))
    page.click("footer button[type=submit]")
    page.wait_for_url("**/admin/experts/expert/inspect/*/")

    expert = Expert.objects.get(name="赵六")
    assert (expert.status, bool(expert.photo), [d.code for d in expert.domains.all()]) == ("active", True, ["2.1"])
    assert page.locator("[data-testid=expert-photo]").is_visible()
    assert "Added in the back office" in page.locator("[data-testid=history]").inner_text()


def test_secretariat_imports_a_workbook_in_admin(new_page, tmp_path):
    make_user("secretariat", username="sec-import")
    Organization.objects.create(name="沈阳自动化研究院", kind="institute")
    Domain.objects.create(code="2.1", name="机器人")
    Domain.objects.create(code="1.5", name="人工智能")
    book = load_workbook(io.BytesIO(workbook.template_bytes()))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for n in range(1, 26):
        sheet.append(
            [f"B-{n:03d}", f"王{n}", "specialist", "研究员", "senior", "", "沈阳自动化研究院", "2.1", "1.5",
             "工业机器人", f"139{n:08d}", f"w{n}@example.cn", "2026-01-01", "2028-12-31", "", "active", "", ""]
        )  # fmt: skip
    path = tmp_path / "roster.xlsx"
    book.save(path)
    page = new_page(language="en")
    sign_in(page, "sec-import", PASSWORD)

    page.goto("/admin/experts/expert/")
    page.click("a[href='/admin/experts/expert/import/']")
    page.set_input_files("#id_workbook", str(path))
    page.click("text=Check the workbook")
    summary = page.locator("[data-testid=import-summary]").inner_text()
    page.click("[data-testid=import-confirm]")
    page.wait_for_load_state()
    result = page.locator("[data-testid=import-result]").inner_text()

    assert summary.startswith("25 to create, 0 to update, 0 unchanged, 0 with errors.")
    assert result == "Imported: 25 created, 0 updated, 0 unchanged, 0 skipped."
    assert Expert.objects.filter(key__startswith="B-").count() == 25


def test_expert_updates_unavailable_dates_in_portal_on_a_phone(new_page):
    expert = new_expert(name="王建国", key="SELF-B", username="wangjg-b")
    expert.user.set_password(PASSWORD)
    expert.user.save()
    start = timezone.localdate() + timedelta(days=14)
    page = new_page(viewport=PHONE, language="en")
    sign_in(page, "wangjg-b", PASSWORD)

    page.click("nav >> text=My profile")
    page.wait_for_url("**/portal/profile/")
    page.fill("#id_starts_on", start.isoformat())
    page.fill("#id_ends_on", (start + timedelta(days=4)).isoformat())
    page.fill("#id_note", "出差")
    page.click("text=Add period")
    page.locator("#periods [role=status]").wait_for()

    listed = page.locator("[data-testid=periods] li").first.inner_text()
    assert listed.startswith(f"{start:%Y-%m-%d} – {start + timedelta(days=4):%Y-%m-%d} · 出差")
    assert [(p.starts_on, p.note) for p in expert.unavailable_periods.all()] == [(start, "出差")]
    no_sideways_scroll = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert no_sideways_scroll is True
