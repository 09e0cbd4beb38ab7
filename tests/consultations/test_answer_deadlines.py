"""The due date of the answers to a consolidation's points (issue 15, part 6): only the
commission sets it, through the consolidation's PATCH (If-Match) and its page; a day in the past,
before the consolidation or over a year ahead is refused naming the field and changes nothing;
the version does not move and the history keeps each change."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from consultations.consolidation import answers_due, confirmations, package
from consultations.consolidation import services as consolidation
from consultations.consolidation.models import Consolidation
from consultations.opinions.models import Point
from consultations.responses import services as responses
from experts import roles
from tests.conftest import make_user
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import closed_review, set_chair, staff_of
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

GROUP = "专家组认为规划总体可行，同意修改后报批。"


@pytest.fixture
def review(secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    consolidation.save_group_opinion(review, by=secretariat_user, text=GROUP, expected_version=0)
    return review


def url(review):
    return f"/api/v1/reviews/{review.pk}/consolidation/"


def today():
    return timezone.localdate()


def due_of(review):
    return Consolidation.objects.get(review=review).answers_due_on


def patch(api, review, body, version="1"):
    headers = {"HTTP_IF_MATCH": f'"{version}"'} if version is not None else {}
    return api.patch(url(review), body, format="json", **headers)


# ---------------------------------------------------------------- the API


def test_the_commission_sets_the_due_date_and_the_version_stays(review, api_as, commission_user):
    day = today() + timedelta(days=10)

    response = patch(api_as(commission_user), review, {"answers_due_on": day.isoformat()})

    assert response.status_code == 200
    assert (response.json()["answers_due_on"], response.json()["version"]) == (day.isoformat(), 1)
    assert response["ETag"] == '"1"'
    assert due_of(review) == day
    latest = Consolidation.history.filter(review_id=review.pk).order_by("-history_date", "-history_id").first()
    assert (latest.answers_due_on, latest.history_user, latest.history_change_reason) == (
        day,
        commission_user,
        "answers due",
    )


def test_the_due_date_shows_in_the_consolidation_for_its_readers(review, api_as, commission_user):
    answers_due.set_answers_due(review, by=commission_user, due_on=today() + timedelta(days=4))
    department = staff_of(review.plan.submitted_by, "plan-staff")

    response = api_as(department).get(url(review))

    assert (response.status_code, response.json()["answers_due_on"]) == (
        200,
        (today() + timedelta(days=4)).isoformat(),
    )


def test_null_clears_the_due_date(review, api_as, commission_user):
    answers_due.set_answers_due(review, by=commission_user, due_on=today() + timedelta(days=4))

    response = patch(api_as(commission_user), review, {"answers_due_on": None})

    assert (response.status_code, response.json()["answers_due_on"], due_of(review)) == (200, None, None)


def test_today_is_a_due_date_the_commission_may_give(review, api_as, commission_user):
    response = patch(api_as(commission_user), review, {"answers_due_on": today().isoformat()})

    assert (response.status_code, due_of(review)) == (200, today())


@pytest.mark.parametrize(
    "body",
    [
        {"answers_due_on": "yesterday"},
        {"answers_due_on": "2026-02-30"},
        {"answers_due_on": 20260301},
        {},
    ],
)
def test_a_bad_body_is_400_naming_answers_due_on_and_changes_nothing(review, api_as, commission_user, body):
    kept = today() + timedelta(days=6)
    answers_due.set_answers_due(review, by=commission_user, due_on=kept)

    response = patch(api_as(commission_user), review, body)

    assert (response.status_code, list(response.json()["errors"])) == (400, ["answers_due_on"])
    assert due_of(review) == kept


def test_a_day_in_the_past_is_400_with_a_message_and_changes_nothing(review, api_as, commission_user):
    kept = today() + timedelta(days=6)
    answers_due.set_answers_due(review, by=commission_user, due_on=kept)

    response = patch(api_as(commission_user), review, {"answers_due_on": (today() - timedelta(days=1)).isoformat()})

    assert response.status_code == 400
    assert response.json()["errors"]["answers_due_on"] == [
        f"The answers cannot be due in the past: give {today().isoformat()} or a later day."
    ]
    assert due_of(review) == kept


def test_a_day_before_the_panels_confirmation_deadline_is_400_and_changes_nothing(
    review, api_as, commission_user, secretariat_user
):
    confirm_by = timezone.now() + timedelta(days=5)
    confirmations.set_confirmation_deadline(review, by=secretariat_user, confirm_by=confirm_by)
    day = timezone.localdate(confirm_by)

    too_early = patch(api_as(commission_user), review, {"answers_due_on": (day - timedelta(days=1)).isoformat()})
    on_the_day = patch(api_as(commission_user), review, {"answers_due_on": day.isoformat()})

    assert too_early.status_code == 400
    assert too_early.json()["errors"]["answers_due_on"] == [
        f"The answers cannot be due before the panel's deadline for confirming the group opinion ({day.isoformat()})."
    ]
    assert (on_the_day.status_code, due_of(review)) == (200, day)


def test_a_day_more_than_a_year_ahead_is_400(review, api_as, commission_user):
    response = patch(api_as(commission_user), review, {"answers_due_on": (today() + timedelta(days=400)).isoformat()})

    assert (response.status_code, list(response.json()["errors"]), due_of(review)) == (400, ["answers_due_on"], None)


def test_another_field_in_the_patch_is_400_naming_it_and_changes_nothing(review, api_as, commission_user):
    day = (today() + timedelta(days=3)).isoformat()

    response = patch(api_as(commission_user), review, {"answers_due_on": day, "group_opinion": "改写"})

    assert (response.status_code, list(response.json()["errors"])) == (400, ["group_opinion"])
    assert (due_of(review), Consolidation.objects.get(review=review).group_opinion) == (None, GROUP)


def test_without_if_match_is_400_and_changes_nothing(review, api_as, commission_user):
    day = (today() + timedelta(days=3)).isoformat()

    response = patch(api_as(commission_user), review, {"answers_due_on": day}, version=None)

    assert (response.status_code, list(response.json()["errors"]), due_of(review)) == (400, ["version"], None)


def test_a_stale_if_match_is_409_with_the_current_consolidation(review, api_as, commission_user, secretariat_user):
    consolidation.save_group_opinion(
        review, by=secretariat_user, text=GROUP + "补充。", expected_version=1, reason="补充"
    )

    response = patch(api_as(commission_user), review, {"answers_due_on": (today() + timedelta(days=3)).isoformat()})

    assert (response.status_code, response.json()["version"], response.json()["current"]["version"]) == (409, 2, 2)
    assert due_of(review) is None


@pytest.mark.parametrize("who", ["secretariat", "chair", "plan_department", "other_department", "expert", "stranger"])
def test_only_the_commission_sets_it_others_403_or_404(review, api_as, secretariat_user, who):
    users = {
        "secretariat": lambda: secretariat_user,
        "chair": lambda: set_chair(review, secretariat_user),
        "plan_department": lambda: staff_of(review.plan.submitted_by, "plan-staff"),
        "other_department": lambda: staff_of(OrganizationFactory(name="某区发改局"), "other-staff"),
        "expert": lambda: panel_of(review)[1].expert.user,
        "stranger": lambda: make_user(roles.EXPERT, username="off-panel"),
    }
    expected = {"other_department": 404, "stranger": 404}.get(who, 403)

    response = patch(api_as(users[who]()), review, {"answers_due_on": (today() + timedelta(days=3)).isoformat()})

    assert response.status_code == expected
    assert due_of(review) is None


def test_after_the_package_is_final_the_due_date_is_409(review, api_as, commission_user):
    for member in [opinion.expert.user for opinion in panel_of(review)]:
        confirmations.answer_group_opinion(review, by=member, kind="confirm")
    for point in Point.objects.filter(opinion__review=review):
        responses.answer_point(point, by=commission_user, status="adopted")
    package.finalise_package(review, by=commission_user)

    response = patch(api_as(commission_user), review, {"answers_due_on": (today() + timedelta(days=3)).isoformat()})

    assert (response.status_code, due_of(review)) == (409, None)


def test_the_schema_describes_the_patch(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/reviews/{review_id}/consolidation/"]["patch"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]

    assert schema["components"]["schemas"][body]["properties"]["answers_due_on"]["format"] == "date"
    assert "answers_due_on" in schema["components"]["schemas"]["ConsolidationRead"]["properties"]
    assert "409" in operation["responses"]


# ---------------------------------------------------------------- the page


def page_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def form_url(review):
    return f"/portal/reviews/{review.pk}/consolidation/answers-due/"


def test_the_commission_sets_the_due_date_on_its_page(review, commission_user):
    client = page_client(commission_user)
    day = today() + timedelta(days=7)

    page = client.get(f"/portal/reviews/{review.pk}/consolidation/")
    response = client.post(form_url(review), {"answers_due_on": day.isoformat(), "version": "1"}, follow=True)

    assert 'data-testid="answers-due-form"' in page.content.decode()
    assert due_of(review) == day
    assert f"The answers to the points are due on {day.isoformat()}." in response.content.decode()
    assert f"Answers to the points due on <strong>{day.isoformat()}</strong>" in response.content.decode()


def test_a_day_in_the_past_on_the_page_says_why_and_changes_nothing(review, commission_user):
    kept = today() + timedelta(days=7)
    answers_due.set_answers_due(review, by=commission_user, due_on=kept)

    response = page_client(commission_user).post(
        form_url(review), {"answers_due_on": (today() - timedelta(days=3)).isoformat()}, follow=True
    )

    assert "The answers cannot be due in the past" in response.content.decode()
    assert due_of(review) == kept


def test_a_malformed_day_on_the_page_says_why_and_changes_nothing(review, commission_user):
    response = page_client(commission_user).post(form_url(review), {"answers_due_on": "31/12"}, follow=True)

    assert "Give the day as a date (YYYY-MM-DD)." in response.content.decode()
    assert due_of(review) is None


def test_the_department_reads_the_due_date_but_has_no_form_and_its_post_is_404(review, commission_user):
    answers_due.set_answers_due(review, by=commission_user, due_on=today() + timedelta(days=7))
    client = page_client(staff_of(review.plan.submitted_by, "plan-staff"))

    page = client.get(f"/portal/reviews/{review.pk}/consolidation/").content.decode()
    response = client.post(form_url(review), {"answers_due_on": ""})

    assert "Answers to the points due on" in page and 'data-testid="answers-due-form"' not in page
    assert (response.status_code, due_of(review)) == (404, today() + timedelta(days=7))


def test_the_secretariats_post_is_404(review, secretariat_user):
    response = page_client(secretariat_user).post(
        form_url(review), {"answers_due_on": (today() + timedelta(days=3)).isoformat()}
    )

    assert (response.status_code, due_of(review)) == (404, None)
