"""Presence on a review's channel: coalesced (at most one event per window per review, the last
one holding the true list) and swept (rows of a server process that is gone are removed at
start-up; rows of a live one are kept). ``consultations.opinions.presence``."""

import asyncio
from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import ApplicationCommunicator, WebsocketCommunicator
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from config.asgi import application
from consultations.opinions import presence
from consultations.opinions.models import Presence, PresenceServer
from experts import roles
from reviews.models import ReviewEvent
from tests.conftest import make_user
from tests.consultations.conftest import build_open_review
from tests.consultations.test_live import ORIGIN, session_cookie, until_users

REDIS_LAYER = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": []}}}
MEMORY_LAYER = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def presence_events(review, after=0):
    return list(ReviewEvent.objects.filter(review=review, type="presence", seq__gt=after).order_by("seq"))


def last_seq(review):
    event = ReviewEvent.objects.filter(review=review).order_by("-seq").first()
    return event.seq if event else 0


@pytest.mark.django_db
@override_settings(PRESENCE_WINDOW_SECONDS=3600)
def test_changes_within_a_window_wait_for_its_end_and_then_go_out_as_one_event_with_everyone(secretariat_user):
    review = build_open_review(secretariat_user)
    users = [make_user(roles.SECRETARIAT, username=f"watch{n}") for n in range(5)]
    before = last_seq(review)

    delays = []
    for number, user in enumerate(users):
        presence.arrive(user, review.pk, f"channel-{number}")
        delays.append(presence.changed(review.pk))
    during = presence_events(review, before)
    cache.delete(presence.window_key(review.pk))  # the window ends (its key expires)
    presence.flush(review.pk)
    after = presence_events(review, before)
    cache.delete(presence.window_key(review.pk))
    nothing_left = presence.flush(review.pk)

    assert [event.payload["users"] for event in during] == [[users[0].pk]]
    assert delays[0] is None and all(delay > 0 for delay in delays[1:])  # the others wait for the window
    assert [event.payload["users"] for event in after] == [[users[0].pk], sorted(u.pk for u in users)]
    assert nothing_left is None and len(presence_events(review, before)) == 2
    cache.delete(presence.window_key(review.pk))


@pytest.mark.django_db(transaction=True)
def test_a_join_storm_gives_fewer_events_than_joins_and_every_socket_ends_with_everyone(secretariat_user):
    review = build_open_review(secretariat_user)
    users = [make_user(roles.SECRETARIAT, username=f"storm{n}") for n in range(12)]
    cookies = [session_cookie(user) for user in users]
    before = last_seq(review)
    everyone = [user.pk for user in users]
    path = f"/ws/reviews/{review.pk}/"

    async def scenario():
        sockets = [WebsocketCommunicator(application, path, headers=[ORIGIN, cookie]) for cookie in cookies]
        connected = await asyncio.gather(*(socket.connect() for socket in sockets))
        heard = await asyncio.gather(*(until_users(socket, everyone) for socket in sockets))
        for socket in sockets:
            await socket.disconnect()
        return [ok for ok, _code in connected], heard

    connected, heard = async_to_sync(scenario)()

    events = presence_events(review, before)
    joined = [event for event in events if event.seq <= max(message["seq"] for message in heard)]
    assert all(connected)
    assert len(joined) < len(users)  # coalesced: twelve joins, fewer events
    assert joined[-1].payload["users"] == sorted(everyone)  # the last one after the burst holds everyone


@pytest.mark.django_db
@override_settings(CHANNEL_LAYERS=REDIS_LAYER)
def test_the_sweep_removes_the_rows_of_a_server_that_died_and_keeps_a_live_servers(secretariat_user):
    review = build_open_review(secretariat_user)
    dead_user, live_user, old_user = (make_user(roles.SECRETARIAT, username=f"s{n}") for n in range(3))
    PresenceServer.objects.create(token="dead", seen_at=timezone.now() - timedelta(minutes=10))
    PresenceServer.objects.create(token="live", seen_at=timezone.now())
    Presence.objects.create(review=review, user=dead_user, channel_name="a", server="dead")
    Presence.objects.create(review=review, user=live_user, channel_name="b", server="live")
    Presence.objects.create(review=review, user=old_user, channel_name="c")  # before servers had tokens

    swept = presence.sweep()

    assert swept == {review.pk}
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["b"]
    assert sorted(PresenceServer.objects.values_list("token", flat=True)) == ["live"]


@pytest.mark.django_db
@override_settings(CHANNEL_LAYERS=MEMORY_LAYER)
def test_one_process_with_the_in_memory_layer_clears_every_row_but_its_own(secretariat_user):
    review = build_open_review(secretariat_user)
    other, mine = make_user(roles.SECRETARIAT, username="other"), make_user(roles.SECRETARIAT, username="mine")
    PresenceServer.objects.create(token="earlier-run", seen_at=timezone.now())
    Presence.objects.create(review=review, user=other, channel_name="a", server="earlier-run")
    presence.arrive(mine, review.pk, "b")

    presence.sweep()

    assert list(Presence.objects.values_list("user_id", flat=True)) == [mine.pk]


@pytest.mark.django_db(transaction=True)
@override_settings(CHANNEL_LAYERS=MEMORY_LAYER)
def test_a_server_starting_sweeps_what_an_earlier_run_left_and_announces_who_is_left(secretariat_user):
    review = build_open_review(secretariat_user)
    gone, here = make_user(roles.SECRETARIAT, username="gone"), make_user(roles.SECRETARIAT, username="here")
    presence.arrive(here, review.pk, "mine")
    PresenceServer.objects.create(token="earlier-run", seen_at=timezone.now())
    Presence.objects.create(review=review, user=gone, channel_name="theirs", server="earlier-run")
    before = last_seq(review)

    async def scenario():
        server = ApplicationCommunicator(application, {"type": "lifespan"})
        await server.send_input({"type": "lifespan.startup"})
        started = await server.receive_output(timeout=10)
        while not await database_sync_to_async(presence_events)(review, before):
            await asyncio.sleep(0.05)  # the announcement leaves without holding up the start
        await server.send_input({"type": "lifespan.shutdown"})
        await server.receive_output(timeout=10)
        return started

    started = async_to_sync(scenario)()

    assert started == {"type": "lifespan.startup.complete"}
    assert list(Presence.objects.values_list("channel_name", flat=True)) == ["mine"]
    assert [event.payload["users"] for event in presence_events(review, before)] == [[here.pk]]
