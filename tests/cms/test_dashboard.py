"""The secretariat's home in the Wagtail admin (``cms.dashboard``): the week's work, each item a
count whose link lists exactly the rows counted, each row linking to the screen that resolves it;
for the secretariat and operators only; a constant number of queries however much work there is."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms import dashboard
from consultations.consolidation import confirmations
from consultations.consolidation import services as consolidation
from consultations.consolidation.models import Consolidation
from consultations.proposals import services as proposals
from experts import roles
from experts.notices import services as notice_services
from reviews import services as review_services
from reviews.models import Assignment, Review
from reviews.services.assignments import decline_assignment
from tests.conftest import make_user
from tests.consultations.conftest import PARAGRAPHS, build_open_review, panel_of, sections
from tests.consultations.consolidation_setup import write_and_seal
from tests.consultations.consulting_setup import build_committee, pose
from tests.factories import DomainFactory, OrganizationFactory
from tests.queries import count_queries
from tests.reviews.conftest import add_expert, docx_upload

pytestmark = pytest.mark.django_db

KEYS = (
    "invitations", "opinions", "panels", "confirmations", "points", "answers", "consultations", "proposals", "notices",
)  # fmt: skip
WEEK = {**dict.fromkeys(KEYS, 1), "opinions": 2}
HOME_QUERIES = 40  # 34 measured: the session, the user, Wagtail's summary and panels, one per item
GROUP = "专家组认为规划总体可行，同意修改后报批。"


# ---------------------------------------------------------------- the week's work, made through the services


def inviting_review(by, *, start):
    """A review of three drawn from a roster of three (no alternate): the first accepts, the second
    declines (the panel is short), the third has not answered by a reply date now past."""
    domain = DomainFactory(code="2.1", name="智能制造装备")
    submitter = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    for number in range(start, start + 3):
        add_expert(number, domain=domain)
    plan = review_services.create_plan(by=by, title="短名单计划", kind="action_plan", submitted_by=submitter,
                                       domains=["2.1"])  # fmt: skip
    review_services.add_plan_version(plan, upload=docx_upload(paragraphs=PARAGRAPHS), by=by)
    now = timezone.now()
    review = review_services.create_review(
        plan, by=by, opens_at=now + timedelta(days=1), due_at=now + timedelta(days=14), required_domains=["2.1"],
        panel_size=3, rules={"minimum_panel_size": 1},
    )  # fmt: skip
    review_services.draw_for_review(review, by=by, seed="week")
    first, second, third = Assignment.objects.filter(review=review).select_related("expert__user").order_by("id")
    review_services.accept_assignment(first, by=first.expert.user, no_conflict=True, confidentiality=True)
    decline_assignment(second, by=second.expert.user, reason="出差")
    Assignment.objects.filter(pk=third.pk).update(reply_by=now - timedelta(hours=1))  # the reply date went by
    return review


def overdue_review(by, *, start):
    """An open review of three past its due date: one opinion sealed, two not."""
    review = build_open_review(by, panel=3, roster_size=5, start=start)
    anchors = sections(review)
    write_and_seal(panel_of(review)[0], conclusion="agree", scores={"necessity": 8, "feasibility": 8, "soundness": 8},
                   summary="同意。", points=[{"section": anchors[1], "text": "细化任务。"}])  # fmt: skip
    Review.objects.filter(pk=review.pk).update(due_at=timezone.now() - timedelta(hours=1))
    return review


def closed_with_group_opinion(by, *, start):
    """A closed review of three, every opinion sealed with a point, the group opinion put to the panel."""
    review = build_open_review(by, panel=3, roster_size=5, start=start)
    anchors = sections(review)
    for index, opinion in enumerate(panel_of(review)):
        scores = {"necessity": 8, "feasibility": 7, "soundness": 9}
        write_and_seal(opinion, conclusion="agree", scores=scores, summary=f"意见{index}。",
                       points=[{"section": anchors[1], "text": f"建议{index}。"}])  # fmt: skip
    review_services.transition(review, "closed", by=by)
    consolidation.save_group_opinion(review, by=by, text=GROUP, expected_version=0)
    review.refresh_from_db()
    return review


def awaiting_review(by, *, start):
    """Group opinion with a deadline in two days, answered by one member of three."""
    review = closed_with_group_opinion(by, start=start)
    confirmations.set_confirmation_deadline(review, by=by, confirm_by=timezone.now() + timedelta(days=2))
    consolidation.confirm_group_opinion(review, by=panel_of(review)[0].expert.user, version=1)
    return review


def consolidated_review(by, *, start):
    """Every member confirmed: the group opinion sealed, the review consolidated, its points open."""
    review = closed_with_group_opinion(by, start=start)
    for opinion in panel_of(review):
        consolidation.confirm_group_opinion(review, by=opinion.expert.user, version=1)
    review.refresh_from_db()
    assert review.state == Review.State.CONSOLIDATED
    return review


def answers_overdue(review):
    """Its answers were due two days ago (set directly: the commission may not set a past day)."""
    Consolidation.objects.filter(review=review).update(answers_due_on=timezone.localdate() - timedelta(days=2))
    return review


def consultations(by):
    """One open consultation closing before the week ends, one just after, one still a draft."""
    build_committee(start=600)
    end = dashboard.end_of_week(timezone.now())
    closing = pose(by, closes_at=timezone.now() + timedelta(days=30))
    later = pose(by, closes_at=timezone.now() + timedelta(days=30))
    pose(by, open_it=False, closes_at=end - timedelta(seconds=1))
    type(closing).objects.filter(pk=closing.pk).update(closes_at=end - timedelta(seconds=1))
    type(later).objects.filter(pk=later.pk).update(closes_at=end + timedelta(seconds=1))
    return closing


def submitted_proposals(by, *, start):
    domain = DomainFactory(code="2", name="高端装备制造产业")
    author = add_expert(start, domain=domain)
    waiting = proposals.submit_proposal(author, by=author.user, title="支持配套企业", problem="配套率不足三成。",
                                        points=["设立技改补贴"], domains=["2"])  # fmt: skip
    returned = proposals.submit_proposal(author, by=author.user, title="另一建议", problem="问题。",
                                         points=["建议"], domains=["2"])  # fmt: skip
    proposals.return_proposal(returned, by=by, reason="与已有建议重复。")
    return waiting


def failed_invitation(review):
    """An invitation by text message the provider refused, through the notices' services."""
    expert = review.assignments.order_by("id").first().expert
    notice = notice_services.new_sms(
        expert, kind="invitation", params={"plan": "短名单计划", "reply_by": "-"}, about=review
    )
    notice_services.fail(notice, reason="isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")
    return review


@pytest.fixture
def week(secretariat_user):
    by = secretariat_user
    invitations = inviting_review(by, start=100)
    return {
        "invitations": invitations,
        "notices": failed_invitation(invitations),
        "opinions": overdue_review(by, start=200),
        "confirmations": awaiting_review(by, start=300),
        "points": answers_overdue(consolidated_review(by, start=400)),
        "consultations": consultations(by),
        "proposals": submitted_proposals(by, start=700),
    }


def signed_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def home_counts(client):
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    found = dict(re.findall(r'data-week-item="([a-z_]+)" data-count="(\d+)"', html))
    links = dict(re.findall(r'<a href="([^"]+)" id="week-([a-z_]+)"', html))
    return {key: int(n) for key, n in found.items()}, {key: url for url, key in links.items()}


def listed(client, url):
    """What the screen behind a link lists: the week's list rows, or the proposals' board rows."""
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    patterns = (r"<tr data-week-row[^>]*>(.*?)</tr>", r'<tr data-testid="(?:board|overdue)-row"[^>]*>(.*?)</tr>')
    return next((rows for rows in (re.findall(p, html, re.S) for p in patterns) if rows), [])


# ---------------------------------------------------------------- counts, links, the screens they match


def test_each_count_links_to_a_screen_listing_exactly_what_it_counts(week, secretariat_user):
    client = signed_in(secretariat_user)
    counts, links = home_counts(client)
    assert counts == WEEK
    for key in KEYS:
        assert len(listed(client, links[key])) == counts[key], key
    assert links["proposals"] == "/admin/proposals/?state=submitted"
    assert links["invitations"] == "/admin/week/invitations/"
    assert links["answers"] == reverse("consultations:answers-overdue")


def test_each_row_links_to_the_screen_that_resolves_it(week, secretariat_user):
    client = signed_in(secretariat_user)
    expected = {
        "invitations": f"/admin/reviews/{week['invitations'].pk}/board/",
        "panels": f"/admin/reviews/{week['invitations'].pk}/board/",
        "opinions": reverse("consultations:board", args=[week["opinions"].pk]),
        "confirmations": reverse("consultations:consolidation", args=[week["confirmations"].pk]),
        "points": reverse("consultations:consolidation", args=[week["points"].pk]),
        "consultations": reverse("consultations:consultation", args=[week["consultations"].pk]),
        "notices": f"/admin/reviews/{week['notices'].pk}/board/#notices",
    }
    for key, target in expected.items():
        rows = listed(client, f"/admin/week/{key}/")
        assert rows and all(f'href="{target}"' in row for row in rows), key
        assert client.get(target.split("#")[0]).status_code == 200, key  # the secretariat may use that screen
    (board_row,) = listed(client, "/admin/proposals/?state=submitted")
    assert f"/admin/proposals/{week['proposals'].pk}/" in board_row


def test_the_counts_follow_the_work_as_it_is_resolved(week, secretariat_user):
    client = signed_in(secretariat_user)
    late = Assignment.objects.get(review=week["invitations"], state=Assignment.State.INVITED)
    review_services.accept_assignment(late, by=late.expert.user, no_conflict=True, confidentiality=True)
    proposals.return_proposal(week["proposals"], by=secretariat_user, reason="不属于本委员会职责。")
    counts, links = home_counts(client)
    assert counts["invitations"] == 0 and counts["proposals"] == 0
    assert counts["panels"] == 1  # one accepted, one declined, none to replace it: still short
    assert listed(client, links["invitations"]) == []
    assert "Nothing to do here." in client.get(links["invitations"]).content.decode()


def test_rows_show_the_answers_the_deadline_in_shanghai_time_and_the_open_points(week, secretariat_user):
    client = signed_in(secretariat_user)
    review = week["confirmations"]
    (row,) = listed(client, "/admin/week/confirmations/")
    deadline = review.consolidation.confirm_by.astimezone(timezone.get_default_timezone())
    assert "1 of 3" in row
    assert deadline.strftime("%Y-%m-%d %H:%M") in row
    home = client.get("/admin/").content.decode()
    assert f"next deadline: {deadline:%Y-%m-%d %H:%M}" in home
    (row,) = listed(client, "/admin/week/points/")
    assert "<td>3</td>" in row  # three sealed opinions, one point each, none answered
    assert reverse("consultations:consolidation", args=[week["points"].pk]) in row
    assert reverse("consultations:consolidation", args=[review.pk]) not in row  # closed, not consolidated


def test_the_week_ends_on_sunday_midnight_in_shanghai():
    sunday_night = datetime(2025, 3, 9, 15, 30, tzinfo=UTC)  # Sunday 23:30 in Shanghai
    monday_early = datetime(2025, 3, 9, 16, 30, tzinfo=UTC)  # Monday 00:30 in Shanghai
    assert dashboard.end_of_week(sunday_night) == datetime(2025, 3, 9, 16, 0, tzinfo=UTC)
    assert dashboard.end_of_week(monday_early) == datetime(2025, 3, 16, 16, 0, tzinfo=UTC)
    assert dashboard.local(monday_early) == "2025-03-10 00:30"


# ---------------------------------------------------------------- who sees it


def test_the_secretariat_sees_the_week_operators_and_other_admin_users_do_not(week, secretariat_user):
    counts, links = home_counts(signed_in(secretariat_user))
    assert counts == WEEK
    for link in links.values():  # each screen the week links to opens for the secretariat
        assert signed_in(secretariat_user).get(link).status_code == 200, link
    operator = signed_in(make_user(username="operator", is_superuser=True, is_staff=True))
    home = operator.get("/admin/")
    assert (home.status_code, b"data-week-work" in home.content) == (200, False)
    assert operator.get("/admin/week/answers/").status_code in (302, 403)
    auditor = signed_in(make_user(roles.AUDITOR, username="auditor"))  # may use the admin, for the audit trail
    home = auditor.get("/admin/")
    assert home.status_code == 200
    assert b"data-week-work" not in home.content
    for key in KEYS:
        response = auditor.get(f"/admin/week/{key}/")
        assert response.status_code in (302, 403), key
        assert b"data-week-row" not in response.content
    expert = signed_in(week["opinions"].assignments.first().expert.user)
    response = expert.get("/admin/week/opinions/")
    assert response.status_code == 302 and b"data-week-row" not in response.content


def test_an_unknown_item_is_404(secretariat_user):
    assert signed_in(secretariat_user).get("/admin/week/nothing/").status_code == 404


# ---------------------------------------------------------------- queries


def test_the_home_costs_the_same_queries_empty_and_full(secretariat_user, django_assert_max_num_queries):
    client = signed_in(secretariat_user)
    client.get("/admin/")  # warm the caches
    empty = count_queries(lambda: client.get("/admin/"))
    by = secretariat_user
    inviting_review(by, start=100)
    awaiting_review(by, start=300)
    consultations(by)
    submitted_proposals(by, start=700)
    client.get("/admin/")
    assert count_queries(lambda: client.get("/admin/")) == empty
    with django_assert_max_num_queries(HOME_QUERIES):  # Wagtail's own panels included
        counts, _links = home_counts(client)
    assert counts["invitations"] == counts["confirmations"] == counts["consultations"] == 1
    with django_assert_max_num_queries(len(dashboard.ITEMS)):
        dashboard.week_counts()


def test_a_list_costs_the_same_queries_for_one_row_and_for_many(secretariat_user):
    client = signed_in(secretariat_user)
    consultations(secretariat_user)
    client.get("/admin/week/consultations/")
    one = count_queries(lambda: client.get("/admin/week/consultations/"))
    end = dashboard.end_of_week(timezone.now())
    for _ in range(4):
        extra = pose(secretariat_user, closes_at=timezone.now() + timedelta(days=30))
        type(extra).objects.filter(pk=extra.pk).update(closes_at=end - timedelta(minutes=5))
    assert len(listed(client, "/admin/week/consultations/")) == 5
    assert count_queries(lambda: client.get("/admin/week/consultations/")) == one


def test_an_item_whose_selector_returns_a_list_counts_its_rows_and_links_to_its_own_screen():
    item = dashboard.Item(
        "listed", "Listed", "A selector that reads its rows in one query and returns them.",
        rows=lambda now: [{"review": 1}, {"review": 2}], link=lambda: "/portal/answers-overdue/",
    )  # fmt: skip
    (line,) = dashboard.week_counts(items=(item,))
    assert (line["count"], line["url"], line["moment"]) == (2, "/portal/answers-overdue/", "")
