"""``POST /api/v1/draws/batch/``: the secretariat draws several reviews at once; every refusal is a
400 naming ``reviews`` and the review at fault, and writes nothing; nobody else may."""

import pytest

from reviews.draw import services as draw_services
from reviews.draw import verify
from reviews.models import Assignment, Draw, DrawCommitment, Review
from tests.conftest import make_user
from tests.reviews.conftest import schedule

URL = "/api/v1/draws/batch/"


def written():
    """What a batch draw writes: draws, commitments, invitations and the reviews' states."""
    return (
        Draw.objects.count(),
        DrawCommitment.objects.count(),
        Assignment.objects.count(),
        sorted(Review.objects.values_list("pk", "state")),
    )


def test_secretariat_draws_several_reviews_at_once_each_as_the_draw_detail(api_as, secretariat_user, plan, roster):
    first, second = schedule(plan, secretariat_user), schedule(plan, secretariat_user)
    api = api_as(secretariat_user)

    response = api.post(URL, {"reviews": [second.pk, first.pk]}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert [draw["review"] for draw in body] == [second.pk, first.pk]  # in the order named
    assert body == [api.get(f"/api/v1/draws/{draw['id']}/").json() for draw in body]
    assert len({draw["batch"] for draw in body}) == 1 and body[0]["batch"].startswith("batch-")
    assert len({draw["seed"] for draw in body}) == 1
    assert {draw["seed_source"] for draw in body} == {"unwitnessed"}
    assert {draw["commitment"]["beacon"]["source"] for draw in body} == {"system"}
    assert [len(draw["selected"]) for draw in body] == [5, 5]
    assert set(Review.objects.values_list("state", flat=True)) == {Review.State.INVITING}
    assert Assignment.objects.filter(state=Assignment.State.INVITED).count() == 10
    assert verify.verify_draw(Draw.objects.get(pk=body[0]["id"]))[0] is True


def bad_request(case, plan, secretariat_user):
    """``(body, the review the 400 must name or None)`` for each way a batch is refused."""
    first = schedule(plan, secretariat_user)
    if case == "empty":
        return {"reviews": []}, None
    if case == "too many":
        return {"reviews": list(range(first.pk, first.pk + 501))}, None
    if case == "duplicate":
        return {"reviews": [first.pk, first.pk]}, first.pk
    if case == "unknown":
        return {"reviews": [first.pk, 999999]}, 999999
    if case == "not waiting":
        drawn = schedule(plan, secretariat_user)
        draw_services.draw_for_review(drawn, by=secretariat_user, seed="before")
        return {"reviews": [first.pk, drawn.pk]}, drawn.pk
    if case == "pool":  # nobody of the roster is in this domain
        lonely = schedule(plan, secretariat_user, required_domains=[])
        lonely.required_domains.set([_empty_domain()])
        return {"reviews": [first.pk, lonely.pk]}, lonely.pk
    if case == "load caps":  # each pool (12) gives its panel of 7 alone; 14 seats, each expert once
        second = schedule(plan, secretariat_user, panel_size=7, rules={"load_cap_per_quarter": 1})
        Review.objects.filter(pk=first.pk).update(panel_size=7, rules={"load_cap_per_quarter": 1})
        return {"reviews": [first.pk, second.pk]}, None
    raise AssertionError(case)


def _empty_domain():
    from tests.factories import DomainFactory

    return DomainFactory(code="9.9", name="无人领域")


REFUSALS = {  # case: (the rule, the start of the message)
    "empty": ("empty", "Choose at least one review."),
    "too many": ("too_many", "At most 500 reviews in one batch."),
    "duplicate": ("duplicate", "Review {id} is named more than once."),
    "unknown": ("unknown", "Review 999999 does not exist."),
    "not waiting": ("state", "Review {id} “机器人产业三年行动计划” is not waiting for a panel (state: Inviting)."),
    "pool": ("pool", "Review {id} “机器人产业三年行动计划”: Only 0 eligible experts for a panel of 5"),
    "load caps": ("batch_short", "No full assignment exists: the load caps leave 2 seats empty."),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_a_refused_batch_is_400_naming_the_review_and_writes_nothing(api_as, secretariat_user, plan, roster, case):
    body, review_id = bad_request(case, plan, secretariat_user)
    before = written()

    response = api_as(secretariat_user).post(URL, body, format="json")

    assert response.status_code == 400
    answer = response.json()
    rule, message = REFUSALS[case]
    assert list(answer["errors"]) == ["reviews"]
    assert answer["detail"] == answer["errors"]["reviews"][0]
    assert answer["detail"].startswith(message.format(id=review_id))
    assert [(refusal["review"], refusal["rule"]) for refusal in answer["refused"]] == [(review_id, rule)]
    assert written() == before


@pytest.mark.parametrize("body", [{}, {"reviews": "1"}, {"reviews": [0]}, {"reviews": ["x"]}, {"reviews": [2**63]}])
def test_a_malformed_body_is_400_naming_reviews(api_as, secretariat_user, review, body):
    response = api_as(secretariat_user).post(URL, body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["reviews"]
    assert review.__class__.objects.get(pk=review.pk).state == Review.State.DRAFT


@pytest.mark.parametrize("role", ["commission", "department", "expert", "auditor"])
def test_only_the_secretariat_draws_a_batch(api_as, secretariat_user, review, role):
    user = make_user(role, username=f"batch-{role}")
    before = written()

    response = api_as(user).post(URL, {"reviews": [review.pk]}, format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Only the secretariat draws panels."
    assert written() == before


def test_anonymous_is_401(api, review):
    response = api.post(URL, {"reviews": [review.pk]}, format="json")

    assert response.status_code == 401
    assert Draw.objects.count() == 0


def test_the_served_schema_describes_the_batch(api):
    schema = api.get("/api/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/draws/batch/"]["post"]
    body = schema["components"]["schemas"][
        operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]
    assert body["properties"]["reviews"]["uniqueItems"] is True
    assert (body["properties"]["reviews"]["minItems"], body["properties"]["reviews"]["maxItems"]) == (1, 500)
    created = operation["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"type": "array", "items": {"$ref": "#/components/schemas/Draw"}}
