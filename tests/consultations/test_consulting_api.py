"""The consultations API (API.md): list and create, detail and state moves, the caller's answer
with If-Match, submission, and all answers as the caller may see them."""

import pytest

from consultations.inquiries import services as consulting
from consultations.inquiries.models import Consultation
from consultations.opinions.canonical import digest, opinion_content
from consultations.opinions.models import Opinion
from tests.conftest import make_user
from tests.consultations.consulting_setup import answer, build_committee, pose
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def test_consultations_post_by_the_commission_creates_a_draft(api_as, commission_user):
    build_committee()
    body = {"title": "征询", "questions": [{"text": "问题一"}, {"text": "问题二"}], "addressed_domains": ["2.1"]}

    response = api_as(commission_user).post("/api/v1/consultations/", body, format="json")

    assert response.status_code == 201
    assert response.data["state"] == "draft"
    assert [q["text"] for q in response.data["questions"]] == ["问题一", "问题二"]
    assert response.data["addressed_domains"] == ["2.1"]


def test_consultations_post_by_an_expert_is_forbidden(api_as):
    e = build_committee()["experts"]

    response = api_as(e["child"].user).post("/api/v1/consultations/", {"title": "x"}, format="json")

    assert response.status_code == 403
    assert Consultation.objects.count() == 0


def test_consultations_post_with_an_unknown_domain_is_400(api_as, secretariat_user):
    build_committee()

    response = api_as(secretariat_user).post(
        "/api/v1/consultations/", {"title": "征询", "addressed_domains": ["9.9"]}, format="json"
    )

    assert response.status_code == 400
    assert list(response.data["errors"]) == ["addressed_domains"]


def test_consultation_patch_state_open_then_reopen_is_409(api_as, secretariat_user):
    build_committee()
    consultation = pose(secretariat_user, open_it=False)
    client = api_as(secretariat_user)

    opened = client.patch(f"/api/v1/consultations/{consultation.pk}/", {"state": "open"}, format="json")
    closed = client.patch(f"/api/v1/consultations/{consultation.pk}/", {"state": "closed"}, format="json")
    again = client.patch(f"/api/v1/consultations/{consultation.pk}/", {"state": "open"}, format="json")

    assert (opened.status_code, opened.data["state"], opened.data["recipients_count"]) == (200, "open", 2)
    assert (closed.status_code, closed.data["state"]) == (200, "closed")
    assert again.status_code == 409


@pytest.mark.parametrize("who", ["suspended", "other", "department", "auditor"])
def test_consultation_unseen_by_those_not_addressed_is_404_on_every_endpoint(api_as, secretariat_user, who):
    committee = build_committee()
    consultation = pose(secretariat_user)
    answer(consultation, committee["experts"]["child"])
    consulting.close_consultation(consultation, by=secretariat_user)
    users = {
        "suspended": committee["experts"]["suspended"].user,
        "other": committee["experts"]["other"].user,
        "department": committee["department"],
        "auditor": make_user("auditor", username="auditor1"),
    }
    client = api_as(users[who])
    base = f"/api/v1/consultations/{consultation.pk}/"

    statuses = [client.get(base + path).status_code for path in ("", "answer/", "answers/")]
    statuses.append(client.post(base + "answer/submit/").status_code)
    statuses.append(client.put(base + "answer/", {"points": []}, format="json", HTTP_IF_MATCH='"0"').status_code)
    listed = client.get("/api/v1/consultations/").data["count"]

    assert (statuses, listed) == ([404, 404, 404, 404, 404], 0)


def test_consultation_recipient_who_is_suspended_later_loses_it(api_as, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    e["child"].status = "suspended"
    e["child"].save()

    response = api_as(e["child"].user).get(f"/api/v1/consultations/{consultation.pk}/")

    assert response.status_code == 404


def test_answer_get_gives_an_empty_draft_with_etag(api_as, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)

    response = api_as(e["child"].user).get(f"/api/v1/consultations/{consultation.pk}/answer/")

    assert response.status_code == 200
    assert (response.data["version"], response.data["points"], response["ETag"]) == (0, [], '"0"')


def test_answer_put_with_a_stale_if_match_is_409_with_the_current_version(api_as, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    question = consultation.questions.order_by("position").first()
    client = api_as(e["child"].user)
    url = f"/api/v1/consultations/{consultation.pk}/answer/"
    body = {"points": [{"question": question.pk, "text": "手机上写的"}]}
    first = client.put(url, body, format="json", HTTP_IF_MATCH='"0"')

    stale = client.put(url, {"points": [{"question": question.pk, "text": "电脑上写的"}]}, format="json",
                       HTTP_IF_MATCH='"0"')  # fmt: skip

    assert first.status_code == 200
    assert (stale.status_code, stale.data["version"], stale["ETag"]) == (409, 1, '"1"')
    assert [p["text"] for p in stale.data["current"]["points"]] == ["手机上写的"]


def test_a_stale_put_naming_a_point_deleted_since_is_409_with_the_current_answer(api_as, secretariat_user):
    """Not a 400 ("not part of this answer"): the page needs the current answer to merge with."""
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    question = consultation.questions.order_by("position").first()
    client = api_as(e["child"].user)
    url = f"/api/v1/consultations/{consultation.pk}/answer/"
    first = client.put(url, {"points": [{"question": question.pk, "text": "旧的一点"}]}, format="json",
                       HTTP_IF_MATCH='"0"')  # fmt: skip
    point = first.data["points"][0]["id"]
    client.put(url, {"points": [{"question": question.pk, "text": "另一台设备上改写"}]}, format="json",
               HTTP_IF_MATCH='"1"')  # fmt: skip

    stale = client.put(url, {"points": [{"id": point, "question": question.pk, "text": "旧的一点，补充"}]},
                       format="json", HTTP_IF_MATCH='"1"')  # fmt: skip

    assert (stale.status_code, stale.data["version"]) == (409, 2)
    assert [p["text"] for p in stale.data["current"]["points"]] == ["另一台设备上改写"]


def test_answer_submit_seals_with_a_digest(api_as, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    questions = list(consultation.questions.order_by("position"))
    client = api_as(e["child"].user)
    url = f"/api/v1/consultations/{consultation.pk}/answer/"
    client.put(url, {"points": [{"question": q.pk, "text": f"建议{q.pk}"} for q in questions]}, format="json",
               HTTP_IF_MATCH='"0"')  # fmt: skip

    response = client.post(url + "submit/")

    sealed = Opinion.objects.get(pk=response.data["id"])
    assert response.status_code == 200
    assert response.data["digest"] == sealed.digest == digest(opinion_content(sealed))
    assert response.data["submitted_at"] is not None
    assert [p["question"] for p in response.data["points"]] == [q.pk for q in questions]


def test_answers_before_close_show_a_recipient_only_their_own(api_as, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    answer(consultation, e["child"])
    mine = answer(consultation, e["grandchild"], submit=False)

    response = api_as(e["grandchild"].user).get(f"/api/v1/consultations/{consultation.pk}/answers/")

    assert [a["id"] for a in response.data["results"]] == [mine.pk]


def test_answers_after_close_are_anonymous_letters_when_set(api_as, secretariat_user, commission_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user, anonymous=True)
    first = answer(consultation, e["child"])
    second = answer(consultation, e["grandchild"])
    consulting.close_consultation(consultation, by=secretariat_user)

    response = api_as(commission_user).get(f"/api/v1/consultations/{consultation.pk}/answers/")

    assert [(a["id"], a["author"], a["expert"]) for a in response.data["results"]] == [
        (first.pk, "Expert A", None),
        (second.pk, "Expert B", None),
    ]


def test_consultation_list_queries_do_not_grow_with_rows(api_as, secretariat_user):
    build_committee()
    client = api_as(secretariat_user)

    def make_rows(n):
        while Consultation.objects.count() < n:
            pose(secretariat_user, open_it=False)

    assert_constant_queries(make_rows, lambda: client.get("/api/v1/consultations/?page_size=50"))


def test_answers_list_queries_do_not_grow_with_rows(api_as, secretariat_user):
    from tests.reviews.conftest import add_expert

    committee = build_committee()
    consultation = pose(secretariat_user, domains=[])
    client = api_as(secretariat_user)

    def make_rows(n):
        number = 600 + consultation.answers.count()
        while consultation.answers.filter(submitted_at__isnull=False).count() < n:
            expert = add_expert(number, domain=committee["domains"]["child"])
            consultation.recipients.add(expert)
            answer(consultation, expert)
            number += 1

    assert_constant_queries(make_rows, lambda: client.get(f"/api/v1/consultations/{consultation.pk}/answers/"))


def test_point_of_a_closed_consultations_answer_is_answered_by_the_commission(api_as, secretariat_user,
                                                                              commission_user):  # fmt: skip
    from core.models import Notification

    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    sealed = answer(consultation, e["child"])
    consulting.close_consultation(consultation, by=secretariat_user)
    point = sealed.points.order_by("position").first()
    body = {"status": "partly_adopted", "reason": "纳入明年计划"}

    response = api_as(commission_user).put(f"/api/v1/points/{point.pk}/response/", body, format="json")

    assert (response.status_code, response.data["status"], response.data["reason"]) == (
        200, "partly_adopted", "纳入明年计划"
    )  # fmt: skip
    assert Notification.objects.filter(user=e["child"].user, kind="response").count() == 1


def test_point_of_an_open_consultations_answer_is_409_and_hidden_from_other_experts(api_as, secretariat_user,
                                                                                    commission_user):  # fmt: skip
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    point = answer(consultation, e["child"]).points.first()

    early = api_as(commission_user).put(f"/api/v1/points/{point.pk}/response/", {"status": "adopted"}, format="json")
    other = api_as(e["other"].user).get(f"/api/v1/points/{point.pk}/response/")

    assert (early.status_code, other.status_code) == (409, 404)


def test_consultations_post_open_with_nobody_to_ask_is_400_and_leaves_no_draft(api_as, secretariat_user):
    from tests.factories import DomainFactory

    build_committee()
    empty = DomainFactory(code="9", name="空领域")
    body = {"title": "征询", "questions": [{"text": "问题"}], "addressed_domains": [empty.code], "state": "open"}

    response = api_as(secretariat_user).post("/api/v1/consultations/", body, format="json")

    assert (response.status_code, list(response.data["errors"])) == (400, ["addressed_domains"])
    assert Consultation.objects.count() == 0


def test_consultation_get_by_a_recipient_hides_who_else_was_asked_and_the_counts(api_as, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user, experts=[e["other"].pk], anonymous=True)
    answer(consultation, e["other"])
    client = api_as(e["child"].user)

    detail = client.get(f"/api/v1/consultations/{consultation.pk}/").data
    row = client.get("/api/v1/consultations/").data["results"][0]

    shown = [(d["addressed_experts"], d["recipients_count"], d["submitted_count"]) for d in (detail, row)]
    assert shown == [([], None, None), ([], None, None)]


def test_consultation_get_by_the_commission_shows_who_was_asked_and_the_counts(
    api_as, secretariat_user, commission_user
):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user, experts=[e["other"].pk], anonymous=True)
    answer(consultation, e["other"])
    client = api_as(commission_user)

    detail = client.get(f"/api/v1/consultations/{consultation.pk}/").data
    row = client.get("/api/v1/consultations/").data["results"][0]

    shown = [(d["addressed_experts"], d["recipients_count"], d["submitted_count"]) for d in (detail, row)]
    assert shown == [([e["other"].pk], 3, 1), ([e["other"].pk], 3, 1)]


def test_answer_put_with_non_integer_ids_or_non_string_text_is_400_and_changes_nothing(api_as, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    question = consultation.questions.order_by("position").first()
    client = api_as(e["child"].user)
    url = f"/api/v1/consultations/{consultation.pk}/answer/"
    points = [
        {"question": [question.pk], "text": "列表作问题"},
        {"question": question.pk, "id": {"a": 1}, "text": "字典作编号"},
        {"question": question.pk, "text": ["a"]},
    ]

    response = client.put(url, {"points": points}, format="json", HTTP_IF_MATCH='"0"')

    assert response.status_code == 400
    assert response.data["errors"] == {
        "points.0": ["Say which question of this consultation the point answers."],
        "points.1": ["This point is not part of this answer."],
        "points.2": ["The text must be a string."],
    }
    assert client.get(url).data["version"] == 0


def test_consultations_post_with_a_non_string_question_is_400(api_as, secretariat_user):
    build_committee()
    body = {"title": "征询", "questions": [{"text": ["a"]}, {"text": {"a": 1}}], "addressed_domains": ["2.1"]}

    response = api_as(secretariat_user).post("/api/v1/consultations/", body, format="json")

    assert response.status_code == 400
    assert response.data["errors"] == {
        "questions.0": ["The text must be a string."],
        "questions.1": ["The text must be a string."],
    }
    assert Consultation.objects.count() == 0


def test_consultations_post_naming_an_expert_id_beyond_64_bits_is_400(api_as, secretariat_user):
    build_committee()
    body = {"title": "征询", "questions": [{"text": "问题"}], "addressed_experts": [10**30]}

    response = api_as(secretariat_user).post("/api/v1/consultations/", body, format="json")

    # Refused by the id field (core.rest.IdField: ids are 1 to 2**63 - 1), before any query.
    assert (response.status_code, list(response.data["errors"])) == (400, ["addressed_experts"])
    assert Consultation.objects.count() == 0
