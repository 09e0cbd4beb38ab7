"""Proposals, after the review of issue 8: who sees a merged proposal's target, merging in a
fixed lock order and without chains, routing to several departments without a per-suggestion
choice, 413 for an attachment that is too large, non-string texts refused."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from consultations.proposals import cleaning
from consultations.proposals import rules as proposal_rules
from consultations.proposals import services as proposals
from consultations.proposals.models import Proposal
from consultations.responses import rules as response_rules
from consultations.responses import services as responses
from core.errors import StateConflict
from core.models import Notification
from tests.consultations.proposal_setup import build_setting, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    return build_setting()


def portal(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


# ---------------------------------------------------------------- 5: the merged proposal's author


def test_merged_proposal_author_does_not_see_the_target(setting, api_as):
    target = submit(setting.other_expert, title="关于零部件配套的建议")
    duplicate = submit(setting.expert)
    proposals.merge_proposal(duplicate, into=target, by=setting.secretariat)
    user = setting.expert.user
    assert proposal_rules.can_see_proposal(user, target) is False
    assert api_as(user).get(f"/api/v1/proposals/{target.pk}/").status_code == 404
    assert portal(user).get(f"/portal/proposals/{target.pk}/").status_code == 404
    listed = api_as(user).get("/api/v1/proposals/").json()
    assert [row["id"] for row in listed.get("results", listed)] == [duplicate.pk]


def test_merge_notification_names_the_target_and_links_to_the_own_proposal(setting):
    target = submit(setting.other_expert, title="关于零部件配套的建议")
    duplicate = submit(setting.expert)
    proposals.merge_proposal(duplicate, into=target, by=setting.secretariat)
    note = Notification.objects.get(user=setting.expert.user, kind="proposal_merged")
    assert note.url == f"/portal/proposals/{duplicate.pk}/"
    assert "关于零部件配套的建议" in note.text


def test_merged_proposal_page_names_the_target_without_a_link(setting):
    target = submit(setting.other_expert, title="关于零部件配套的建议")
    duplicate = submit(setting.expert)
    proposals.merge_proposal(duplicate, into=target, by=setting.secretariat)
    html = portal(setting.expert.user).get(f"/portal/proposals/{duplicate.pk}/").content.decode()
    assert "关于零部件配套的建议" in html
    assert f'href="/portal/proposals/{target.pk}/"' not in html


# ---------------------------------------------------------------- 7: merge lock order, no chains


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_merge_locks_both_proposals_in_pk_order(setting):
    """Deterministic check of the lock order (a real A→B / B→A race is impractical to time): the
    first FOR UPDATE of the merge takes both rows, ordered by pk, whichever way the merge goes."""
    low = submit(setting.other_expert, title="低")
    high = submit(setting.expert, title="高")
    with CaptureQueriesContext(connection) as captured:
        proposals.merge_proposal(high, into=low, by=setting.secretariat)
    locks = [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]
    first = locks[0]
    ids = re.search(r'"consultations_proposal"\."id" IN \(([0-9, ]+)\)', first).group(1)
    assert sorted(int(i) for i in ids.split(",")) == [low.pk, high.pk]
    assert first.endswith('ORDER BY "consultations_proposal"."id" ASC FOR UPDATE')


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a race needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_crossed_merges_do_not_deadlock(setting):
    """A→B and B→A at the same time: one wins, the other is refused with a StateConflict (never a
    deadlock). Two threads, each its own connection; run a few times to give the race a chance."""
    for round_ in range(5):
        a = submit(setting.expert, title=f"A{round_}")
        b = submit(setting.other_expert, title=f"B{round_}")
        outcomes = _crossed_merges(a, b, by=setting.secretariat)
        assert sorted(outcomes) == ["merged", "refused"]
        states = sorted(Proposal.objects.filter(pk__in=[a.pk, b.pk]).values_list("state", flat=True))
        assert states == ["merged", "submitted"]


def _crossed_merges(a, b, *, by):
    barrier = threading.Barrier(2)
    outcomes = []

    def merge(source, target):
        from django.db import connection as own

        try:
            barrier.wait()
            proposals.merge_proposal(source, into=target, by=by)
            outcomes.append("merged")
        except StateConflict:
            outcomes.append("refused")
        except Exception as error:  # a deadlock would land here
            outcomes.append(type(error).__name__)
        finally:
            own.close()

    threads = [threading.Thread(target=merge, args=(a, b)), threading.Thread(target=merge, args=(b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_merge_into_a_merged_proposal_is_refused(setting):
    first = submit(setting.other_expert, title="一")
    second = submit(setting.other_expert, title="二")
    third = submit(setting.expert, title="三")
    proposals.merge_proposal(second, into=first, by=setting.secretariat)
    with pytest.raises(StateConflict):
        proposals.merge_proposal(third, into=second, by=setting.secretariat)
    third.refresh_from_db()
    assert (third.state, third.merged_into_id) == ("submitted", None)


def test_merging_a_proposal_others_were_merged_into_is_refused(setting):
    target = submit(setting.other_expert, title="目标")
    duplicate = submit(setting.expert, title="重复")
    elsewhere = submit(setting.other_expert, title="别处")
    proposals.merge_proposal(duplicate, into=target, by=setting.secretariat)
    with pytest.raises(StateConflict):
        proposals.merge_proposal(target, into=elsewhere, by=setting.secretariat)
    target.refresh_from_db()
    assert (target.state, target.merged_into_id) == ("submitted", None)


def test_returning_a_proposal_others_were_merged_into_is_refused(setting):
    target = submit(setting.other_expert, title="目标")
    duplicate = submit(setting.expert, title="重复")
    proposals.merge_proposal(duplicate, into=target, by=setting.secretariat)
    with pytest.raises(StateConflict):
        proposals.return_proposal(target, by=setting.secretariat, reason="不予采纳")
    target.refresh_from_db()
    assert target.state == "submitted"


# ---------------------------------------------------------------- 8: several departments, no choice


def test_route_to_two_departments_without_a_choice_routes_every_suggestion_to_both(setting, api_as):
    proposal = submit(setting.expert)
    response = api_as(setting.secretariat).post(
        f"/api/v1/proposals/{proposal.pk}/route/",
        {"organizations": [setting.industry.pk, setting.science.pk]},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["state"], sorted(body["routed_to"])) == ("routed", sorted([setting.industry.pk, setting.science.pk]))
    assert [p["organization"] for p in body["points"]] == [None, None]


def test_a_suggestion_routed_to_all_is_answered_by_any_routed_department_once(setting):
    proposal = submit(setting.expert, points=["唯一的建议"])
    proposals.route_proposal(proposal, by=setting.secretariat, organizations=[setting.industry.pk, setting.science.pk])
    point = proposal.points.get()
    assert response_rules.can_answer(setting.industry_staff, point) is True
    assert response_rules.can_answer(setting.science_staff, point) is True
    assert response_rules.can_answer(setting.outsider_staff, point) is False
    responses.answer_point(point, by=setting.science_staff, status="adopted", reason="")
    proposal.refresh_from_db()
    assert (proposal.state, point.response.by_id) == ("answered", setting.science_staff.pk)


def test_a_suggestion_routed_to_all_is_on_each_departments_task_list(setting):
    from consultations.proposals.portal import _to_answer

    proposal = submit(setting.expert, points=["唯一的建议"])
    proposals.route_proposal(proposal, by=setting.secretariat, organizations=[setting.industry.pk, setting.science.pk])
    assert [item["title"] for item in _to_answer(setting.industry_staff)[0]["items"]] == [proposal.title]
    assert [item["title"] for item in _to_answer(setting.science_staff)[0]["items"]] == [proposal.title]
    assert _to_answer(setting.outsider_staff) == []


def test_a_suggestion_given_one_department_is_answered_by_that_one_only(setting):
    proposal = submit(setting.expert)
    first, second = proposal.points.order_by("position")
    proposals.route_proposal(
        proposal,
        by=setting.secretariat,
        organizations=[setting.industry.pk, setting.science.pk],
        point_organizations={first.pk: setting.industry.pk},
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.organization_id, second.organization_id) == (setting.industry.pk, None)
    assert response_rules.can_answer(setting.science_staff, first) is False
    assert response_rules.can_answer(setting.science_staff, second) is True


def test_screening_page_routes_to_all_departments_by_default(setting):
    proposal = submit(setting.expert)
    client = portal(setting.secretariat)
    response = client.post(
        f"/admin/proposals/{proposal.pk}/",
        {"action": "route", "route-organizations": [setting.industry.pk, setting.science.pk]},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == "routed"
    assert list(proposal.points.values_list("organization_id", flat=True)) == [None, None]


# ---------------------------------------------------------------- 9: 413


def test_post_proposal_with_an_attachment_over_10_mb_is_413(setting, api_as):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * (cleaning.MAX_ATTACHMENT_BYTES + 1))
    response = api_as(setting.expert.user).post(
        "/api/v1/proposals/",
        {"title": "t", "problem": "p", "points": ["一"], "domains": ["2"], "attachments": [big]},
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 413
    assert response.json()["detail"] == "big.pdf: An attachment is at most 10 MB."
    assert Proposal.objects.count() == 0


# ---------------------------------------------------------------- 10: non-string texts


@pytest.mark.parametrize("text", [{"a": 1}, ["a"], 3, True])
def test_post_proposal_with_a_non_string_suggestion_is_400(setting, api_as, text):
    response = api_as(setting.expert.user).post(
        "/api/v1/proposals/",
        {"title": "t", "problem": "p", "points": [{"text": text}], "domains": ["2"]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"points.0": ["A suggestion is a text."]}
    assert Proposal.objects.count() == 0


def test_submit_proposal_with_a_non_string_plain_item_is_refused(setting):
    with pytest.raises(ValidationError) as caught:
        submit(setting.expert, points=[["a"]])
    assert list(caught.value.message_dict) == ["points.0"]
    assert Proposal.objects.count() == 0


# ---------------------------------------------------------------- second review: a suggestion routed to all


def _routed_to_both_without_a_choice(setting):
    return proposals.route_proposal(
        submit(setting.expert), by=setting.secretariat, organizations=[setting.industry.pk, setting.science.pk]
    )


def test_year_report_counts_a_suggestion_routed_to_all_under_the_department_that_answered(setting):
    from consultations.year_report.selectors import REPORT_ZONE, year_report

    proposal = _routed_to_both_without_a_choice(setting)
    first, second = proposal.points.order_by("position")
    responses.answer_point(first, by=setting.science_staff, status="adopted")

    with translation.override("en"):
        report = year_report(proposal.submitted_at.astimezone(REPORT_ZONE).year)

    rows = [
        (row["key"], row["label"], row["points"], row["adopted"], row["unanswered"]) for row in report["departments"]
    ]
    assert rows == [(setting.science.pk, setting.science.name, 1, 1, 0), (None, "No department", 1, 0, 1)]


def test_published_page_names_the_department_that_answered_a_suggestion_routed_to_all(setting):
    from tests.consultations.test_proposals import add_conclusions_section

    add_conclusions_section()
    proposal = _routed_to_both_without_a_choice(setting)
    first, second = proposal.points.order_by("position")
    responses.answer_point(first, by=setting.science_staff, status="adopted")
    responses.answer_point(second, by=setting.commission, status="not_adopted", reason="已有同类平台")
    proposals.consent_to_publication(proposal, by=setting.expert.user)

    page = proposals.publish_proposal(proposal, by=setting.secretariat)

    assert [row["department"] for row in page.specific.response_rows()] == [setting.science.name, ""]


def test_api_route_to_an_organisation_that_is_not_a_department_is_400(setting, api_as):
    from tests.factories import OrganizationFactory

    enterprise = OrganizationFactory(name="沈阳新松机器人自动化股份有限公司", kind="enterprise")
    proposal = submit(setting.expert)

    response = api_as(setting.secretariat).post(
        f"/api/v1/proposals/{proposal.pk}/route/",
        {"organizations": [setting.industry.pk, enterprise.pk]},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "organizations": [f"Proposals are routed to departments; these are not: {enterprise.pk}."]
    }
    proposal.refresh_from_db()
    assert (proposal.state, list(proposal.routed_to.all())) == ("submitted", [])
