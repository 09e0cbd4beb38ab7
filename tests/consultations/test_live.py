"""The review channel for opinions: events after commit, ids only, presence, catch-up, and saves
that still work when the channel layer is down."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client, override_settings

from config.asgi import application
from consultations.opinions import services
from consultations.opinions.models import Presence
from reviews.models import ReviewEvent
from tests.consultations.conftest import build_open_review, panel_of, sections

ORIGIN = (b"origin", b"http://localhost")
DEAD_REDIS = {
    "default": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
    }
}


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def until(communicator, wanted):
    messages = []
    while not messages or messages[-1]["type"] != wanted:
        messages.append(await communicator.receive_json_from(timeout=5))
    return messages


@pytest.mark.django_db(transaction=True)
def test_secretariat_socket_hears_an_experts_save_with_ids_only(secretariat_user):
    review = build_open_review(secretariat_user)
    opinion = panel_of(review)[0]
    cookie = session_cookie(secretariat_user)

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/reviews/{review.pk}/", headers=[ORIGIN, cookie])
        assert (await communicator.connect())[0]
        await until(communicator, "presence")
        await database_sync_to_async(services.save_opinion)(
            opinion, by=opinion.expert.user, data={"summary": "进度"}, expected_version=0
        )
        messages = await until(communicator, "opinion.saved")
        await communicator.disconnect()
        return messages[-1]

    message = async_to_sync(scenario)()

    assert {k: v for k, v in message.items() if k != "at"} == {
        "type": "opinion.saved",
        "review": review.pk,
        "seq": ReviewEvent.objects.get(review=review, type="opinion.saved").seq,
        "opinion": opinion.pk,
        "expert": opinion.expert_id,
        "version": 1,
    }


@pytest.mark.django_db(transaction=True)
def test_presence_says_who_is_here_and_forgets_who_left(secretariat_user):
    review = build_open_review(secretariat_user)
    expert_user = panel_of(review)[0].expert.user
    cookie = session_cookie(expert_user)

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/reviews/{review.pk}/", headers=[ORIGIN, cookie])
        await communicator.connect()
        joined = (await until(communicator, "presence"))[-1]
        await communicator.disconnect()
        return joined

    joined = async_to_sync(scenario)()

    assert joined["users"] == [expert_user.pk]
    assert Presence.objects.filter(review=review).count() == 0
    assert ReviewEvent.objects.filter(review=review, type="presence").order_by("-seq").first().payload == {"users": []}


@pytest.mark.django_db
def test_events_endpoint_returns_what_was_missed_after_a_seq(api_as, secretariat_user):
    review = build_open_review(secretariat_user)
    opinion = panel_of(review)[0]
    before = ReviewEvent.objects.filter(review=review).order_by("-seq").first().seq
    services.save_opinion(opinion, by=opinion.expert.user, data={"summary": "一"}, expected_version=0)
    services.add_comment(review, by=opinion.expert.user, text="讨论", section=sections(review)[0])

    body = api_as(opinion.expert.user).get(f"/api/v1/reviews/{review.pk}/events/?after={before}").json()

    assert [(e["seq"], e["type"]) for e in body["results"]] == [
        (before + 1, "opinion.saved"),
        (before + 2, "comment.created"),
    ]


@pytest.mark.django_db
def test_saving_and_submitting_work_with_the_channel_layer_down(api_as, secretariat_user):
    review = build_open_review(secretariat_user)
    opinion = panel_of(review)[0]
    client = api_as(opinion.expert.user)
    body = {"conclusion": "agree", "scores": {"necessity": 9, "feasibility": 8, "soundness": 7}, "summary": "断线"}

    with override_settings(CHANNEL_LAYERS=DEAD_REDIS):
        saved = client.put(f"/api/v1/reviews/{review.pk}/opinion/", body, format="json", HTTP_IF_MATCH='"0"')
        submitted = client.post(f"/api/v1/reviews/{review.pk}/opinion/submit/")

    assert (saved.status_code, submitted.status_code) == (200, 200)
    assert list(
        ReviewEvent.objects.filter(review=review, type__startswith="opinion.").values_list("type", flat=True)
    ) == [
        "opinion.saved",
        "opinion.submitted",
    ]
