"""Sign-in: the password policy, the lockout, enumeration, sessions, disabling an account."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from config.asgi import application
from experts import audit
from experts.models import ApiToken, AuditRecord
from experts.signin import disable_user, password_expired
from tests.conftest import make_user
from tests.factories import PASSWORD

ORIGIN = (b"origin", b"http://localhost")


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en"
    )


def signed_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Short-1a", "password_too_short"),
        ("alllowercaseletters", "password_too_simple"),
        ("lowercase2digits99", "password_too_simple"),
        ("Password123", "password_too_common"),
        ("1234567890123", "password_entirely_numeric"),
    ],
)
def test_password_policy_refuses_weak_password(password, code):
    with pytest.raises(ValidationError) as caught:
        validate_password(password)
    assert code in [error.code for error in caught.value.error_list]


@pytest.mark.parametrize("password", ["Correct-horse-42", "tiger lily 2026", "长城Great-wall-9"])
def test_password_policy_accepts_long_mixed_password(password):
    assert validate_password(password) is None


@pytest.mark.django_db
def test_five_failures_lock_and_right_password_then_fails(client):
    make_user("expert", username="e1")
    for _ in range(5):
        sign_in(client, "e1", "wrong-Password-1")

    response = sign_in(client, "e1", PASSWORD)

    assert response.status_code == 200
    assert not signed_in(client)
    locks = AuditRecord.objects.filter(action=audit.SIGNIN_LOCKED)
    assert [(lock.actor_username, lock.address, lock.outcome) for lock in locks] == [("e1", "10.0.0.1", "denied")]
    assert AuditRecord.objects.filter(action=audit.SIGNIN_REFUSED, actor_username="e1").count() == 1


@pytest.mark.django_db
def test_lock_message_is_the_wrong_password_message(client):
    make_user("expert", username="e1")
    wrong = sign_in(client, "e1", "wrong-Password-1")
    for _ in range(4):
        sign_in(client, "e1", "wrong-Password-1")
    locked = sign_in(client, "e1", PASSWORD)
    unknown = sign_in(client, "nobody", "wrong-Password-1", address="10.0.0.9")
    message = "The username or password is wrong. Please try again."
    for response in (wrong, locked, unknown):
        assert message in response.content.decode()


@pytest.mark.django_db
def test_lock_holds_only_for_the_address_it_came_from(client):
    make_user("expert", username="e1")
    for _ in range(5):
        sign_in(client, "e1", "wrong-Password-1", address="203.0.113.7")

    sign_in(client, "e1", PASSWORD, address="10.0.0.1")

    assert signed_in(client)


@pytest.mark.django_db
def test_lock_ends_after_fifteen_minutes(client, monkeypatch):
    make_user("expert", username="e1")
    for _ in range(5):
        sign_in(client, "e1", "wrong-Password-1")
    later = timezone.now() + timedelta(minutes=15, seconds=1)
    monkeypatch.setattr("experts.signin.timezone.now", lambda: later)

    sign_in(client, "e1", PASSWORD)

    assert signed_in(client)


@pytest.mark.django_db
def test_four_failures_then_right_password_signs_in_and_resets(client):
    make_user("expert", username="e1")
    for _ in range(4):
        sign_in(client, "e1", "wrong-Password-1")
    sign_in(client, "e1", PASSWORD)
    assert signed_in(client)
    client.logout()
    for _ in range(4):
        sign_in(client, "e1", "wrong-Password-1")

    sign_in(client, "e1", PASSWORD)

    assert signed_in(client)
    assert AuditRecord.objects.filter(action=audit.SIGNIN_LOCKED).count() == 0


@pytest.mark.django_db
def test_failures_across_usernames_lock_the_address(client, settings):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 6
    make_user("expert", username="e1")
    for n in range(6):
        sign_in(client, f"guess{n}", "wrong-Password-1", address="198.51.100.5")

    sign_in(client, "e1", PASSWORD, address="198.51.100.5")

    assert not signed_in(client)
    assert AuditRecord.objects.get(action=audit.SIGNIN_LOCKED).details == {"scope": "address", "minutes": 15}


@pytest.mark.django_db
def test_token_endpoint_is_locked_as_well(api):
    cache.clear()  # the token throttle (20/min) counts in the cache: start from zero
    make_user("expert", username="e1")
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": "e1", "password": "wrong-Password-1"}, format="json")

    response = api.post("/api/v1/auth/token/", {"username": "e1", "password": PASSWORD}, format="json")

    assert response.status_code in (400, 401)
    assert "token" not in response.json()


@pytest.mark.django_db
def test_sign_in_and_out_are_audited(client):
    user = make_user("expert", username="e1")
    sign_in(client, "e1", PASSWORD)
    client.post(reverse("logout"))
    actions = list(AuditRecord.objects.order_by("id").values_list("action", "actor_id", "address", "outcome"))
    assert actions == [("signin", user.pk, "10.0.0.1", "success"), ("signout", user.pk, "127.0.0.1", "success")]


def test_session_expires_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # kept by core.middleware.SessionRefreshMiddleware once a minute, not by a save on every read
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert settings.SESSION_REFRESH_SECONDS == 60


@pytest.mark.django_db
def test_idle_session_past_its_age_is_signed_out(client):
    user = make_user("expert", username="e1")
    client.force_login(user)
    Session.objects.filter(pk=client.session.session_key).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("portal-home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_password_change_interval_is_off_by_default():
    user = make_user("expert", username="e1", date_joined=timezone.now() - timedelta(days=3650))
    assert settings.PASSWORD_MAX_AGE_DAYS == 0
    assert password_expired(user) is False


@pytest.mark.django_db
def test_password_change_interval_sends_old_password_to_change(client, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = make_user("expert", username="e1", date_joined=timezone.now() - timedelta(days=91))
    client.force_login(user)

    response = client.get(reverse("portal-home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")


@pytest.mark.django_db
def test_changed_password_is_audited_and_not_expired(client, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = make_user("expert", username="e1", date_joined=timezone.now() - timedelta(days=91))
    user.set_password("New-password-2026")
    user.save()
    assert AuditRecord.objects.filter(action=audit.PASSWORD_CHANGED, object_id=str(user.pk)).count() == 1
    assert password_expired(user) is False


@pytest.mark.django_db(transaction=True)
def test_disabling_a_user_ends_sessions_tokens_and_sockets(client, api):
    user = make_user("expert", username="e1")
    admin = make_user("secretariat", username="sec")
    client.force_login(user)
    raw = api.post("/api/v1/auth/token/", {"username": "e1", "password": PASSWORD}, format="json").json()["token"]

    async def scenario():
        communicator = WebsocketCommunicator(
            application, "/ws/notifications/", headers=[ORIGIN, (b"authorization", f"Bearer {raw}".encode())]
        )
        connected, _ = await communicator.connect()
        assert connected
        await database_sync_to_async(disable_user)(user, by=admin, reason="left the committee")
        closed = await communicator.receive_output(timeout=5)
        await communicator.wait()
        return closed

    closed = async_to_sync(scenario)()

    assert closed == {"type": "websocket.close", "code": 4401}
    assert client.get(reverse("portal-home")).status_code == 302
    assert Session.objects.count() == 0
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    assert api.get("/api/v1/domains/", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    record = AuditRecord.objects.get(action=audit.ACCOUNT_DISABLED)
    assert (record.actor_id, record.object_id, record.details) == (
        admin.pk,
        str(user.pk),
        {"reason": "left the committee", "tokens_revoked": 1},
    )
