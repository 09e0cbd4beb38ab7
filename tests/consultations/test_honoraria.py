"""Honoraria computed from what happened: the rates within the standard's ranges, the basis from
attendance (a meeting) and from submitted opinions (a written review), the payments and marking
them paid."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from consultations.honoraria import rates, selectors, services
from consultations.honoraria.models import Payment, Rate
from core.errors import StateConflict
from tests.consultations.conftest import build_open_review
from tests.consultations.consolidation_setup import closed_review
from tests.consultations.honoraria_setup import attend, closed_meeting, members

pytestmark = pytest.mark.django_db
D = Decimal


def nets(review):
    return [(row["expert"].name, row["basis"], row["days"], row["net"]) for row in selectors.basis(review)]


def test_until_the_secretariat_sets_them_the_rates_are_the_lower_ends_of_the_standard():
    assert rates.current() == {"senior_day": D("1500"), "other_day": D("900"), "eminent_uplift": D("0"),
                               "written_share": D("20")}  # fmt: skip


def test_rates_within_the_ranges_are_set_with_their_history(secretariat_user):
    services.set_rates(by=secretariat_user, values={"senior_day": "2400", "other_day": "1,500", "written_share": "50"})

    assert rates.current()["senior_day"] == D("2400.00")
    assert rates.current()["other_day"] == D("1500.00")
    record = Rate.history.filter(key="senior_day").get()
    assert (record.history_user, record.value) == (secretariat_user, D("2400.00"))


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("senior_day", "2400.01", "Between 1,500 and 2,400 yuan a day (财科教〔2017〕128号)."),
        ("senior_day", "1499", "Between 1,500 and 2,400 yuan a day (财科教〔2017〕128号)."),
        ("other_day", "1600", "Between 900 and 1,500 yuan a day (财科教〔2017〕128号)."),
        ("eminent_uplift", "51", "Between 0% and 50% (财科教〔2017〕128号)."),
        ("written_share", "19.99", "Between 20% and 50% (财科教〔2017〕128号)."),
        ("written_share", "abc", "Between 20% and 50% (财科教〔2017〕128号)."),
        ("written_share", "NaN", "Between 20% and 50% (财科教〔2017〕128号)."),
    ],
)
def test_a_rate_outside_its_range_is_refused_with_the_range_and_nothing_changes(secretariat_user, key, value, message):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.set_rates(by=secretariat_user, values={"other_day": "1000", key: value})

    assert refused.value.message_dict == {key: [message]}
    assert Rate.objects.count() == 0


def test_the_range_is_given_in_the_user_s_language(secretariat_user):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.set_rates(by=secretariat_user, values={"senior_day": "3000"})

    message = refused.value.message_dict["senior_day"][0]  # the catalogue is translated after the merge
    assert ("1500" in message.replace(",", ""), "2400" in message.replace(",", "")) == (True, True)


def test_only_the_secretariat_sets_rates(commission_user):
    with pytest.raises(PermissionDenied):
        services.set_rates(by=commission_user, values={"senior_day": "2000"})


def test_meeting_basis_is_the_days_attended_half_day_60_percent_from_the_third_day_50(secretariat_user):
    review = closed_meeting(secretariat_user, panel=5)
    first, second, third, fourth, _absent = members(review)
    first.title_level, second.title_level = "senior", "deputy_senior"  # 副高 is a senior title too
    first.save(), second.save()
    attend(review, first, "0.5")
    attend(review, second, "2.5")
    attend(review, third, "3")
    attend(review, fourth, "0")  # recorded, not counted

    rows = {row["expert"].pk: (row["basis"], row["days"], row["daily"], row["net"]) for row in selectors.basis(review)}

    assert rows == {
        first.pk: ("meeting", D("0.5"), D("1500.00"), D("900.00")),  # 1500 x 60%
        second.pk: ("meeting", D("2.5"), D("1500.00"), D("3450.00")),  # 2 x 1500 + 1500 x 50% x 60%
        third.pk: ("meeting", D("3.0"), D("900.00"), D("2250.00")),  # 2 x 900 + 900 x 50%
    }


def test_eminent_experts_are_paid_the_uplift_above_the_senior_day(secretariat_user):
    review = closed_meeting(secretariat_user, panel=1)
    (expert,) = members(review)
    expert.eminent = True
    expert.save()
    attend(review, expert, "1")
    services.set_rates(by=secretariat_user, values={"senior_day": "2400", "eminent_uplift": "50"})

    assert [row["net"] for row in selectors.basis(review)] == [D("3600.00")]


def test_written_basis_is_one_occasion_per_submitted_opinion_at_the_written_share(secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    senior, *others = members(review)
    senior.title_level = "senior"
    senior.save()
    services.set_rates(by=secretariat_user, values={"written_share": "50"})

    rows = {row["expert"].pk: (row["basis"], row["days"], row["net"]) for row in selectors.basis(review)}

    assert rows == {senior.pk: ("written", None, D("750.00")), **{e.pk: ("written", None, D("450.00")) for e in others}}


def test_an_accepted_member_who_did_not_submit_is_owed_nothing(secretariat_user):
    from reviews import services as review_services

    review = build_open_review(secretariat_user, panel=3)
    review_services.transition(review, "closed", by=secretariat_user)
    review.refresh_from_db()

    assert selectors.basis(review) == []


def test_nothing_is_owed_or_computed_before_the_review_closes(secretariat_user):
    review = build_open_review(secretariat_user, panel=1, mode="meeting")
    attend(review, members(review)[0], "1")

    assert selectors.basis(review) == []
    with pytest.raises(StateConflict):
        services.refresh_payments(review, by=secretariat_user)


def test_payments_are_the_gross_that_leaves_the_net_after_tax(secretariat_user):
    review = closed_meeting(secretariat_user, panel=1)
    (expert,) = members(review)
    expert.title_level = "senior"
    expert.save()
    attend(review, expert, "1")
    services.set_rates(by=secretariat_user, values={"senior_day": "2400"})

    (payment,) = services.refresh_payments(review, by=secretariat_user)

    assert (payment.net, payment.gross, payment.tax, payment.status) == (D("2400"), D("2800"), D("400"), "to_pay")
    assert payment.history.get().history_user == secretariat_user


def test_paid_payments_are_frozen_and_the_others_follow_the_rates_and_attendance(secretariat_user):
    review = closed_meeting(secretariat_user, panel=3)
    first, second, third = members(review)
    for expert in (first, second, third):
        attend(review, expert, "1")
    paid, to_pay, gone = sorted(services.refresh_payments(review, by=secretariat_user), key=lambda p: p.expert.key)
    services.mark_paid(paid, by=secretariat_user, paid_on=timezone.localdate())
    services.set_rates(by=secretariat_user, values={"other_day": "1500"})
    review.attendance.filter(expert=gone.expert).delete()

    after = {p.expert_id: (p.net, p.status) for p in services.refresh_payments(review, by=secretariat_user)}

    assert after == {first.pk: (D("900.00"), "paid"), second.pk: (D("1500.00"), "to_pay")}


def test_mark_all_paid_with_a_date_then_a_second_payment_is_refused(secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    services.refresh_payments(review, by=secretariat_user)
    day = timezone.localdate() - timedelta(days=1)

    paid = services.mark_review_paid(review, by=secretariat_user, paid_on=day)

    assert [(p.status, p.paid_at, p.paid_by) for p in paid] == [("paid", day, secretariat_user)] * 3
    with pytest.raises(StateConflict):
        services.mark_paid(paid[0], by=secretariat_user, paid_on=day)


def test_a_payment_date_in_the_future_is_refused(secretariat_user):
    review = closed_review(secretariat_user, panel=1)
    (payment,) = services.refresh_payments(review, by=secretariat_user)

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.mark_paid(payment, by=secretariat_user, paid_on=timezone.localdate() + timedelta(days=1))

    assert refused.value.message_dict == {"paid_at": ["The date of the payment cannot be in the future."]}
    assert Payment.objects.get().status == "to_pay"


def test_only_the_secretariat_computes_and_marks_paid(secretariat_user, commission_user):
    review = closed_review(secretariat_user, panel=1)
    (payment,) = services.refresh_payments(review, by=secretariat_user)

    with pytest.raises(PermissionDenied):
        services.refresh_payments(review, by=commission_user)
    with pytest.raises(PermissionDenied):
        services.mark_paid(payment, by=payment.expert.user, paid_on=timezone.localdate())


def test_the_rates_screen_refuses_an_amount_outside_its_range_and_saves_one_within(secretariat_user):
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(secretariat_user)
    values = {"senior_day": "2400", "other_day": "1200", "eminent_uplift": "50", "written_share": "20"}

    refused = client.post("/admin/honoraria/rates/", values | {"other_day": "1800"})
    saved = client.post("/admin/honoraria/rates/", values)
    page = client.get("/admin/honoraria/rates/").content.decode()

    assert refused.status_code == 400
    assert refused.context["form"].errors == {"other_day": ["Between 900 and 1,500 yuan a day (财科教〔2017〕128号)."]}
    assert saved.status_code == 302
    assert rates.current() == {"senior_day": D("2400"), "other_day": D("1200"), "eminent_uplift": D("50"),
                               "written_share": D("20")}  # fmt: skip
    assert page.count('data-testid="rates-history"') == 1
    assert Rate.history.count() == 4


def test_the_rates_screen_is_404_to_the_auditor_who_reaches_the_admin(db):
    from django.test import Client

    from experts import roles
    from tests.conftest import make_user

    client = Client()
    client.force_login(make_user(roles.AUDITOR, username="auditor"))

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/honoraria/rates/").status_code == 404
