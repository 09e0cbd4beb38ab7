"""The year report in a real browser: the commission, on a phone, opens it from the navigation,
reads this year's figures and chart, picks last year, and downloads the .xlsx to file."""

import io

import pytest
from django.utils import timezone

from tests.browser.conftest import PHONE, sign_in
from tests.consultations.test_year_report import SHANGHAI, Advice, at
from tests.factories import PASSWORD, DomainFactory, OrganizationFactory

pytestmark = [pytest.mark.browser, pytest.mark.timeout(600)]


def test_commission_reads_the_year_report_on_a_phone_and_files_last_year(new_page, commission_user):
    this_year = timezone.now().astimezone(SHANGHAI).year
    advice = Advice()
    domain = DomainFactory(code="2", name="高端装备制造产业", name_en="High-end equipment manufacturing")
    department = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    review = advice.review(department=department, domains=[domain])
    advice.point(opinion=advice.opinion(review=review, sealed=at(this_year, 1, 5)), outcome="adopted")
    advice.point(opinion=advice.opinion(review=review, sealed=at(this_year, 1, 6)), outcome="not_adopted")
    advice.point(opinion=advice.opinion(review=review, sealed=at(this_year - 1, 6, 1)), outcome="partly_adopted")
    page = new_page(viewport=PHONE, language="en")
    sign_in(page, commission_user.username, PASSWORD)

    page.click("nav.site-nav a[href='/portal/year-report/']")
    page.wait_for_selector("[data-testid=chart-domains]")
    this_year_total = page.inner_text("[data-testid=table-kinds] tfoot tr")
    chart_box = page.locator("[data-testid=chart-domains]").bounding_box()
    page.select_option("#year-select", str(this_year - 1))
    page.click("[data-testid=year-picker] button")
    page.wait_for_url(f"**/portal/year-report/?year={this_year - 1}")
    last_year_total = page.inner_text("[data-testid=table-kinds] tfoot tr")
    with page.expect_download() as download:
        page.click("[data-testid=export-xlsx]")

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(open(download.value.path(), "rb").read()))
    assert this_year_total.split() == ["Total", "2", "1", "0", "1", "0", "50.0%"]
    assert last_year_total.split() == ["Total", "1", "0", "1", "0", "0", "100.0%"]
    assert chart_box["x"] >= 0 and chart_box["x"] + chart_box["width"] <= PHONE["width"]
    assert download.value.suggested_filename == f"year-report-{this_year - 1}.xlsx"
    assert list(workbook["domains"].iter_rows(min_row=2, max_row=2, values_only=True)) == [
        ("High-end equipment manufacturing", 1, 0, 1, 0, 0, 1.0)
    ]
