"""Answers to points, the response package, feedback to experts, publication, the workspace."""

import pytest
from django.core.exceptions import ValidationError

from consultations.consolidation import package as packages
from consultations.consolidation import services as rules
from consultations.opinions.models import Point
from consultations.responses import selectors as response_selectors
from consultations.responses import services as responses
from consultations.responses.models import Response, ResponsePackage
from core.errors import StateConflict
from core.models import Notification
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import closed_review, staff_of
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def sealed(review, by):
    saved = rules.save_group_opinion(review, by=by, text="专家组意见。", expected_version=0)
    for opinion in panel_of(review):
        rules.confirm_group_opinion(review, by=opinion.expert.user, version=saved.version)
    review.refresh_from_db()
    return review


@pytest.fixture
def review(secretariat_user):
    return sealed(closed_review(secretariat_user), secretariat_user)


def points_of(review):
    return list(Point.objects.filter(opinion__review=review).order_by("id"))


def answer_all(review, by):
    for index, point in enumerate(points_of(review)):
        status = ["adopted", "partly_adopted", "not_adopted"][index % 3]
        responses.answer_point(point, by=by, status=status, reason="" if status == "adopted" else "已另行研究")


def test_response_requires_a_reason_unless_adopted(review, commission_user):
    point = points_of(review)[0]

    with pytest.raises(ValidationError) as error:
        responses.answer_point(point, by=commission_user, status="partly_adopted", reason="  ")

    assert list(error.value.message_dict) == ["reason"]
    assert Response.objects.count() == 0


def test_response_is_one_per_point_and_changes_in_place(review, commission_user):
    point = points_of(review)[0]
    responses.answer_point(point, by=commission_user, status="not_adopted", reason="资金不足")

    responses.answer_point(point, by=commission_user, status="adopted")

    assert list(Response.objects.values_list("point_id", "status", "reason")) == [(point.pk, "adopted", "")]


def test_package_cannot_be_finalised_with_an_unanswered_point(review, commission_user):
    answer_all(review, commission_user)
    Response.objects.filter(point=points_of(review)[-1]).delete()

    with pytest.raises(ValidationError):
        packages.finalise_package(review, by=commission_user)

    assert ResponsePackage.objects.count() == 0


def test_finalised_package_notifies_each_expert_and_shows_their_answers(review, commission_user, client):
    answer_all(review, commission_user)

    package = packages.finalise_package(review, by=commission_user)

    review.refresh_from_db()
    assert review.state == "responded"
    assert len(package.responses) == 10
    experts = [o.expert for o in panel_of(review)]
    assert sorted(Notification.objects.filter(kind="response").values_list("user_id", flat=True)) == sorted(
        e.user_id for e in experts
    )
    client.force_login(experts[0].user)
    page = client.get("/portal/my-points/", HTTP_ACCEPT_LANGUAGE="en")
    own = Point.objects.filter(opinion__expert=experts[0]).select_related("response")
    assert page.status_code == 200
    assert [p.text for p in page.context["points"]] == [p.text for p in own.order_by("position", "id")]
    assert all(p.response.status for p in page.context["points"])


def test_answers_are_hidden_from_experts_before_the_package_is_final(review, commission_user):
    answer_all(review, commission_user)
    expert = panel_of(review)[0].expert

    assert list(response_selectors.answered_points_of(expert.user)) == []


def test_answers_after_the_package_is_final_are_refused(review, commission_user):
    answer_all(review, commission_user)
    packages.finalise_package(review, by=commission_user)

    with pytest.raises(StateConflict):
        responses.answer_point(points_of(review)[0], by=commission_user, status="adopted")


def test_answer_by_an_expert_is_refused_by_the_service_and_writes_nothing(review):
    from django.core.exceptions import PermissionDenied

    expert_user = panel_of(review)[0].expert.user

    with pytest.raises(PermissionDenied):
        responses.answer_point(points_of(review)[0], by=expert_user, status="adopted")

    assert Response.objects.count() == 0


def test_package_finalised_by_another_department_is_refused(review, commission_user):
    from django.core.exceptions import PermissionDenied

    from tests.factories import OrganizationFactory

    answer_all(review, commission_user)
    outsider = staff_of(OrganizationFactory(name="沈阳市科技局"), "other-dept")

    with pytest.raises(PermissionDenied):
        packages.finalise_package(review, by=outsider)

    assert ResponsePackage.objects.count() == 0


def test_department_staff_answer_only_their_own_plans(review, api_as):
    own = staff_of(review.plan.submitted_by, "planner")
    point = points_of(review)[0]

    response = api_as(own).put(
        f"/api/v1/points/{point.pk}/response/", {"status": "not_adopted", "reason": "暂不具备条件"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["status"] == "not_adopted"


def test_api_response_bad_status_is_400_and_changes_nothing(review, api_as, commission_user):
    point = points_of(review)[0]

    response = api_as(commission_user).put(f"/api/v1/points/{point.pk}/response/", {"status": "maybe"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]
    assert Response.objects.count() == 0


def test_api_response_by_an_expert_is_forbidden(review, api_as):
    expert_user = panel_of(review)[0].expert.user
    point = points_of(review)[0]

    assert api_as(expert_user).get(f"/api/v1/points/{point.pk}/response/").status_code == 200
    assert (
        api_as(expert_user)
        .put(f"/api/v1/points/{point.pk}/response/", {"status": "adopted"}, format="json")
        .status_code
        == 403
    )


def test_publication_makes_a_redacted_conclusion_page_in_the_workflow(review, commission_user, secretariat_user):
    from wagtail.models import Page

    from cms.models import ConclusionIndexPage, ConclusionPage

    root = Page.objects.get(depth=1).get_children().first() or Page.objects.get(depth=1)
    root.add_child(instance=ConclusionIndexPage(title="论证结论", slug="conclusions"))
    answer_all(review, commission_user)
    package = packages.finalise_package(review, by=commission_user)

    page = packages.publish_conclusion(package, by=secretariat_user, show_names=False)

    page = ConclusionPage.objects.get(pk=page.pk)
    names = {o.expert.name for o in panel_of(review)}
    assert page.live is False
    assert page.current_workflow_state is not None
    assert len(page.responses) == 10
    assert not {row["expert"] for row in page.response_rows()} & names
    with pytest.raises(StateConflict):
        packages.publish_conclusion(package, by=secretariat_user)


def test_publication_without_a_conclusions_section_is_refused_and_changes_nothing(
    review, commission_user, secretariat_user
):
    from cms.models import ConclusionPage

    answer_all(review, commission_user)
    package = packages.finalise_package(review, by=commission_user)

    with pytest.raises(StateConflict):
        packages.publish_conclusion(package, by=secretariat_user)

    package.refresh_from_db()
    assert (package.conclusion_page_id, ConclusionPage.objects.count()) == (None, 0)


def test_workspace_lists_reviews_with_tallies_in_constant_queries(review, secretariat_user, commission_user, client):
    from datetime import timedelta

    from django.utils import timezone

    from reviews import services as review_services
    from reviews.models import Review

    client.force_login(commission_user)

    def make_rows(n):
        while Review.objects.count() < n:
            extra = review_services.create_review(
                review.plan, by=secretariat_user, opens_at=timezone.now(), due_at=timezone.now() + timedelta(days=3)
            )
            Review.objects.filter(pk=extra.pk).update(state="closed")  # arrangement: a closed row to list

    assert_constant_queries(make_rows, lambda: client.get("/portal/workspace/", HTTP_ACCEPT_LANGUAGE="en"))
    page = client.get("/portal/workspace/", HTTP_ACCEPT_LANGUAGE="en")
    first = next(r for r in page.context["reviews"] if r.pk == review.pk)
    assert (first.n_sealed, first.n_points) == (5, 10)
    assert dict(first.tallies)["Agree"] == 3


def test_workspace_of_a_department_lists_only_its_own_plans(review, client):
    from tests.factories import OrganizationFactory

    outsider = staff_of(OrganizationFactory(name="沈阳市科技局"), "other-dept")
    own = staff_of(review.plan.submitted_by, "planner")

    client.force_login(outsider)
    theirs = [r.pk for r in client.get("/portal/workspace/").context["reviews"]]
    client.force_login(own)
    mine = [r.pk for r in client.get("/portal/workspace/").context["reviews"]]

    assert (theirs, mine) == ([], [review.pk])


def test_adoption_feeds_the_participation_record(review, commission_user):
    from experts.participation import participation_of

    answer_all(review, commission_user)
    packages.finalise_package(review, by=commission_user)

    expert = panel_of(review)[0].expert
    own = Response.objects.filter(point__opinion__expert=expert)
    total = participation_of(expert)["total"]
    assert (total["points"], total["points_adopted"]) == (own.count(), own.filter(status="adopted").count())


def test_my_points_page_queries_are_constant(review, commission_user, client):
    answer_all(review, commission_user)
    packages.finalise_package(review, by=commission_user)
    opinion = panel_of(review)[0]
    client.force_login(opinion.expert.user)

    def make_rows(n):
        while Point.objects.filter(opinion=opinion).count() < n:
            point = Point.objects.create(opinion=opinion, text="补充要点。", position=99)  # arrangement
            Response.objects.create(point=point, status="adopted", by=commission_user)

    def fetch():
        page = client.get("/portal/my-points/", HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 200

    assert_constant_queries(make_rows, fetch, small=2)
