"""Who sees honoraria: the API's rows, the payment sheet read back with openpyxl and its audit,
the secretariat's screen (compute, mark paid), the expert's own fees, query counts."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from openpyxl import load_workbook

from consultations.honoraria import services
from consultations.honoraria.models import Payment
from experts.models import AuditRecord
from tests.consultations.consolidation_setup import closed_review
from tests.consultations.honoraria_setup import members
from tests.queries import assert_constant_queries
from tests.reviews.conftest import add_expert

pytestmark = pytest.mark.django_db
D = Decimal
ACCOUNT = "6222021234567890123"


def paid_review(secretariat_user):
    """A closed written review of three, the first senior with bank details, payments computed."""
    review = closed_review(secretariat_user, panel=3)
    first = members(review)[0]
    first.title_level, first.bank_name, first.bank_branch = "senior", "中国工商银行", "沈阳浑南支行"
    first.account_holder, first.account_number = first.name, ACCOUNT
    first.save()
    services.set_rates(by=secretariat_user, values={"senior_day": "2400", "written_share": "50"})
    services.refresh_payments(review, by=secretariat_user)
    return review


def client_of(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_secretariat_gets_every_row_with_the_contract_s_fields(api_as, secretariat_user):
    review = paid_review(secretariat_user)
    first = members(review)[0]

    response = api_as(secretariat_user).get(f"/api/v1/reviews/{review.pk}/honoraria/")

    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == 3
    own = next(row for row in rows if row["expert"] == first.pk)
    assert {k: own[k] for k in ("basis", "basis_text", "net", "tax", "gross", "status", "paid_at")} == {
        "basis": "written", "basis_text": "A written opinion", "net": "1200.00", "tax": "100.00",
        "gross": "1300.00", "status": "to_pay", "paid_at": None,
    }  # fmt: skip


def test_an_expert_gets_their_own_row_only(api_as, secretariat_user):
    review = paid_review(secretariat_user)
    second = members(review)[1]
    services.mark_review_paid(review, by=secretariat_user, paid_on=date(2026, 1, 5))

    rows = api_as(second.user).get(f"/api/v1/reviews/{review.pk}/honoraria/").json()["results"]

    assert [(row["expert"], row["net"], row["status"], row["paid_at"]) for row in rows] == [
        (second.pk, "450.00", "paid", "2026-01-05")
    ]


def test_everyone_else_gets_404_on_the_list_and_the_sheet(api_as, secretariat_user, commission_user):
    review = paid_review(secretariat_user)
    off_panel = add_expert(999, domain=members(review)[0].domains.first())
    member = members(review)[0]

    assert api_as(commission_user).get(f"/api/v1/reviews/{review.pk}/honoraria/").status_code == 404
    assert api_as(off_panel.user).get(f"/api/v1/reviews/{review.pk}/honoraria/").status_code == 404
    assert api_as(member.user).get(f"/api/v1/reviews/{review.pk}/honoraria.xlsx").status_code == 404
    assert api_as(commission_user).get(f"/api/v1/reviews/{review.pk}/honoraria.xlsx").status_code == 404


def test_the_payment_sheet_has_the_bank_details_in_full_and_the_amounts(api_as, secretariat_user):
    review = paid_review(secretariat_user)
    first = members(review)[0]

    response = api_as(secretariat_user).get(f"/api/v1/reviews/{review.pk}/honoraria.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content))["payments"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0] == ("Expert", "Bank", "Bank branch", "Account holder", "Account number", "Basis",
                       "Gross (yuan)", "Tax withheld (yuan)", "Net (yuan)", "Status", "Paid on")  # fmt: skip
    by_name = {row[0]: row for row in rows[1:-1]}
    assert by_name[first.name] == (first.name, "中国工商银行", "沈阳浑南支行", first.name, ACCOUNT,
                                   "A written opinion", 1300, 100, 1200, "To pay", None)  # fmt: skip
    assert len(by_name) == 3
    assert rows[-1][0] == "Total"
    assert rows[-1][6:9] == (1300 + 450 * 2, 100, 1200 + 450 * 2)


def test_each_sheet_is_audited_as_an_export_and_as_a_reveal_of_account_numbers(api_as, secretariat_user):
    review = paid_review(secretariat_user)
    before = AuditRecord.objects.order_by("-id").values_list("id", flat=True).first() or 0
    experts = sorted(p.expert_id for p in Payment.objects.filter(review=review))

    api_as(secretariat_user).get(f"/api/v1/reviews/{review.pk}/honoraria.xlsx")

    records = AuditRecord.objects.filter(id__gt=before).order_by("id")
    assert [(r.action, r.actor_username, r.object_id, r.outcome) for r in records] == [
        ("bank.unmask", "sec", str(review.pk), "success"),
        ("export", "sec", str(review.pk), "success"),
    ]
    assert sorted(records[0].details["experts"]) == experts
    assert records[0].details["via"] == "payment sheet"
    assert records[1].details == {"export": "honoraria.xlsx", "count": 3}


def test_the_secretariat_computes_and_marks_all_paid_on_its_screen(secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    client = client_of(secretariat_user)
    url = f"/portal/reviews/{review.pk}/honoraria/"

    computed = client.post(url, {"action": "compute"})
    paid = client.post(url, {"action": "pay_all", "paid_on": "2026-03-01"})
    page = client.get(url)

    assert (computed.status_code, paid.status_code, page.status_code) == (302, 302, 200)
    assert [(p.status, p.paid_at) for p in page.context["payments"]] == [("paid", date(2026, 3, 1))] * 3


def test_a_bad_payment_date_on_the_screen_is_refused_and_changes_nothing(secretariat_user):
    review = closed_review(secretariat_user, panel=1)
    (payment,) = services.refresh_payments(review, by=secretariat_user)

    response = client_of(secretariat_user).post(
        f"/portal/reviews/{review.pk}/honoraria/", {"action": "pay", "payment": payment.pk, "paid_on": "3.5.2026"}
    )

    assert response.status_code == 400
    assert "Enter a valid date." in response.content.decode()
    assert Payment.objects.get().status == "to_pay"


def test_an_expert_sees_their_own_fees_across_reviews(secretariat_user):
    review = paid_review(secretariat_user)
    first, second = members(review)[:2]

    page = client_of(first.user).get("/portal/honoraria/")

    assert page.status_code == 200
    assert [(p.expert_id, p.net, p.tax, p.gross) for p in page.context["payments"]] == [
        (first.pk, D("1200.00"), D("100.00"), D("1300.00"))
    ]
    assert second.name not in page.content.decode()


def test_the_fees_page_and_the_review_screen_are_404_to_others(secretariat_user, commission_user):
    review = paid_review(secretariat_user)

    assert client_of(commission_user).get("/portal/honoraria/").status_code == 404
    assert client_of(commission_user).get(f"/portal/reviews/{review.pk}/honoraria/").status_code == 404
    assert client_of(members(review)[0].user).get(f"/portal/reviews/{review.pk}/honoraria/").status_code == 404


def _payments_for(review, domain):
    def make(count):
        for number in range(Payment.objects.filter(review=review).count(), count):
            expert = add_expert(500 + number, domain=domain)
            Payment.objects.create(review=review, expert=expert, basis="written", daily=D("900"), net=D("180"),
                                   gross=D("180"), tax=D("0"))  # fmt: skip

    return make


def test_the_honoraria_list_costs_the_same_queries_at_1_and_20_rows(api_as, secretariat_user):
    review = closed_review(secretariat_user, panel=1)
    client = api_as(secretariat_user)
    url = f"/api/v1/reviews/{review.pk}/honoraria/"

    assert_constant_queries(_payments_for(review, members(review)[0].domains.first()), lambda: client.get(url))


def test_the_secretariat_s_screen_costs_the_same_queries_at_1_and_20_rows(secretariat_user):
    review = closed_review(secretariat_user, panel=1)
    client = client_of(secretariat_user)
    url = f"/portal/reviews/{review.pk}/honoraria/"

    assert_constant_queries(_payments_for(review, members(review)[0].domains.first()), lambda: client.get(url))


def test_the_expert_s_fees_page_costs_the_same_queries_at_1_and_20_rows(secretariat_user):
    from datetime import timedelta

    from django.utils import timezone

    from reviews import services as review_services

    review = closed_review(secretariat_user, panel=1)
    (expert,) = members(review)
    client = client_of(expert.user)
    now = timezone.now()

    def make(count):
        while Payment.objects.filter(expert=expert).count() < count:
            other = review_services.create_review(review.plan, by=secretariat_user, opens_at=now - timedelta(days=1),
                                                  due_at=now + timedelta(days=9), required_domains=["2.1"],
                                                  panel_size=1, rules={"minimum_panel_size": 1})  # fmt: skip
            Payment.objects.create(review=other, expert=expert, basis="written", daily=D("900"), net=D("180"),
                                   gross=D("180"), tax=D("0"))  # fmt: skip

    assert_constant_queries(make, lambda: client.get("/portal/honoraria/"))
