"""Faults: Redis stopped (saves succeed, live pauses and recovers), PostgreSQL connections
killed (a clean 503, then recovery without a restart), a client that stops reading (bounded).

The Redis test starts its own redis-server on 127.0.0.1:6390 and stops only that one. The
PostgreSQL test runs when DATABASE_URL points at PostgreSQL and terminates only the test
database's own backends."""

import shutil
import socket
import subprocess
import time

import pytest
from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, channel_layers
from django.db import connection
from django.test import Client

from core import live as realtime
from core.models import Notification
from core.notify import notify
from tests.conftest import make_user

REDIS_PORT = 6390


def _wait_port(port, *, up, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            is_up = probe.connect_ex(("127.0.0.1", port)) == 0
        if is_up == up:
            return
        time.sleep(0.1)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'}")


@pytest.fixture
def own_redis():
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed: the Redis fault test needs its own server on port 6390")

    def start():
        process = subprocess.Popen(
            [binary, "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_port(REDIS_PORT, up=True)
        return process

    def stop(process):
        process.terminate()
        process.wait(timeout=10)
        _wait_port(REDIS_PORT, up=False)

    processes = []

    class Control:
        def start(self):
            processes.append(start())

        def stop(self):
            stop(processes.pop())

    control = Control()
    control.start()
    yield control
    for process in processes:
        stop(process)


@pytest.fixture
def redis_layer(settings, own_redis):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [f"redis://127.0.0.1:{REDIS_PORT}/0"], "prefix": "trust-fault", "capacity": 50},
        }
    }
    channel_layers.backends.clear()
    yield own_redis
    channel_layers.backends.clear()


def _listen():
    layer = channel_layers["default"]
    channel = async_to_sync(layer.new_channel)()
    return layer, channel


@pytest.mark.django_db
def test_redis_stopped_saves_succeed_and_live_recovers(redis_layer, django_capture_on_commit_callbacks):
    user = make_user("expert", username="e1")
    layer, channel = _listen()
    async_to_sync(layer.group_add)(realtime.user_group(user.pk), channel)
    redis_layer.stop()

    with django_capture_on_commit_callbacks(execute=True):
        saved = notify(user, kind="reminder", text="while Redis is down")

    assert Notification.objects.filter(pk=saved.pk).exists()
    redis_layer.start()  # a fresh Redis: groups are gone, the page's socket reconnects and rejoins
    channel_layers.backends.clear()
    layer, channel = _listen()
    async_to_sync(layer.group_add)(realtime.user_group(user.pk), channel)
    with django_capture_on_commit_callbacks(execute=True):
        notify(user, kind="reminder", text="after Redis is back")
    message = async_to_sync(layer.receive)(channel)
    assert (message["type"], message["text"]) == ("notification.created", "after Redis is back")


def test_a_client_that_stops_reading_holds_at_most_the_capacity():
    layer = InMemoryChannelLayer(capacity=20)

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add("review.1", channel)
        for n in range(1000):
            await layer.group_send("review.1", {"type": "review.event", "n": n})
        return layer.channels[channel].qsize()

    assert async_to_sync(scenario)() == 20


def test_configured_redis_layer_has_a_capacity(settings):
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if "channels_redis" not in backend:
        pytest.skip("REDIS_URL is not set: the in-memory layer's capacity is tested above")
    if backend.endswith("RedisPubSubChannelLayer"):
        pytest.skip("the pub/sub layer (the default) keeps no queue per channel in Redis: nothing to cap there")
    assert 0 < settings.CHANNEL_LAYERS["default"]["CONFIG"]["capacity"] <= 1000


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: set DATABASE_URL to run it")
@pytest.mark.django_db(transaction=True)
def test_postgresql_connections_killed_answer_503_then_recover():
    import psycopg

    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    make_user("expert", username="e1")
    assert client.get("/api/v1/experts/", HTTP_AUTHORIZATION="Bearer none").status_code == 401
    settings_dict = connection.settings_dict
    connection.ensure_connection()
    with psycopg.connect(
        host=settings_dict["HOST"],
        port=settings_dict.get("PORT") or 5432,
        user=settings_dict["USER"],
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [settings_dict["NAME"]],
        )

    during = client.get("/api/v1/domains/", HTTP_AUTHORIZATION="Bearer none")
    after = client.get("/api/v1/domains/", HTTP_AUTHORIZATION="Bearer none")

    assert during.status_code == 503
    assert during.json()["detail"] == "The service is briefly unavailable. Please try again."
    assert after.status_code == 401  # the database answers again: the bearer is looked up and refused
