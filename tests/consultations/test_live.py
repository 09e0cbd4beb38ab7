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

IN_MEMORY = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


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


async def until_users(communicator, wanted):
    """Presence events until one lists exactly ``wanted`` (other events pass by)."""
    while True:
        message = await communicator.receive_json_from(timeout=5)
        if message["type"] == "presence" and set(message["users"]) == set(wanted):
            return message


@pytest.mark.django_db(transaction=True)
def test_presence_says_who_is_here_and_forgets_who_left(secretariat_user):
    review = build_open_review(secretariat_user)
    expert_user = panel_of(review)[0].expert.user
    path = f"/ws/reviews/{review.pk}/"
    cookies = session_cookie(secretariat_user), session_cookie(expert_user)

    async def scenario():
        staying = WebsocketCommunicator(application, path, headers=[ORIGIN, cookies[0]])
        await staying.connect()
        await until_users(staying, [secretariat_user.pk])
        leaving = WebsocketCommunicator(application, path, headers=[ORIGIN, cookies[1]])
        await leaving.connect()
        both = await until_users(staying, [secretariat_user.pk, expert_user.pk])
        await leaving.disconnect()
        after = await until_users(staying, [secretariat_user.pk])  # within a presence window
        rows = await database_sync_to_async(lambda: sorted(Presence.objects.values_list("user_id", flat=True)))()
        await staying.disconnect()
        return both, after, rows

    both, after, rows = async_to_sync(scenario)()

    assert both["users"] == sorted([secretariat_user.pk, expert_user.pk])
    assert after["users"] == [secretariat_user.pk]
    assert rows == [secretariat_user.pk]
    assert ReviewEvent.objects.get(review=review, seq=after["seq"]).payload == {"users": [secretariat_user.pk]}


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


@pytest.mark.django_db(transaction=True)
@override_settings(CHANNEL_LAYERS=IN_MEMORY)  # its group members can be counted on either stack
def test_a_server_process_is_one_member_of_the_review_group_and_hands_each_save_to_every_socket(
    secretariat_user,
):
    """The per-process fan-out (core.fanout): two sockets of one process make one member of the
    review's group, both hear each save once and in order, the one left keeps hearing after the
    other closed, and the process leaves the group with its last socket."""
    from channels.layers import get_channel_layer

    from core import live

    review = build_open_review(secretariat_user)
    opinion = panel_of(review)[0]
    path, group = f"/ws/reviews/{review.pk}/", live.review_group(review.pk)
    expert_user = opinion.expert.user
    cookies = session_cookie(secretariat_user), session_cookie(expert_user)
    layer = get_channel_layer()

    def save(version):
        services.save_opinion(opinion, by=expert_user, data={"summary": f"第{version}稿"}, expected_version=version)
        opinion.refresh_from_db()

    async def saved_versions(communicator, count):
        messages = []
        while len(messages) < count:
            message = await communicator.receive_json_from(timeout=5)
            if message["type"] == "opinion.saved":
                messages.append(message["version"])
        return messages

    async def scenario():
        first, second = (WebsocketCommunicator(application, path, headers=[ORIGIN, c]) for c in cookies)
        assert (await first.connect())[0] and (await second.connect())[0]
        members = len(layer.groups.get(group, {}))
        await database_sync_to_async(save)(0)
        await database_sync_to_async(save)(1)
        heard = [await saved_versions(first, 2), await saved_versions(second, 2)]
        await first.disconnect()
        await database_sync_to_async(save)(2)
        heard.append(await saved_versions(second, 1))
        await second.disconnect()
        return members, heard, len(layer.groups.get(group, {}))

    members, heard, members_after = async_to_sync(scenario)()

    assert members == 1
    assert heard == [[1, 2], [1, 2], [3]]
    assert members_after == 0

    with override_settings(LIVE_FANOUT="socket"):  # the comparison: a member per socket

        async def per_socket():
            sockets = [WebsocketCommunicator(application, path, headers=[ORIGIN, c]) for c in cookies]
            for communicator in sockets:
                assert (await communicator.connect())[0]
            count = len(layer.groups.get(group, {}))
            for communicator in sockets:
                await communicator.disconnect()
            return count

        assert async_to_sync(per_socket)() == 2
