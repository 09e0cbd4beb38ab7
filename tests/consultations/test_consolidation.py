"""The consolidation: numbers recomputed from the sealed opinions, dissent in full, the group
opinion with If-Match, confirmations and the seal, and who may see it by every path."""

import statistics

import pytest
from django.utils import translation

from consultations.consolidation import selectors
from consultations.consolidation import services as rules
from consultations.consolidation.models import Confirmation
from consultations.opinions.models import Opinion
from core.errors import StateConflict
from reviews.models import ReviewEvent
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import DISSENT_SUMMARY, closed_review, set_chair, staff_of
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(secretariat_user):
    return closed_review(secretariat_user)


def test_consolidation_numbers_match_a_recomputation_from_the_opinions(review):
    opinions = list(Opinion.objects.filter(review=review, submitted_at__isnull=False))

    data = selectors.consolidate(review)

    assert len(opinions) == 5
    assert data["tallies"] == {
        "agree": sum(o.conclusion == "agree" for o in opinions),
        "agree_with_revisions": sum(o.conclusion == "agree_with_revisions" for o in opinions),
        "disagree": sum(o.conclusion == "disagree" for o in opinions),
        "abstain": 0,
    }
    for key in ("necessity", "feasibility", "soundness"):
        values = [o.scores[key] for o in opinions]
        row = data["scores"][key]
        assert row["mean"] == pytest.approx(statistics.mean(values))
        assert row["median"] == statistics.median(values)
        assert (row["min"], row["max"]) == (min(values), max(values))
        assert row["stdev"] == pytest.approx(statistics.stdev(values))
    assert data["agreement"] == "conflicting"
    assert len(data["points"]) == 10


def test_consolidation_dissenting_opinion_appears_in_full(review):
    data = selectors.consolidate(review)

    assert [o.conclusion for o in data["dissent"]] == ["disagree"]
    assert data["dissent"][0].summary == DISSENT_SUMMARY
    assert len(data["dissent"][0].live) == 2


def test_agreement_states_are_defined_by_the_conclusions():
    assert selectors.agreement({"agree": 3, "agree_with_revisions": 0, "disagree": 0, "abstain": 2}) == "unanimous"
    assert selectors.agreement({"agree": 2, "agree_with_revisions": 1, "disagree": 0, "abstain": 0}) == "mixed"
    assert selectors.agreement({"agree": 0, "agree_with_revisions": 1, "disagree": 1, "abstain": 0}) == "conflicting"
    assert selectors.agreement({"agree": 0, "agree_with_revisions": 0, "disagree": 0, "abstain": 1}) == ""


def test_consolidation_points_are_grouped_by_plan_section_in_plan_order(review):
    data = selectors.consolidate(review)

    order = [b["section"] for b in review.plan_version.blocks]
    assert [g["section"] for g in data["groups"]] == sorted({g["section"] for g in data["groups"]}, key=order.index)
    assert [len(g["points"]) for g in data["groups"]] == [5, 5]


def test_consolidation_department_reads_letters_not_names(review):
    staff = staff_of(review.plan.submitted_by, "planner")

    with translation.override("en"):
        data = selectors.consolidate(review, user=staff)

    names = {o.expert.name for o in panel_of(review)}
    authors = {p["author"] for p in data["points"]}
    assert authors == {"Expert A", "Expert B", "Expert C", "Expert D", "Expert E"}
    assert not authors & names


def test_group_opinion_stale_save_raises_and_keeps_the_first(review, secretariat_user):
    chair = set_chair(review, secretariat_user)
    rules.save_group_opinion(review, by=chair, text="组长起草。", expected_version=0)

    with pytest.raises(rules.StaleConsolidation):
        rules.save_group_opinion(review, by=secretariat_user, text="秘书处稿。", expected_version=0)

    assert review.consolidation.__class__.objects.get(review=review).group_opinion == "组长起草。"


def test_group_opinion_sealed_when_every_member_confirms(review, secretariat_user):
    saved = rules.save_group_opinion(review, by=secretariat_user, text="专家组一致认为……", expected_version=0)

    for opinion in panel_of(review):
        rules.confirm_group_opinion(review, by=opinion.expert.user, version=saved.version)

    saved.refresh_from_db()
    review.refresh_from_db()
    assert saved.sealed_at is not None
    assert saved.digest == rules.text_digest(review.pk, saved.version, "专家组一致认为……")
    assert review.state == "consolidated"
    assert Confirmation.objects.filter(consolidation=saved, version=saved.version).count() == 5


def test_group_opinion_change_after_seal_needs_a_reason_and_restarts_confirmations(review, secretariat_user):
    saved = rules.save_group_opinion(review, by=secretariat_user, text="原文。", expected_version=0)
    for opinion in panel_of(review):
        rules.confirm_group_opinion(review, by=opinion.expert.user, version=saved.version)

    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        rules.save_group_opinion(review, by=secretariat_user, text="改后。", expected_version=saved.version)
    changed = rules.save_group_opinion(
        review, by=secretariat_user, text="改后。", expected_version=saved.version, reason="补充意见"
    )

    assert (changed.version, changed.sealed_at, changed.change_reason) == (saved.version + 1, None, "补充意见")
    assert changed.history.first().history_change_reason == "补充意见"


def test_confirm_by_someone_off_the_panel_is_refused(review, commission_user, secretariat_user):
    saved = rules.save_group_opinion(review, by=secretariat_user, text="文本。", expected_version=0)

    with pytest.raises(StateConflict):
        rules.confirm_group_opinion(review, by=commission_user, version=saved.version)


def test_group_opinion_save_by_the_commission_is_refused_by_the_service(review, commission_user):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rules.save_group_opinion(review, by=commission_user, text="文本。", expected_version=0)

    assert rules.ensure_consolidation(review).version == 0


def test_group_opinion_save_emits_consolidation_saved(review, secretariat_user):
    rules.save_group_opinion(review, by=secretariat_user, text="文本。", expected_version=0)

    event = ReviewEvent.objects.filter(review=review).order_by("-seq").first()
    assert (event.type, event.payload) == (
        "consolidation.saved",
        {"version": 1, "sealed": False, "confirmed": 0, "answered": 0, "confirm_by": None},
    )


# ---------------------------------------------------------------- the API


def test_api_consolidation_get_has_etag_and_fields(review, api_as, commission_user):
    response = api_as(commission_user).get(f"/api/v1/reviews/{review.pk}/consolidation/")

    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    body = response.json()
    assert body["tallies"] == {"agree": 3, "agree_with_revisions": 1, "disagree": 1, "abstain": 0}
    assert body["agreement"] == "conflicting"
    assert set(body["points"][0]) == {"id", "section", "text", "author", "response"}


def test_api_consolidation_put_with_stale_if_match_gets_409_with_current(review, api_as, secretariat_user):
    client = api_as(secretariat_user)
    first = client.put(
        f"/api/v1/reviews/{review.pk}/consolidation/", {"group_opinion": "一稿"}, format="json", HTTP_IF_MATCH='"0"'
    )

    stale = client.put(
        f"/api/v1/reviews/{review.pk}/consolidation/", {"group_opinion": "他稿"}, format="json", HTTP_IF_MATCH='"0"'
    )

    assert first.status_code == 200
    assert stale.status_code == 409
    assert stale.json()["version"] == 1
    assert stale.json()["current"]["group_opinion"] == "一稿"


def test_api_consolidation_put_by_the_commission_is_forbidden(review, api_as, commission_user):
    response = api_as(commission_user).put(
        f"/api/v1/reviews/{review.pk}/consolidation/", {"group_opinion": "x"}, format="json", HTTP_IF_MATCH='"0"'
    )

    assert response.status_code == 403


def test_other_department_cannot_see_the_consolidation_by_any_path(review, api_as, client):
    outsider = staff_of(OrganizationFactory(name="沈阳市科技局"), "other-dept")
    point = Opinion.objects.filter(review=review).first().points.first()
    api = api_as(outsider)
    client.force_login(outsider)

    statuses = [
        api.get(f"/api/v1/reviews/{review.pk}/consolidation/").status_code,
        api.get(f"/api/v1/reviews/{review.pk}/consolidation.docx").status_code,
        api.get(f"/api/v1/reviews/{review.pk}/consolidation.pdf").status_code,
        api.get(f"/api/v1/reviews/{review.pk}/consolidation.xlsx").status_code,
        api.get(f"/api/v1/points/{point.pk}/response/").status_code,
        api.put(f"/api/v1/points/{point.pk}/response/", {"status": "adopted"}, format="json").status_code,
        client.get(f"/portal/reviews/{review.pk}/consolidation/").status_code,
        client.get(f"/portal/reviews/{review.pk}/consolidation/document.docx").status_code,
        client.post(f"/portal/points/{point.pk}/answer/", {"status": "adopted"}).status_code,
    ]

    assert statuses == [404] * 9


def test_own_department_sees_its_consolidation(review, api_as):
    staff = staff_of(review.plan.submitted_by, "planner")

    response = api_as(staff).get(f"/api/v1/reviews/{review.pk}/consolidation/")

    assert response.status_code == 200


# ---------------------------------------------------------------- the reading view


def test_reading_view_renders_charts_and_the_dissent_without_javascript(review, client, commission_user):
    client.force_login(commission_user)

    page = client.get(f"/portal/reviews/{review.pk}/consolidation/", HTTP_ACCEPT_LANGUAGE="en")

    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('<svg class="chart"') == 2
    assert DISSENT_SUMMARY in html
    assert len(page.context["groups"]) == 2


def test_reading_view_form_save_with_a_stale_version_changes_nothing(review, client, secretariat_user):
    rules.save_group_opinion(review, by=secretariat_user, text="第一稿。", expected_version=0)
    client.force_login(secretariat_user)

    response = client.post(
        f"/portal/reviews/{review.pk}/consolidation/save/",
        {"group_opinion": "旧页面上的稿。", "version": "0"},
        HTTP_ACCEPT_LANGUAGE="en",
        follow=True,
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        "Someone saved the group opinion after you opened the page: check it and save again."
    ]
    assert review.consolidation.__class__.objects.get(review=review).group_opinion == "第一稿。"


# ---------------------------------------------------------------- the independence record


def test_api_consolidation_flags_the_opinion_changed_after_reading_others(secretariat_user, api_as, commission_user):
    from tests.consultations.consolidation_setup import AMENDED, amended_review

    review = amended_review(secretariat_user)

    body = api_as(commission_user).get(f"/api/v1/reviews/{review.pk}/consolidation/").json()

    amended = Opinion.objects.get(review=review, summary=AMENDED)
    flags = {row["opinion"]: row["changed_after_reading_others"] for row in body["independence"]}
    assert flags == {o.pk: o.pk == amended.pk for o in Opinion.objects.filter(review=review)}
    changed = next(row for row in body["independence"] if row["opinion"] == amended.pk)
    assert changed["read_others_at"] is not None
    assert [c["kind"] for c in changed["changes"]] == ["addendum"]
    summary = next(c for c in changed["changes"][0]["changes"] if c["field"] == "summary")
    assert summary["after"] == AMENDED


def test_reading_view_shows_which_opinion_changed_after_reading_others(secretariat_user, client, commission_user):
    from tests.consultations.consolidation_setup import AMENDED, amended_review

    review = amended_review(secretariat_user)
    client.force_login(commission_user)

    html = client.get(f"/portal/reviews/{review.pk}/consolidation/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert html.count('data-testid="independence" data-changed="1"') == 1
    assert html.count('data-testid="independence" data-changed="0"') == 2
    assert AMENDED in html
