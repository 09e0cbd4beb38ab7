import pytest

from consultations.opinions.models import Comment, OpinionVersion
from reviews import services as review_services
from reviews.models import ReviewEvent
from tests.conftest import make_user
from tests.consultations.conftest import sections
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

SCORES = {"necessity": 9, "feasibility": 8, "soundness": 7}


def url(review, tail="opinion/"):
    return f"/api/v1/reviews/{review.pk}/{tail}"


def put(client, review, body, version):
    return client.put(url(review), body, format="json", HTTP_IF_MATCH=f'"{version}"')


def test_get_own_opinion_is_the_empty_draft_with_an_etag(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)

    response = client.get(url(review))

    assert response.status_code == 200
    assert response["ETag"] == '"0"'
    body = response.json()
    assert (body["version"], body["conclusion"], body["scores"], body["summary"], body["points"]) == (0, "", {}, "", [])


def test_put_with_if_match_saves_and_returns_the_next_version(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    section = sections(review)[1]

    response = put(client, review, {"summary": "可行", "points": [{"section": section, "text": "补充测算"}]}, 0)

    assert response.status_code == 200
    assert response["ETag"] == '"1"'
    assert [(p["section"], p["text"]) for p in response.json()["points"]] == [(section, "补充测算")]


def test_two_clients_saving_from_the_same_version_one_wins_one_gets_409_with_the_current(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)

    phone = put(client, review, {"summary": "手机"}, 0)
    laptop = put(client, review, {"summary": "电脑"}, 0)

    assert (phone.status_code, laptop.status_code) == (200, 409)
    assert laptop["ETag"] == '"1"'
    assert (laptop.json()["version"], laptop.json()["current"]["summary"]) == (1, "手机")


def test_put_without_if_match_is_a_clear_400(api_as, review, opinions):
    response = api_as(opinions[0].expert.user).put(url(review), {"summary": "x"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["version"]


def test_put_with_bad_input_answers_400_and_changes_nothing(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)

    response = put(client, review, {"conclusion": "maybe", "scores": {"necessity": 99}, "points": "x"}, 0)

    assert response.status_code == 400
    assert sorted(response.json()["errors"]) == ["conclusion", "points", "scores"]
    assert client.get(url(review)).json()["version"] == 0


def test_submit_seals_and_answers_with_the_digest(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    put(client, review, {"conclusion": "agree", "scores": SCORES, "summary": "同意"}, 0)

    response = client.post(url(review, "opinion/submit/"))

    assert response.status_code == 200
    body = response.json()
    assert body["digest"] == OpinionVersion.objects.get(kind="submitted").digest
    assert body["submitted_at"].endswith("+08:00")


def test_submit_of_an_incomplete_draft_names_the_missing_criteria_in_the_readers_language(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    put(client, review, {"conclusion": "agree", "scores": {"necessity": 8}}, 0)

    response = client.post(url(review, "opinion/submit/"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 400
    (message,) = response.json()["errors"]["scores"]
    assert "可行性" in message and "科学性" in message and "必要性" not in message
    assert "feasibility" not in message


def test_submit_twice_is_409(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    put(client, review, {"conclusion": "abstain"}, 0)
    client.post(url(review, "opinion/submit/"))

    response = client.post(url(review, "opinion/submit/"))

    assert response.status_code == 409


def test_versions_list_each_with_changes_against_the_one_before(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    put(client, review, {"summary": "第一稿", "label": "一稿"}, 0)
    put(client, review, {"summary": "第二稿", "label": "二稿"}, 1)

    body = client.get(url(review, "opinion/versions/")).json()

    assert [(v["number"], v["kind"], v["reason"]) for v in body["results"]] == [
        (1, "named", "一稿"),
        (2, "named", "二稿"),
    ]
    assert body["results"][1]["changes"] == [{"field": "summary", "before": "第一稿", "after": "第二稿"}]


def test_opinion_of_someone_not_on_the_panel_is_404(api_as, review, opinions):
    outsider = make_user("expert", username="outsider")

    response = api_as(outsider).get(url(review))

    assert response.status_code == 404


def test_secretariat_has_no_own_opinion_but_sees_all(api_as, review, opinions, secretariat_user):
    client = api_as(secretariat_user)

    assert client.get(url(review)).status_code == 404
    assert client.get(url(review, "opinions/")).json()["count"] == 3


def test_closed_review_answers_409_on_put(api_as, review, opinions, secretariat_user):
    review_services.transition(review, "closed", by=secretariat_user)

    response = put(api_as(opinions[0].expert.user), review, {"summary": "晚了"}, 0)

    assert response.status_code == 409


def test_comments_post_and_list_for_the_panel(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    section = sections(review)[2]

    created = client.post(url(review, "comments/"), {"text": "此节需补充", "section": section}, format="json")
    listed = api_as(opinions[1].expert.user).get(url(review, "comments/"))

    assert created.status_code == 201
    assert [(c["text"], c["section"]) for c in listed.json()["results"]] == [("此节需补充", section)]


def test_comment_with_unknown_section_is_400(api_as, review, opinions):
    response = api_as(opinions[0].expert.user).post(
        url(review, "comments/"), {"text": "x", "section": "zz"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["section"]
    assert Comment.objects.count() == 0


def test_comments_are_refused_to_the_department_that_submitted_the_plan(api_as, review, department_user):
    from reviews.models import DepartmentStaff

    DepartmentStaff.objects.create(user=department_user, organization=review.plan.submitted_by)

    response = api_as(department_user).get(url(review, "comments/"))

    assert response.status_code == 403


def test_only_the_chair_or_secretariat_moves_the_marker(api_as, review, opinions, secretariat_user):
    review_services.set_chair(review, opinions[0].expert, by=secretariat_user)
    section = sections(review)[3]

    member = api_as(opinions[1].expert.user).put(url(review, "discussion/"), {"section": section}, format="json")
    chair = api_as(opinions[0].expert.user).put(url(review, "discussion/"), {"section": section}, format="json")

    assert (member.status_code, chair.status_code) == (403, 200)
    assert ReviewEvent.objects.filter(review=review, type="discussion.moved").values_list(
        "payload", flat=True
    ).get() == {"section": section}


def test_save_emits_opinion_saved_with_ids_only(api_as, review, opinions):
    opinion = opinions[0]

    put(api_as(opinion.expert.user), review, {"summary": "秘密内容"}, 0)

    event = ReviewEvent.objects.filter(review=review, type="opinion.saved").get()
    assert event.payload == {"opinion": opinion.pk, "expert": opinion.expert_id, "version": 1}


def test_opinions_list_query_count_does_not_grow(api_as, secretariat_user):
    from tests.consultations.conftest import build_open_review

    small = build_open_review(secretariat_user, panel=1, roster_size=3, start=200)
    large = build_open_review(secretariat_user, panel=21, roster_size=26, start=300)
    client = api_as(secretariat_user)
    reviews = {1: small, 20: large}
    current = {}

    def make_rows(n):
        current["review"] = reviews[1 if n == 1 else 20]

    def fetch():
        assert client.get(url(current["review"], "opinions/")).status_code == 200

    assert_constant_queries(make_rows, fetch, large=20)


def test_put_with_non_integer_point_ids_or_non_string_text_is_400_and_changes_nothing(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    points = [{"id": [1], "text": "列表作编号"}, {"id": {"a": 1}, "text": "字典作编号"}, {"text": {"a": 1}}]

    response = put(client, review, {"conclusion": "agree", "points": points}, 0)

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "points.0": ["This point is not part of this opinion."],
        "points.1": ["This point is not part of this opinion."],
        "points.2": ["The text must be a string."],
    }
    assert client.get(url(review)).json()["version"] == 0


def _sealed(opinion, summary):
    from consultations.opinions import services

    services.save_opinion(
        opinion,
        by=opinion.expert.user,
        data={"conclusion": "agree", "scores": SCORES, "summary": summary, "points": []},
        expected_version=opinion.version,
    )
    opinion.refresh_from_db()
    return services.submit_opinion(opinion, by=opinion.expert.user)


def test_opinions_list_gives_every_opinion_changed_after_reading_others(api_as, review, opinions, secretariat_user):
    _sealed(opinions[0], "甲")
    _sealed(opinions[1], "乙")

    rows = api_as(secretariat_user).get(url(review, "opinions/")).json()["results"]

    assert sorted((r["id"], r["changed_after_reading_others"], r["read_others_at"] is None) for r in rows) == sorted(
        [(opinions[0].pk, False, False), (opinions[1].pk, False, False), (opinions[2].pk, False, True)]
    )


def test_secretariat_lists_a_draft_with_its_saved_time_and_no_content(api_as, review, opinions, secretariat_user):
    put(api_as(opinions[0].expert.user), review, {"summary": "草稿内容", "conclusion": "agree"}, 0)

    rows = api_as(secretariat_user).get(url(review, "opinions/")).json()["results"]
    row = next(r for r in rows if r["id"] == opinions[0].pk)

    assert (row["content_hidden"], row["summary"], row["conclusion"], row["version"], row["saved_at"] is None) == (
        True,
        "",
        "",
        1,
        False,
    )


def test_author_reads_their_own_draft_in_full(api_as, review, opinions):
    client = api_as(opinions[0].expert.user)
    put(client, review, {"summary": "草稿内容"}, 0)

    own = client.get(url(review)).json()
    listed = client.get(url(review, "opinions/")).json()["results"]

    assert (own["content_hidden"], own["summary"]) == (False, "草稿内容")
    assert [(r["content_hidden"], r["summary"]) for r in listed] == [(False, "草稿内容")]


def test_addendum_after_reading_others_is_marked_in_the_versions_and_the_list(api_as, review, opinions):
    _sealed(opinions[0], "甲")
    _sealed(opinions[1], "乙")
    client = api_as(opinions[0].expert.user)
    version = client.get(url(review)).json()["version"]

    put(client, review, {"conclusion": "agree", "scores": SCORES, "summary": "甲，补充", "reason": "补充"}, version)
    versions = client.get(url(review, "opinion/versions/")).json()["results"]
    listed = {r["id"]: r for r in client.get(url(review, "opinions/")).json()["results"]}

    assert [(v["kind"], v["after_reading_others"]) for v in versions] == [("submitted", False), ("addendum", True)]
    assert (
        listed[opinions[0].pk]["changed_after_reading_others"],
        listed[opinions[1].pk]["changed_after_reading_others"],
    ) == (True, False)
