"""The panel's answers to the group opinion (confirm, with reservations, refusal), the
confirmation deadline, the seal by the chair or the secretariat and by the deadline task, and no
deadlock: a member who never answers is recorded as not having answered and the package can still
be finalised."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from consultations.consolidation import confirmations, package, selectors
from consultations.consolidation import services as consolidation
from consultations.consolidation.models import Confirmation, Consolidation
from consultations.opinions.models import Point
from consultations.responses import services as responses
from core.errors import StateConflict
from reviews.models import ReviewEvent
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import closed_review, set_chair, staff_of

pytestmark = pytest.mark.django_db

GROUP = "专家组认为规划总体可行，同意修改后报批。"
RESERVATION = "保留意见：资金测算依据不足，应补充论证。"
REFUSAL = "不同意签署：布局与周边园区重复。"


@pytest.fixture
def review(secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    consolidation.save_group_opinion(review, by=secretariat_user, text=GROUP, expected_version=0)
    return review


def members(review):
    return [opinion.expert.user for opinion in panel_of(review)]


def url(review, tail=""):
    return f"/api/v1/reviews/{review.pk}/consolidation/{tail}"


def answers(review):
    return list(
        Confirmation.objects.filter(consolidation__review=review)
        .order_by("expert__key")
        .values_list("expert__user__username", "kind", "text")
    )


def past_deadline(review, by):
    """A deadline that has passed: set an hour ago as it would have been then."""
    then = timezone.now() - timedelta(hours=2)
    return confirmations.set_confirmation_deadline(review, by=by, confirm_by=then + timedelta(hours=1), now=then)


# ---------------------------------------------------------------- answers through the API


def test_answer_reservation_without_text_is_400_naming_text_and_stores_nothing(review, api_as):
    response = api_as(members(review)[0]).post(url(review, "confirmation/"), {"kind": "reservation"}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["text"])
    assert answers(review) == []


def test_answer_refusal_with_blank_reason_is_400_naming_text(review, api_as):
    response = api_as(members(review)[0]).post(
        url(review, "confirmation/"), {"kind": "refusal", "text": "  \n "}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["text"])
    assert answers(review) == []


def test_answer_of_an_unknown_kind_is_400_naming_kind(review, api_as):
    response = api_as(members(review)[0]).post(url(review, "confirmation/"), {"kind": "no_answer"}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["kind"])
    assert answers(review) == []


def test_answer_reservation_is_listed_with_kind_and_text(review, api_as):
    first = members(review)[0]

    response = api_as(first).post(
        url(review, "confirmation/"), {"kind": "reservation", "text": RESERVATION}, format="json"
    )

    body = response.json()
    assert response.status_code == 200
    assert [(c["kind"], c["text"]) for c in body["confirmations"]] == [("reservation", RESERVATION)]
    assert set(body["confirmations"][0]) == {"expert", "name", "kind", "text", "at"}
    assert (body["sealed_at"], body["sealed_by"], body["confirm_by"]) == (None, None, None)


def test_answer_by_the_commission_is_403_and_by_another_department_404(review, api_as, commission_user):
    from tests.factories import OrganizationFactory

    outsider = staff_of(OrganizationFactory(name="沈阳市科技局"), "other-dept")
    body = {"kind": "confirm"}

    statuses = [
        api_as(commission_user).post(url(review, "confirmation/"), body, format="json").status_code,
        api_as(outsider).post(url(review, "confirmation/"), body, format="json").status_code,
    ]

    assert statuses == [403, 404]
    assert answers(review) == []


def test_answer_changes_until_the_seal_and_keeps_its_history(review):
    first = members(review)[0]

    confirmations.answer_group_opinion(review, by=first, kind="confirm")
    confirmations.answer_group_opinion(review, by=first, kind="refusal", text=REFUSAL)

    answer = Confirmation.objects.get(consolidation__review=review)
    assert (answer.kind, answer.text) == ("refusal", REFUSAL)
    assert [h.kind for h in answer.history.order_by("history_id")] == ["confirm", "refusal"]


def test_answer_after_the_seal_is_409(review, api_as):
    first, second, third = members(review)
    for user in (first, second, third):
        confirmations.answer_group_opinion(review, by=user, kind="confirm")

    response = api_as(first).post(url(review, "confirmation/"), {"kind": "refusal", "text": REFUSAL}, format="json")

    assert response.status_code == 409
    assert [a[1] for a in answers(review)] == ["confirm", "confirm", "confirm"]


def test_answer_to_a_version_no_longer_current_is_409_with_the_current(review, api_as, secretariat_user):
    consolidation.save_group_opinion(review, by=secretariat_user, text=GROUP + "补充。", expected_version=1)

    response = api_as(members(review)[0]).post(
        url(review, "confirmation/"), {"kind": "confirm", "version": 1}, format="json"
    )

    assert (response.status_code, response.json()["version"]) == (409, 2)
    assert answers(review) == []


def test_every_member_answering_seals_even_with_a_reservation_and_a_refusal(review):
    first, second, third = members(review)

    confirmations.answer_group_opinion(review, by=first, kind="confirm")
    confirmations.answer_group_opinion(review, by=second, kind="reservation", text=RESERVATION)
    confirmations.answer_group_opinion(review, by=third, kind="refusal", text=REFUSAL)

    sealed = Consolidation.objects.get(review=review)
    review.refresh_from_db()
    assert (sealed.sealed_at is not None, sealed.sealed_by, review.state) == (True, None, "consolidated")


# ---------------------------------------------------------------- the deadline and the seal


def test_seal_before_the_deadline_with_a_member_missing_is_409(review, api_as, secretariat_user):
    first, second, _third = members(review)
    confirmations.answer_group_opinion(review, by=first, kind="confirm")
    confirmations.answer_group_opinion(review, by=second, kind="confirm")
    api_as(secretariat_user).put(
        url(review, "deadline/"), {"confirm_by": (timezone.now() + timedelta(days=2)).isoformat()}, format="json"
    )

    response = api_as(secretariat_user).post(url(review, "seal/"), {}, format="json")

    assert response.status_code == 409
    assert Consolidation.objects.get(review=review).sealed_at is None
    assert len(answers(review)) == 2


def test_seal_at_the_deadline_records_the_silent_member_and_the_package_can_be_finalised(
    review, api_as, secretariat_user, commission_user
):
    first, second, third = members(review)
    confirmations.answer_group_opinion(review, by=first, kind="reservation", text=RESERVATION)
    confirmations.answer_group_opinion(review, by=second, kind="refusal", text=REFUSAL)
    past_deadline(review, secretariat_user)

    response = api_as(secretariat_user).post(url(review, "seal/"), {}, format="json")
    for point in Point.objects.filter(opinion__review=review):
        responses.answer_point(point, by=commission_user, status="adopted", reason="")
    final = package.finalise_package(review, by=commission_user)

    assert (response.status_code, response.json()["sealed_by"]) == (200, "secretariat")
    assert answers(review) == [
        (first.username, "reservation", RESERVATION),
        (second.username, "refusal", REFUSAL),
        (third.username, "no_answer", ""),
    ]
    review.refresh_from_db()
    assert (final.consolidation_version, review.state) == (1, "responded")


def test_seal_by_the_chair_is_allowed_and_by_a_member_is_403(review, api_as, secretariat_user):
    chair = set_chair(review, secretariat_user)
    member = members(review)[1]
    past_deadline(review, chair)

    refused = api_as(member).post(url(review, "seal/"), {}, format="json").status_code
    sealed = api_as(chair).post(url(review, "seal/"), {}, format="json")

    assert (refused, sealed.status_code, sealed.json()["sealed_by"]) == (403, 200, "chair")


def test_deadline_task_seals_the_overdue_recording_those_who_did_not_answer(review, secretariat_user):
    past_deadline(review, secretariat_user)
    confirmations.answer_group_opinion(review, by=members(review)[0], kind="confirm")

    call_command("seal_group_opinions", stdout=io.StringIO())

    sealed = Consolidation.objects.get(review=review)
    review.refresh_from_db()
    assert (sealed.sealed_at is not None, sealed.sealed_by, review.state) == (True, None, "consolidated")
    assert [a[1] for a in answers(review)] == ["confirm", "no_answer", "no_answer"]


def test_deadline_task_leaves_a_group_opinion_before_its_deadline(review, secretariat_user):
    confirmations.set_confirmation_deadline(review, by=secretariat_user, confirm_by=timezone.now() + timedelta(days=1))

    sealed = confirmations.seal_overdue()

    assert (sealed, Consolidation.objects.get(review=review).sealed_at) == (0, None)
    assert answers(review) == []


def test_deadline_in_the_past_is_400_naming_confirm_by(review, api_as, secretariat_user):
    response = api_as(secretariat_user).put(
        url(review, "deadline/"), {"confirm_by": "2020-01-01T09:00:00+08:00"}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["confirm_by"])
    assert Consolidation.objects.get(review=review).confirm_by is None


def test_deadline_by_a_member_who_is_not_the_chair_is_refused(review):
    with pytest.raises(PermissionDenied):
        confirmations.set_confirmation_deadline(
            review, by=members(review)[0], confirm_by=timezone.now() + timedelta(days=1)
        )


def test_a_passed_deadline_does_not_carry_over_to_a_new_version(review, secretariat_user):
    past_deadline(review, secretariat_user)

    saved = consolidation.save_group_opinion(review, by=secretariat_user, text=GROUP + "修改。", expected_version=1)

    assert (saved.version, saved.confirm_by) == (2, None)
    assert confirmations.seal_overdue() == 0


def test_answer_events_carry_counts_and_no_names(review, secretariat_user):
    first = members(review)[0]

    confirmations.answer_group_opinion(review, by=first, kind="reservation", text=RESERVATION)

    event = ReviewEvent.objects.filter(review=review).order_by("-seq").first()
    assert (event.type, event.payload) == (
        "consolidation.saved",
        {"version": 1, "sealed": False, "confirmed": 1, "answered": 1, "confirm_by": None},
    )


def test_department_reads_letters_and_no_expert_ids_in_the_answers(review, api_as):
    opinion = panel_of(review)[0]
    confirmations.answer_group_opinion(review, by=opinion.expert.user, kind="reservation", text=RESERVATION)
    staff = staff_of(review.plan.submitted_by, "planner")
    with translation.override("en"):
        letter = selectors.letters_for(review)[opinion.assignment_id]

    body = api_as(staff).get(url(review)).json()

    assert [(c["expert"], c["name"], c["kind"]) for c in body["confirmations"]] == [(None, letter, "reservation")]
    assert opinion.expert.name not in str(body["confirmations"])


def test_service_refuses_a_blank_reservation_without_storing(review):
    with pytest.raises(ValidationError):
        confirmations.answer_group_opinion(review, by=members(review)[0], kind="reservation", text="")

    assert answers(review) == []


def test_seal_with_nothing_written_is_a_state_conflict(secretariat_user):
    review = closed_review(secretariat_user, panel=3)

    with pytest.raises(StateConflict):
        confirmations.seal_group_opinion(review, by=secretariat_user)


# ---------------------------------------------------------------- the portal page


def test_portal_reservation_without_text_shows_the_error_and_stores_nothing(review, client):
    client.force_login(members(review)[0])

    page = client.post(
        f"/portal/reviews/{review.pk}/consolidation/confirm/",
        {"kind": "reservation", "text": "", "version": "1"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert [str(m) for m in page.context["messages"]] == [
        "Write your reservations: a confirmation with reservations needs them."
    ]
    assert answers(review) == []


def test_portal_page_shows_each_answer_the_deadline_and_the_seal_button(review, client, secretariat_user):
    first, second, _third = members(review)
    confirmations.answer_group_opinion(review, by=first, kind="refusal", text=REFUSAL)
    confirmations.answer_group_opinion(review, by=second, kind="confirm")
    past_deadline(review, secretariat_user)
    client.force_login(secretariat_user)

    html = client.get(f"/portal/reviews/{review.pk}/consolidation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert REFUSAL in html
    assert html.count('data-kind="refusal"') == 1
    assert html.count('data-kind="confirm"') == 1
    assert 'id="seal"' in html
    assert "2 of 3 answered" in html


def test_portal_seal_button_records_the_silent_members(review, client, secretariat_user):
    past_deadline(review, secretariat_user)
    client.force_login(secretariat_user)

    client.post(f"/portal/reviews/{review.pk}/consolidation/seal/")

    assert [a[1] for a in answers(review)] == ["no_answer"] * 3


def test_portal_home_lists_the_group_opinion_to_answer_until_the_seal(review, client, secretariat_user):
    from django.urls import reverse

    first, second, third = members(review)
    client.force_login(third)
    link = f'href="/portal/reviews/{review.pk}/consolidation/"'

    waiting = client.get(reverse("portal-home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for user in (first, second, third):
        confirmations.answer_group_opinion(review, by=user, kind="confirm")
    sealed = client.get(reverse("portal-home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert ("Group opinion version 1 to answer" in waiting, link in waiting) == (True, True)
    assert ("Group opinion version 1 to answer" in sealed, link in sealed) == (False, False)
