"""The proposals API and portal pages: shapes, screening answers, 404 on every path for those who
may not see a proposal, the two-department journey, query counts of the lists."""

import pytest
from django.test import Client

from consultations.proposals import services as proposals
from consultations.proposals.models import Proposal
from tests.consultations.proposal_setup import build_setting, route_to_both, submit
from tests.queries import assert_constant_queries
from tests.reviews.conftest import docx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    return build_setting()


def portal(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_post_proposal_as_an_expert_answers_201_with_the_sealed_proposal(setting, api_as):
    response = api_as(setting.expert.user).post(
        "/api/v1/proposals/",
        {"title": "支持配套企业", "problem": "配套率低", "points": [{"text": "设立技改补贴"}], "domains": ["2"]},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["domains"], len(body["digest"])) == ("submitted", ["2"], 64)
    assert [(p["text"], p["response"]) for p in body["points"]] == [("设立技改补贴", None)]


def test_post_proposal_multipart_with_an_attachment(setting, api_as):
    response = api_as(setting.expert.user).post(
        "/api/v1/proposals/",
        {
            "title": "t",
            "problem": "p",
            "points": ["一", "二"],
            "domains": ["2"],
            "attachments": [docx_upload("a.docx")],
        },
        format="multipart",
    )
    assert response.status_code == 201
    assert [p["text"] for p in response.json()["points"]] == ["一", "二"]
    assert [a["title"] for a in response.json()["attachments"]] == ["a.docx"]


def test_post_proposal_with_text_where_an_attachment_goes_is_400_and_nothing_kept(setting, api_as):
    body = {"title": "t", "problem": "p", "points": ["一"], "attachments": "2.7793048194427976e+16"}

    response = api_as(setting.expert.user).post("/api/v1/proposals/", body, format="multipart")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["attachments"])
    assert not Proposal.objects.exists()


def test_blank_suggestions_are_skipped_and_the_schema_says_a_blank_one_is_allowed(setting, api_as, client):
    response = api_as(setting.expert.user).post(
        "/api/v1/proposals/",
        {"title": "支持配套企业", "problem": "配套率低", "points": ["设立技改补贴", "", " "]},
        format="json",
    )
    only_blanks = api_as(setting.expert.user).post(
        "/api/v1/proposals/", {"title": "t", "problem": "p", "points": ["", " "]}, format="json"
    )
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    assert response.status_code == 201
    assert [p["text"] for p in response.json()["points"]] == ["设立技改补贴"]
    assert (only_blanks.status_code, sorted(only_blanks.json()["errors"])) == (400, ["points"])
    body = schema["components"]["schemas"]["ProposalWriteRequest"]["properties"]["points"]
    assert body["items"]["oneOf"][0] == {"type": "string", "maxLength": 5000}


def test_post_proposal_with_bad_input_is_400_with_fields(setting, api_as):
    response = api_as(setting.expert.user).post(
        "/api/v1/proposals/", {"title": "t", "problem": "p", "points": [], "domains": ["x"]}, format="json"
    )
    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["domains", "points"]
    assert Proposal.objects.count() == 0


def test_post_proposal_by_a_department_is_403(setting, api_as):
    response = api_as(setting.industry_staff).post(
        "/api/v1/proposals/", {"title": "t", "problem": "p", "points": ["s"]}, format="json"
    )
    assert response.status_code == 403


def test_route_then_return_is_409(setting, api_as):
    proposal = submit(setting.expert)
    client = api_as(setting.secretariat)
    routed = client.post(
        f"/api/v1/proposals/{proposal.pk}/route/", {"organizations": [setting.industry.pk]}, format="json"
    )
    assert (routed.status_code, routed.json()["state"], routed.json()["routed_to"]) == (
        200,
        "routed",
        [setting.industry.pk],
    )
    again = client.post(f"/api/v1/proposals/{proposal.pk}/return/", {"reason": "重复"}, format="json")
    assert again.status_code == 409


def test_return_without_reason_is_400_and_changes_nothing(setting, api_as):
    proposal = submit(setting.expert)
    response = api_as(setting.secretariat).post(f"/api/v1/proposals/{proposal.pk}/return/", {"reason": " "},
                                                format="json")  # fmt: skip
    assert response.status_code == 400
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


def test_merge_into_an_unknown_proposal_is_400(setting, api_as):
    proposal = submit(setting.expert)
    response = api_as(setting.secretariat).post(f"/api/v1/proposals/{proposal.pk}/merge/", {"into": 999999},
                                                format="json")  # fmt: skip
    assert response.status_code == 400


def test_screening_by_the_author_is_403(setting, api_as):
    proposal = submit(setting.expert)
    response = api_as(setting.expert.user).post(
        f"/api/v1/proposals/{proposal.pk}/route/", {"organizations": [setting.industry.pk]}, format="json"
    )
    assert response.status_code == 403


def test_proposal_hidden_on_every_path_from_those_who_may_not_see_it(setting, api_as):
    """Another expert, staff of a department it was not routed to, and anyone before routing."""
    proposal = route_to_both(submit(setting.expert, attachments=[docx_upload("a.docx")]), setting)
    point = proposal.points.first()
    attachment = proposal.attachments.get()
    for user in (setting.other_expert.user, setting.outsider_staff):
        client = api_as(user)
        assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
        assert client.get("/api/v1/proposals/").json()["count"] == 0
        assert client.get(f"/api/v1/points/{point.pk}/response/").status_code == 404
        assert (
            client.put(f"/api/v1/points/{point.pk}/response/", {"status": "adopted"}, format="json").status_code == 404
        )
        for action, body in (("route", {"organizations": [1]}), ("return", {"reason": "x"}), ("merge", {"into": 1})):
            assert client.post(f"/api/v1/proposals/{proposal.pk}/{action}/", body, format="json").status_code == 404
        page = portal(user)
        assert page.get(f"/portal/proposals/{proposal.pk}/").status_code == 404
        assert page.get(f"/portal/proposals/{proposal.pk}/attachments/{attachment.pk}/").status_code == 404
        assert page.post(f"/portal/proposals/suggestions/{point.pk}/answer/", {"status": "adopted"}).status_code == 404
        assert page.post(f"/portal/proposals/{proposal.pk}/consent/").status_code == 404
        assert proposal.title not in page.get("/portal/proposals/").content.decode()


def test_department_sees_a_proposal_only_once_routed(setting, api_as):
    proposal = submit(setting.expert)
    client = api_as(setting.industry_staff)
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 404
    proposals.route_proposal(proposal, by=setting.secretariat, organizations=[setting.industry.pk])
    assert client.get(f"/api/v1/proposals/{proposal.pk}/").status_code == 200


def test_department_may_not_answer_a_suggestion_routed_elsewhere(setting, api_as):
    proposal = route_to_both(submit(setting.expert), setting)
    second = proposal.points.order_by("position")[1]
    response = api_as(setting.industry_staff).put(
        f"/api/v1/points/{second.pk}/response/", {"status": "adopted"}, format="json"
    )
    assert response.status_code == 403


def test_two_departments_answer_and_the_expert_sees_both_answers(setting, api_as):
    proposal = route_to_both(submit(setting.expert), setting)
    first, second = proposal.points.order_by("position")
    answered = api_as(setting.industry_staff).put(
        f"/api/v1/points/{first.pk}/response/", {"status": "adopted"}, format="json"
    )
    assert (answered.status_code, answered.json()["status"]) == (200, "adopted")
    science = portal(setting.science_staff)
    page = science.post(
        f"/portal/proposals/suggestions/{second.pk}/answer/",
        {"status": "partly_adopted", "reason": "纳入明年计划"},
        HTTP_HX_REQUEST="true",
    )
    assert page.status_code == 200
    assert "纳入明年计划" in page.content.decode()
    body = api_as(setting.expert.user).get(f"/api/v1/proposals/{proposal.pk}/").json()
    assert body["state"] == "answered"
    assert [(p["response"]["status"], p["response"]["reason"]) for p in body["points"]] == [
        ("adopted", ""),
        ("partly_adopted", "纳入明年计划"),
    ]
    html = portal(setting.expert.user).get(f"/portal/proposals/{proposal.pk}/").content.decode()
    assert html.count('data-testid="suggestion-answer"') == 2


def test_htmx_answer_without_reason_shows_the_message_and_saves_nothing(setting):
    proposal = proposals.route_proposal(
        submit(setting.expert), by=setting.secretariat, organizations=[setting.industry.pk]
    )
    point = proposal.points.first()
    page = portal(setting.industry_staff).post(
        f"/portal/proposals/suggestions/{point.pk}/answer/", {"status": "not_adopted"}, HTTP_HX_REQUEST="true"
    )
    assert page.status_code == 400
    assert "Give the reason when a point is not or only partly adopted." in page.content.decode()
    assert proposal.points.filter(response__isnull=False).count() == 0


def test_returned_proposal_page_shows_the_reason(setting):
    proposal = submit(setting.expert)
    proposals.return_proposal(proposal, by=setting.secretariat, reason="请补充本地配套企业名单")
    html = portal(setting.expert.user).get(f"/portal/proposals/{proposal.pk}/").content.decode()
    assert "请补充本地配套企业名单" in html
    assert 'data-testid="return-reason"' in html


def test_merged_proposal_page_links_to_the_one_it_was_merged_into_for_the_secretariat(setting):
    target = submit(setting.other_expert, title="关于零部件配套的建议")
    proposal = submit(setting.expert)
    proposals.merge_proposal(proposal, into=target, by=setting.secretariat)
    html = portal(setting.secretariat).get(f"/portal/proposals/{proposal.pk}/").content.decode()
    assert f'href="/portal/proposals/{target.pk}/">关于零部件配套的建议</a>' in html


def test_portal_form_submits_a_proposal_with_added_suggestions(setting):
    client = portal(setting.expert.user)
    assert client.get("/portal/proposals/new/").status_code == 200
    response = client.post(
        "/portal/proposals/new/",
        {"title": "建议", "problem": "问题", "points": ["一", "", "三"], "domains": ["2"]},
    )
    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/proposals/{proposal.pk}/"
    assert list(proposal.points.order_by("position").values_list("text", flat=True)) == ["一", "三"]


def test_portal_form_with_no_suggestion_answers_400_and_stores_nothing(setting):
    response = portal(setting.expert.user).post("/portal/proposals/new/", {"title": "建议", "problem": "问题"})
    assert response.status_code == 400
    assert "Make at least one suggestion." in response.content.decode()
    assert Proposal.objects.count() == 0


def test_admin_screening_routes_with_a_department_per_suggestion(setting):
    proposal = submit(setting.expert)
    first, second = proposal.points.order_by("position")
    client = portal(setting.secretariat)
    assert client.get("/admin/proposals/").status_code == 200
    response = client.post(
        f"/admin/proposals/{proposal.pk}/",
        {
            "action": "route",
            "route-organizations": [setting.industry.pk, setting.science.pk],
            f"route-point_{first.pk}": setting.industry.pk,
            f"route-point_{second.pk}": setting.science.pk,
        },
    )
    assert response.status_code == 302
    assert dict(proposal.points.values_list("pk", "organization_id")) == {
        first.pk: setting.industry.pk,
        second.pk: setting.science.pk,
    }


def test_admin_screening_is_refused_to_the_commission(setting):
    proposal = submit(setting.expert)
    response = portal(setting.commission).get(f"/admin/proposals/{proposal.pk}/")
    assert (response.status_code, response["Location"]) == (302, f"/admin/login/?next=/admin/proposals/{proposal.pk}/")


def test_proposal_list_endpoint_queries_do_not_grow(setting, api_as):
    client = api_as(setting.secretariat)
    made = []

    def make_rows(n):
        while len(made) < n:
            made.append(route_to_both(submit(setting.expert, title=f"建议{len(made)}"), setting))

    def fetch():
        response = client.get("/api/v1/proposals/?page_size=50")
        assert (response.status_code, response.json()["count"]) == (200, len(made))

    assert_constant_queries(make_rows, fetch)


def test_proposal_list_page_queries_do_not_grow(setting):
    client = portal(setting.industry_staff)
    made = []

    def make_rows(n):
        while len(made) < n:
            made.append(route_to_both(submit(setting.expert, title=f"建议{len(made)}"), setting))

    def fetch():
        response = client.get("/portal/proposals/")
        assert (response.status_code, response.content.decode().count('data-testid="proposal-row"')) == (200, len(made))

    assert_constant_queries(make_rows, fetch)


def test_admin_board_queries_do_not_grow(setting):
    client = portal(setting.secretariat)
    made = []

    def make_rows(n):
        while len(made) < n:
            made.append(submit(setting.expert, title=f"建议{len(made)}"))

    def fetch():
        response = client.get("/admin/proposals/?rows=1")
        assert (response.status_code, response.content.decode().count('data-testid="board-row"')) == (200, len(made))

    assert_constant_queries(make_rows, fetch)


def test_openapi_schema_names_the_proposal_paths(api):
    schema = api.get("/api/schema/?format=json").json()
    assert sorted(p for p in schema["paths"] if p.startswith("/api/v1/proposals/")) == [
        "/api/v1/proposals/",
        "/api/v1/proposals/{proposal_id}/",
        "/api/v1/proposals/{proposal_id}/merge/",
        "/api/v1/proposals/{proposal_id}/return/",
        "/api/v1/proposals/{proposal_id}/route/",
    ]
