"""One visibility rule on every path: unique marker strings written by each expert must appear
only where the rule allows (pages, API, versions, events, channel messages, counts)."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from consultations.opinions import services
from reviews import services as review_services
from reviews.models import DepartmentStaff
from tests.conftest import make_user
from tests.consultations.conftest import build_open_review, panel_of

SCORES = {"necessity": 9, "feasibility": 8, "soundness": 7}


def write(opinion, marker, *, submit=False, label=""):
    services.save_opinion(
        opinion,
        by=opinion.expert.user,
        data={"conclusion": "agree", "scores": SCORES, "summary": marker, "points": [{"text": marker + "-point"}]},
        expected_version=opinion.version,
        label=label,
    )
    opinion.refresh_from_db()
    if submit:
        services.submit_opinion(opinion, by=opinion.expert.user)
        opinion.refresh_from_db()
    return opinion


def everything_seen_by(user, review, opinions):
    """The text of every page and endpoint this user can reach about the review's opinions."""
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    paths = [
        f"/portal/reviews/{review.pk}/opinion/",
        f"/portal/reviews/{review.pk}/opinion/submit/",
        f"/portal/reviews/{review.pk}/opinions/",
        f"/portal/reviews/{review.pk}/board/",
        f"/portal/reviews/{review.pk}/board/?fragment=1",
        f"/portal/reviews/{review.pk}/discussion/",
        f"/portal/reviews/{review.pk}/",
        "/portal/",
        f"/api/v1/reviews/{review.pk}/opinion/",
        f"/api/v1/reviews/{review.pk}/opinion/versions/",
        f"/api/v1/reviews/{review.pk}/opinions/",
        f"/api/v1/reviews/{review.pk}/events/",
        f"/api/v1/reviews/{review.pk}/comments/",
        f"/api/v1/reviews/{review.pk}/",
    ]
    paths += [f"/portal/opinions/{o.pk}/versions/" for o in opinions]
    paths += [f"/portal/opinions/{o.pk}/versions/?a=1&b=1" for o in opinions]
    return "\n".join(client.get(path).content.decode() for path in paths)


@pytest.mark.django_db
def test_before_submitting_an_expert_sees_no_other_experts_opinion_anywhere(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, c = panel_of(review)
    write(a, "MARK-A-draft", label="v-a")
    write(b, "MARK-B-sealed", submit=True)
    write(c, "MARK-C-draft", label="v-c")

    seen = everything_seen_by(a.expert.user, review, [a, b, c])

    assert ("MARK-A-draft" in seen, "MARK-B-sealed" in seen, "MARK-C-draft" in seen) == (True, False, False)
    client = Client()
    client.force_login(a.expert.user)
    assert client.get(f"/api/v1/reviews/{review.pk}/opinions/").json()["count"] == 1


@pytest.mark.django_db
def test_after_submitting_an_expert_sees_others_submitted_opinions_never_their_drafts(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, c = panel_of(review)
    write(a, "MARK-A-sealed", submit=True)
    write(b, "MARK-B-sealed", submit=True)
    write(c, "MARK-C-draft", label="v-c")

    seen = everything_seen_by(a.expert.user, review, [a, b, c])

    assert ("MARK-A-sealed" in seen, "MARK-B-sealed" in seen, "MARK-C-draft" in seen) == (True, True, False)


@pytest.mark.django_db
def test_blind_until_closed_hides_others_until_the_review_closes(secretariat_user):
    review = build_open_review(secretariat_user, blind="until_closed")
    a, b, c = panel_of(review)
    write(a, "MARK-A-sealed", submit=True)
    write(b, "MARK-B-sealed", submit=True)

    before = everything_seen_by(a.expert.user, review, [a, b, c])
    review_services.transition(review, "closed", by=secretariat_user)
    after = everything_seen_by(a.expert.user, review, [a, b, c])

    assert ("MARK-B-sealed" in before, "MARK-B-sealed" in after) == (False, True)


@pytest.mark.django_db
def test_secretariat_sees_sealed_not_drafts_commission_and_department_see_none_while_open(
    secretariat_user, commission_user, department_user
):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)
    write(a, "MARK-A-draft")
    write(b, "MARK-B-sealed", submit=True)
    DepartmentStaff.objects.create(user=department_user, organization=review.plan.submitted_by)

    secretariat = everything_seen_by(secretariat_user, review, [a, b])
    commission = everything_seen_by(commission_user, review, [a, b])
    department = everything_seen_by(department_user, review, [a, b])

    # a draft is its author's alone (consultations.opinions.rules.shows_content), the secretariat included
    assert ("MARK-A-draft" in secretariat, "MARK-B-sealed" in secretariat) == (False, True)
    assert ("MARK" in commission, "MARK" in department) == (False, False)


@pytest.mark.django_db(transaction=True)
def test_channel_messages_carry_no_opinion_content(secretariat_user):
    review = build_open_review(secretariat_user)
    a, b, _c = panel_of(review)
    b.expert.user.refresh_from_db()

    async def scenario():
        client = Client()
        await database_sync_to_async(client.force_login)(a.expert.user)
        cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
        communicator = WebsocketCommunicator(
            application, f"/ws/reviews/{review.pk}/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
        )
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(write)(b, "MARK-B-live", submit=True)
        messages = []
        while not messages or messages[-1]["type"] != "opinion.submitted":
            messages.append(await communicator.receive_json_from(timeout=5))
        await communicator.disconnect()
        return messages

    messages = async_to_sync(scenario)()

    assert [m["type"] for m in messages if m["type"] != "presence"] == ["opinion.saved", "opinion.submitted"]
    assert "MARK" not in repr(messages)


@pytest.mark.django_db
def test_outsider_gets_404_on_every_opinion_path(secretariat_user):
    review = build_open_review(secretariat_user)
    a, _b, _c = panel_of(review)
    outsider = make_user("expert", username="outsider")
    client = Client()
    client.force_login(outsider)

    codes = {
        client.get(path).status_code
        for path in [
            f"/portal/reviews/{review.pk}/opinion/",
            f"/portal/reviews/{review.pk}/opinions/",
            f"/portal/reviews/{review.pk}/board/",
            f"/portal/reviews/{review.pk}/discussion/",
            f"/portal/opinions/{a.pk}/versions/",
            f"/api/v1/reviews/{review.pk}/opinion/",
            f"/api/v1/reviews/{review.pk}/opinions/",
            f"/api/v1/reviews/{review.pk}/opinion/versions/",
            f"/api/v1/reviews/{review.pk}/comments/",
        ]
    }

    assert codes == {404}


@pytest.mark.django_db
def test_opinion_versions_page_of_a_consultation_answer_is_404_for_everyone(secretariat_user, department_user):
    from tests.consultations.consulting_setup import answer, build_committee, pose

    e = build_committee()["experts"]
    consultation = pose(secretariat_user, experts=[e["other"].pk])
    draft = answer(consultation, e["child"], submit=False, texts=("MARK-ANSWER-draft",))
    users = [e["child"].user, e["other"].user, e["grandchild"].user, department_user, secretariat_user]

    statuses = []
    for user in users:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        statuses.append(client.get(f"/portal/opinions/{draft.pk}/versions/").status_code)

    assert statuses == [404, 404, 404, 404, 404]
