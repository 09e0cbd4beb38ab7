import pytest
from django.core.exceptions import ValidationError

from core.errors import StateConflict
from experts.models import Conflict, Organization, Unavailability
from reviews.draw import engine, record, verify
from reviews.draw import selectors as draw_selectors
from reviews.draw import services as draw_services
from reviews.models import Assignment, Draw, Review
from reviews.services import assignments
from reviews.services import plans as plan_services
from tests.factories import OrganizationFactory
from tests.reviews.conftest import add_expert, schedule


def test_draw_panel_meets_rules_and_records_everything(review, secretariat_user, roster):
    draw = draw_services.draw_for_review(review, by=secretariat_user, seed="witnessed-42")

    review.refresh_from_db()
    assert review.state == Review.State.INVITING
    assert len(draw.selected) == 5
    assert len(set(draw.selected)) == 5
    assert draw.seed == record.derive_seed(draw.commitment.digest, draw.beacon_value, [])
    assert draw.seed_source == Draw.SeedSource.UNWITNESSED
    assert draw.commitment.pool == draw.pool
    assert len(draw.pool) == 12
    assert len(draw.pool_hash) == 64
    assert draw.solver.startswith("scipy.optimize.milp")
    categories = {row[1] for row in draw.pool if row[0] in draw.selected}
    assert categories == {"entrepreneur", "specialist", "scholar"}
    assert sorted(review.assignments.values_list("expert_id", flat=True)) == sorted(draw.selected)
    assert set(draw.alternates) == {row[0] for row in draw.pool} - set(draw.selected)
    assert len(draw.alternates) == 7


def test_draw_without_seed_takes_one_from_the_system(review, secretariat_user):
    draw = draw_services.draw_for_review(review, by=secretariat_user)

    assert draw.seed_source == Draw.SeedSource.UNWITNESSED
    assert draw.commitment.beacon == {"source": "system"}
    assert len(draw.beacon_value) == 64
    assert draw.seed == record.derive_seed(draw.commitment.digest, draw.beacon_value, [])


def test_verify_replays_to_true(drawn):
    assert verify.verify_draw(drawn.draw)[0] is True


def test_verify_is_false_after_tampering_with_the_pool(drawn):
    draw = drawn.draw
    draw.pool = [row for row in draw.pool if row[0] not in draw.selected[:1]]
    draw.save()

    verified, detail = verify.verify_draw(Draw.objects.get(pk=draw.pk))

    assert verified is False
    assert "hash" in detail


def test_verify_is_false_when_the_panel_was_changed(drawn):
    draw = drawn.draw
    draw.selected = [draw.alternates[0], *draw.selected[1:]]
    draw.save()

    assert verify.verify_draw(Draw.objects.get(pk=draw.pk))[0] is False


def test_same_seed_on_same_review_gives_the_same_panel(review, secretariat_user):
    first = draw_services.draw_for_review(review, by=secretariat_user, seed="abc")
    replay = engine.draw_panel(first.pool, seed=first.seed, review_id=review.pk, rules=first.rules)

    assert replay.selected == first.selected
    assert replay.alternates == first.alternates


def test_exclusions_name_each_rule(plan, secretariat_user, domain, submitter):
    related = OrganizationFactory(name="沈阳智造机器人有限公司")
    plan.related_organizations.add(related)
    eligible = [add_expert(n, domain=domain) for n in range(1, 8)]
    employee = add_expert(20, domain=domain, organization=related)
    suspended = add_expert(21, domain=domain, status="suspended")
    away = add_expert(22, domain=domain)
    other_field = add_expert(23, domain=domain)
    other_field.domains.clear()
    conflicted = add_expert(24, domain=domain)
    Conflict.objects.create(expert=conflicted, organization=submitter, reason="兼职")
    short_term = add_expert(25, domain=domain, term_end=plan.created_at.date())
    review = schedule(plan, secretariat_user)
    Unavailability.objects.create(
        expert=away, starts_on=review.opens_at.date(), ends_on=review.due_at.date(), note="出国"
    )

    draw = draw_services.draw_for_review(review, by=secretariat_user, seed="s")

    assert draw.excluded == {
        "inactive": [suspended.pk],
        "term": [short_term.pk],
        "unavailable": [away.pk],
        "domain": [other_field.pk],
        "employer": [employee.pk],
        "declared_conflict": [conflicted.pk],
    }
    assert sorted(row[0] for row in draw.pool) == sorted(e.pk for e in eligible)


def test_load_cap_excludes_experts_at_their_quarterly_limit(plan, secretariat_user, roster):
    first = schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1})
    draw_services.draw_for_review(first, by=secretariat_user, seed="one")
    second = schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1})

    draw = draw_services.draw_for_review(second, by=secretariat_user, seed="two")

    assert sorted(draw.excluded["load_cap"]) == sorted(first.draw.selected)
    assert not set(draw.selected) & set(first.draw.selected)


def test_earlier_version_reviewers_are_excluded(drawn, plan, secretariat_user):
    accepted = drawn.assignments.first()
    assignments.accept_assignment(accepted, by=accepted.expert.user, no_conflict=True, confidentiality=True)
    from tests.reviews.conftest import docx_upload

    plan_services.add_plan_version(plan, upload=docx_upload(), by=secretariat_user)
    second = schedule(plan, secretariat_user)

    draw = draw_services.draw_for_review(second, by=secretariat_user, seed="v2")

    assert draw.excluded["earlier_version"] == [accepted.expert_id]


def test_infeasible_draw_explains_the_rule_and_draws_nothing(plan, secretariat_user, domain):
    for n in range(1, 4):
        add_expert(n, domain=domain)
    review = schedule(plan, secretariat_user)

    with pytest.raises(draw_services.DrawInfeasible) as raised:
        draw_services.draw_for_review(review, by=secretariat_user, seed="s")

    assert raised.value.code == "pool"
    assert "Only 3 eligible experts for a panel of 5: 2 short" in raised.value.messages[0]
    review.refresh_from_db()
    assert review.state == Review.State.DRAFT
    assert not Draw.objects.exists()
    assert not Assignment.objects.exists()


def test_one_per_organization_shortfall_is_explained(plan, secretariat_user, domain):
    shared = OrganizationFactory(name="东北大学", kind=Organization.Kind.UNIVERSITY)
    for n in range(1, 8):
        add_expert(n, domain=domain, organization=shared if n > 3 else None)
    review = schedule(plan, secretariat_user)

    with pytest.raises(draw_services.DrawInfeasible) as raised:
        draw_services.draw_for_review(review, by=secretariat_user)

    assert raised.value.code == "one_per_organization"
    assert "only 4 organisations for a panel of 5: 1 short" in raised.value.messages[0]


def test_government_share_is_at_most_a_third(plan, secretariat_user, domain):
    for n in range(1, 9):
        add_expert(n, domain=domain, organization=OrganizationFactory(name=f"区政府{n}", kind="government"))
    for n in range(9, 13):
        add_expert(n, domain=domain)
    review = schedule(plan, secretariat_user)

    draw = draw_services.draw_for_review(review, by=secretariat_user, seed="gov")

    government = [row for row in draw.pool if row[0] in draw.selected and row[3]]
    assert len(government) == 1
    assert len(draw.selected) == 5


def test_second_draw_of_a_review_is_refused(drawn, secretariat_user):
    with pytest.raises(StateConflict):
        draw_services.draw_for_review(drawn, by=secretariat_user)

    assert Draw.objects.count() == 1


def test_even_panel_size_is_refused(plan, secretariat_user, roster):
    with pytest.raises(ValidationError) as raised:
        schedule(plan, secretariat_user, panel_size=6)

    assert "panel_size" in raised.value.message_dict


def test_exclusions_by_rule_lists_names(drawn, plan, secretariat_user, domain):
    outsider = add_expert(40, domain=domain)
    outsider.domains.clear()
    review = schedule(plan, secretariat_user)
    draw = draw_services.draw_for_review(review, by=secretariat_user)

    grouped = draw_selectors.exclusions_by_rule(draw)

    assert [(code, members) for code, _label, members in grouped] == [("domain", [(outsider.pk, "专家40")])]


def test_government_share_shortfall_is_explained(plan, secretariat_user, domain):
    for n in range(1, 9):
        add_expert(n, domain=domain, organization=OrganizationFactory(name=f"区政府{n}", kind="government"))
    for n in range(9, 12):
        add_expert(n, domain=domain)
    review = schedule(plan, secretariat_user)

    with pytest.raises(draw_services.DrawInfeasible) as raised:
        draw_services.draw_for_review(review, by=secretariat_user)

    assert raised.value.code == "government_share"
    assert raised.value.messages == [
        "At most 1/3 from government bodies (1 of 5): only 3 eligible experts outside government can sit "
        "together: 1 short."
    ]
