"""The services check their actor themselves (``reviews.rules``), whoever calls them: a page,
the API, the admin, a script."""

import pytest
from django.core.exceptions import PermissionDenied

from reviews.draw import services as draw_services
from reviews.models import Assignment, Draw, Review
from reviews.services import assignments, plans, scheduling
from tests.conftest import make_user
from tests.factories import OrganizationFactory
from tests.reviews.conftest import docx_upload


def test_only_the_secretariat_draws_a_panel(review, department_staff):
    with pytest.raises(PermissionDenied) as raised:
        draw_services.draw_for_review(review, by=department_staff, seed="s")

    review.refresh_from_db()
    assert str(raised.value) == "Only the secretariat draws panels."
    assert (review.state, Draw.objects.count()) == (Review.State.DRAFT, 0)


def test_only_the_secretariat_changes_a_review(drawn, department_staff):
    with pytest.raises(PermissionDenied) as raised:
        scheduling.update_review(drawn, by=department_staff, location="线上")

    assert str(raised.value) == "Only the secretariat changes a review."


def test_a_department_submits_plans_for_its_own_organisation_only(department_staff, submitter):
    other = OrganizationFactory(name="沈阳市科学技术局")

    own = plans.create_plan(by=department_staff, title="自己的规划", kind="special_plan", submitted_by=submitter)
    with pytest.raises(PermissionDenied):
        plans.create_plan(by=department_staff, title="别人的规划", kind="special_plan", submitted_by=other)
    with pytest.raises(PermissionDenied):
        plans.add_plan_version(own, upload=docx_upload(), by=make_user("expert", username="reader"))

    assert own.submitted_by == submitter


def test_only_the_invited_expert_answers_an_invitation(drawn):
    first, second = drawn.assignments.select_related("expert__user")[:2]

    with pytest.raises(PermissionDenied) as raised:
        assignments.accept_assignment(first, by=second.expert.user, no_conflict=True, confidentiality=True)
    with pytest.raises(PermissionDenied):
        assignments.decline_assignment(first, by=second.expert.user, reason="替他拒绝")

    first.refresh_from_db()
    assert str(raised.value) == "Only the invited expert answers an invitation."
    assert first.state == Assignment.State.INVITED


def test_only_the_secretariat_replaces_an_expert(drawn):
    leaving, other = drawn.assignments.select_related("expert__user")[:2]

    with pytest.raises(PermissionDenied):
        assignments.replace_assignment(leaving, by=other.expert.user, reason="换人")

    leaving.refresh_from_db()
    assert leaving.state == Assignment.State.INVITED


def test_the_system_and_an_operator_pass_the_checks(review):
    operator = make_user(username="root", is_superuser=True, is_staff=True)

    draw = draw_services.draw_for_review(review, by=operator, seed="operator")
    scheduling.update_review(review, by=None, location="线上")

    review.refresh_from_db()
    assert (draw.drawn_by, review.state, review.location) == (operator, Review.State.INVITING, "线上")


def test_an_expert_withdraws_from_their_own_place_only(drawn):
    first, second = drawn.assignments.select_related("expert__user")[:2]
    for assignment in (first, second):
        assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)

    with pytest.raises(PermissionDenied):
        assignments.withdraw_assignment(first, by=second.expert.user, reason="替他退出")
    assignments.withdraw_assignment(first, by=first.expert.user, reason="身体原因")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.state, second.state) == (Assignment.State.WITHDRAWN, Assignment.State.ACCEPTED)
