import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from config.asgi import application
from core.notify import notify
from tests.conftest import make_user
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def token_for(client, username):
    return client.post("/api/v1/auth/token/", {"username": username, "password": PASSWORD}, format="json").json()[
        "token"
    ]


async def handshake(headers, path="/ws/notifications/"):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_bearer_token_opens_notifications_and_receives_after_commit(api):
    user = make_user("expert", username="e1")
    raw = token_for(api, "e1")

    async def scenario():
        communicator, connected, _ = await handshake([ORIGIN, (b"authorization", f"Bearer {raw}".encode())])
        assert connected
        from channels.db import database_sync_to_async

        await database_sync_to_async(notify)(user, kind="invitation", text="请评审机器人计划", url="/portal/")
        message = await communicator.receive_json_from(timeout=3)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    assert message["type"] == "notification.created"
    assert message["text"] == "请评审机器人计划"


def test_session_cookie_opens_notifications(client):
    user = make_user("expert", username="e1")
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def scenario():
        communicator, connected, _ = await handshake([ORIGIN, (b"cookie", cookie)])
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is True


def test_anonymous_handshake_is_refused():
    async def scenario():
        communicator, connected, code = await handshake([ORIGIN])
        return connected, code

    assert async_to_sync(scenario)() == (False, 4401)


def test_foreign_origin_is_refused_even_with_a_token(api):
    make_user("expert", username="e1")
    raw = token_for(api, "e1")

    async def scenario():
        communicator, connected, _ = await handshake(
            [(b"origin", b"http://evil.example"), (b"authorization", f"Bearer {raw}".encode())]
        )
        return connected

    assert async_to_sync(scenario)() is False


def test_a_bad_token_is_refused():
    async def scenario():
        communicator, connected, code = await handshake([ORIGIN, (b"authorization", b"Bearer not-a-token")])
        return connected, code

    assert async_to_sync(scenario)() == (False, 4401)


def test_notification_rolled_back_is_never_sent(api):
    from django.db import transaction

    user = make_user("expert", username="e1")
    raw = token_for(api, "e1")

    async def scenario():
        communicator, connected, _ = await handshake([ORIGIN, (b"authorization", f"Bearer {raw}".encode())])
        from channels.db import database_sync_to_async

        def notify_then_fail():
            try:
                with transaction.atomic():
                    notify(user, kind="invitation", text="never", url="")
                    raise RuntimeError("roll back")
            except RuntimeError:
                pass

        await database_sync_to_async(notify_then_fail)()
        nothing = await communicator.receive_nothing(timeout=0.5)
        await communicator.disconnect()
        return nothing

    assert async_to_sync(scenario)() is True


def test_idle_socket_survives_past_the_blocking_wait_then_still_receives(api):
    """On Redis, redis-py 8's default 5 s socket timeout met channels-redis's 5 s blocking wait
    and dropped idle sockets with 1011; the settings keep the timeout above the wait. Twelve idle
    seconds span two such waits, where the old setting dropped the socket."""
    import asyncio

    user = make_user("expert", username="e1")
    raw = token_for(api, "e1")

    async def scenario():
        communicator, connected, _ = await handshake([ORIGIN, (b"authorization", f"Bearer {raw}".encode())])
        assert connected
        await asyncio.sleep(12)
        from channels.db import database_sync_to_async

        await database_sync_to_async(notify)(user, kind="reminder", text="still here", url="")
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message["text"]

    assert async_to_sync(scenario)() == "still here"
