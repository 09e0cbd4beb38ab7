"""Honoraria by title level and mode (2017 national standard by default, configurable)."""

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from consultations.consolidation import honoraria
from experts.models import Expert
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import closed_review

pytestmark = pytest.mark.django_db


def test_fee_defaults_follow_the_2017_standard():
    senior = Expert(title_level="senior")
    other = Expert(title_level="intermediate")

    assert honoraria.fee(senior, mode="meeting", days=1) == Decimal("1500")
    assert honoraria.fee(other, mode="meeting", days=2) == Decimal("1800")
    assert honoraria.fee(senior, mode="meeting", days=3) == Decimal("3750")  # third day at half rate
    assert honoraria.fee(senior, mode="written") == Decimal("300")  # a written occasion: 20% of a day


def test_fee_rates_are_configurable(settings):
    settings.HONORARIUM_RATES = {"meeting_day": {"senior": 2400, "none": 1000}, "written_share": "0.5"}

    assert honoraria.fee(Expert(title_level="senior"), mode="written") == Decimal("1200")
    assert honoraria.fee(Expert(title_level="none"), mode="meeting") == Decimal("1000")


def test_honoraria_of_a_closed_review_export_to_xlsx(secretariat_user, client):
    review = closed_review(secretariat_user)
    client.force_login(secretariat_user)

    page = client.get(f"/portal/reviews/{review.pk}/honoraria/", HTTP_ACCEPT_LANGUAGE="en")
    export = client.get(f"/portal/reviews/{review.pk}/honoraria/?xlsx=1", HTTP_ACCEPT_LANGUAGE="en")

    assert page.status_code == 200
    assert len(page.context["rows"]) == 5
    sheet = load_workbook(io.BytesIO(export.content))["honoraria"]
    names = [row[0] for row in sheet.iter_rows(min_row=3, max_row=7, values_only=True)]
    assert sorted(names) == sorted(o.expert.name for o in panel_of(review))
    fees = [row[5] for row in sheet.iter_rows(min_row=3, max_row=7, values_only=True)]
    assert sheet.cell(row=8, column=6).value == sum(fees)


def test_honoraria_are_the_secretariat_s(secretariat_user, commission_user, client):
    review = closed_review(secretariat_user)
    client.force_login(commission_user)

    assert client.get(f"/portal/reviews/{review.pk}/honoraria/").status_code == 404
