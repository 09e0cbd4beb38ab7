"""The secretariat's hand replacement keeps the panel within the composition rules
(``reviews.draw.constraints``), as the draw and the alternates do."""

from html import escape

import pytest
from django.core.exceptions import ValidationError

from experts.models import Organization
from reviews.models import Assignment, DrawChange
from reviews.services import assignments
from tests.factories import OrganizationFactory
from tests.reviews.conftest import add_expert


def panel(review):
    return list(review.assignments.filter(state__in=Assignment.ACTIVE_STATES).select_related("expert__employer"))


def refusal(leaving, expert, by):
    with pytest.raises(ValidationError) as raised:
        assignments.replace_assignment(leaving, by=by, reason="健康原因", expert=expert)
    (error,) = raised.value.error_dict["expert"]
    return error.code, error.message


def assert_nothing_replaced(review, leaving):
    leaving.refresh_from_db()
    assert leaving.state == Assignment.State.INVITED
    assert not DrawChange.objects.filter(draw=review.draw).exists()


def test_replacement_from_the_organisation_of_a_member_is_refused(drawn, secretariat_user, domain):
    leaving, member = panel(drawn)[:2]
    colleague = add_expert(50, domain=domain, organization=member.expert.employer, category=leaving.expert.category)

    code, message = refusal(leaving, colleague, secretariat_user)

    assert code == "one_per_organization"
    assert message == (
        f"At most one expert per organisation: 专家50 works at the same organisation as {member.expert.name}, "
        "who is on the panel."
    )
    assert_nothing_replaced(drawn, leaving)


def test_replacement_beyond_the_government_share_is_refused(drawn, secretariat_user, domain):
    leaving, member = panel(drawn)[:2]
    Organization.objects.filter(pk=member.expert.employer_id).update(kind=Organization.Kind.GOVERNMENT)
    official = add_expert(
        51,
        domain=domain,
        organization=OrganizationFactory(name="沈北新区人民政府", kind=Organization.Kind.GOVERNMENT),
        category=leaving.expert.category,
    )

    code, message = refusal(leaving, official, secretariat_user)

    assert code == "government_share"
    assert message == "At most 1/3 of the panel from government bodies (1 of 5): with 专家51 it would have 2."
    assert_nothing_replaced(drawn, leaving)


def only_scholar_leaving(review):
    """The panel with its first member the only scholar (the others' categories changed on the roster)."""
    members = panel(review)
    leaving = members[0]
    leaving.expert.category = "scholar"
    leaving.expert.save()
    for member in members[1:]:
        member.expert.category = "specialist"
        member.expert.save()
    return leaving


def test_replacement_that_loses_the_only_scholar_is_refused_while_a_scholar_is_eligible(
    drawn, secretariat_user, domain
):
    leaving = only_scholar_leaving(drawn)
    entrepreneur = add_expert(52, domain=domain, category="entrepreneur")

    code, message = refusal(leaving, entrepreneur, secretariat_user)

    assert code == "each_category"
    assert message == (
        f"At least one of each category: without {leaving.expert.name} the panel has no Scholar, and an eligible "
        "Scholar could take the seat."
    )
    assert_nothing_replaced(drawn, leaving)


def test_replacement_that_loses_a_category_is_allowed_when_no_one_of_it_is_eligible(
    drawn, secretariat_user, domain, roster
):
    leaving = only_scholar_leaving(drawn)
    on_review = set(drawn.assignments.values_list("expert_id", flat=True))
    for expert in roster:
        if expert.pk not in on_review and expert.category == "scholar":
            expert.status = "suspended"
            expert.save()
    entrepreneur = add_expert(53, domain=domain, category="entrepreneur")

    assignments.replace_assignment(leaving, by=secretariat_user, reason="健康原因", expert=entrepreneur)

    assert drawn.assignments.get(expert=entrepreneur).state == Assignment.State.INVITED


def test_replacement_within_the_rules_is_made(drawn, secretariat_user, domain):
    leaving = panel(drawn)[0]
    newcomer = add_expert(54, domain=domain, category=leaving.expert.category)

    assignments.replace_assignment(leaving, by=secretariat_user, reason="健康原因", expert=newcomer)

    leaving.refresh_from_db()
    assert (leaving.state, drawn.assignments.get(expert=newcomer).state) == (
        Assignment.State.REPLACED,
        Assignment.State.INVITED,
    )


def test_board_shows_the_rule_a_replacement_breaks_and_replaces_no_one(client, secretariat_user, drawn, domain):
    leaving, member = panel(drawn)[:2]
    colleague = add_expert(55, domain=domain, organization=member.expert.employer, category=leaving.expert.category)
    client.force_login(secretariat_user)

    response = client.post(
        f"/admin/reviews/{drawn.pk}/board/",
        {"action": "replace", "assignment": leaving.pk, "expert": colleague.pk, "reason": "健康原因"},
    )

    (error,) = response.context["form"].errors.as_data()["expert"]
    assert response.status_code == 200
    assert error.code == "one_per_organization"
    assert escape(error.message) in response.content.decode()
    assert_nothing_replaced(drawn, leaving)
