"""The second factor of the back office: setting up an authenticator, the code step, backup
codes, the lockout of wrong codes, and the API and sockets of a halfway signed-in account."""

from datetime import timedelta

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.asgi import application
from experts import audit, second_factor
from experts.models import AuditRecord
from tests.conftest import make_user, second_factor_device
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ORIGIN = (b"origin", b"http://localhost")
VERIFY = "/accounts/second-factor/"
SETUP = "/accounts/second-factor/setup/"


def sign_in(client, username, address="10.0.0.1", next_url="/admin/"):
    """The password step only, through the sign-in page."""
    return client.post(
        reverse("login"),
        {"username": username, "password": PASSWORD, "next": next_url},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def code_for(device):
    """A code the device accepts now: now's, or the next step's if now's was used already."""
    device.refresh_from_db()
    now = timezone.now()
    if device.last_t >= int((now.timestamp() - device.t0) // device.step):
        now += timedelta(seconds=device.step)
    return second_factor.current_code(device, now=now)


def enter(client, code, address="10.0.0.1", path=VERIFY, next_url="/admin/"):
    return client.post(path, {"code": code, "next": next_url}, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def actions():
    return list(AuditRecord.objects.order_by("id").values_list("action", flat=True))


def test_secretariat_without_a_device_is_sent_to_set_one_up_before_the_admin(client):
    make_user("secretariat", username="sec")
    sign_in(client, "sec")

    response = client.get("/admin/")

    assert (response.status_code, response.url) == (302, f"{SETUP}?next=%2Fadmin%2F")


def test_set_up_shows_the_secret_and_qr_then_a_code_confirms_and_backup_codes_show_once(client):
    user = make_user("secretariat", username="sec")
    sign_in(client, "sec")

    page = client.get(SETUP, HTTP_ACCEPT_LANGUAGE="en")
    device = TOTPDevice.objects.get(user=user)
    confirmed = enter(client, code_for(device), path=SETUP)
    again = client.get(SETUP)

    assert page.status_code == 200
    assert page.context["secret"] == second_factor.secret_of(device)
    assert page.context["secret"] in page.content.decode()
    assert "<svg" in page.content.decode()
    assert confirmed.status_code == 200
    codes = confirmed.context["codes"]
    assert len(codes) == 10
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(codes)
    assert TOTPDevice.objects.get(user=user).confirmed is True
    assert again.status_code == 302  # the codes are not shown a second time
    assert client.get("/admin/").status_code == 200
    assert actions() == ["signin", "otp.enrolled"]


def test_a_wrong_code_at_set_up_confirms_nothing(client):
    user = make_user("secretariat", username="sec")
    sign_in(client, "sec")
    client.get(SETUP)

    response = enter(
        client, "000000" if code_for(TOTPDevice.objects.get(user=user)) != "000000" else "111111", path=SETUP
    )

    assert response.status_code == 200
    assert response.context["failed"] is True
    assert TOTPDevice.objects.get(user=user).confirmed is False
    assert client.get("/admin/").status_code == 302
    assert actions() == ["signin", "otp.failed"]


def test_with_a_device_the_code_step_comes_before_the_admin(client):
    user = make_user("secretariat", username="sec")
    device = second_factor_device(user)
    sign_in(client, "sec")

    before = client.get("/admin/")
    entered = enter(client, code_for(device))
    after = client.get("/admin/")

    assert (before.status_code, before.url) == (302, f"{VERIFY}?next=%2Fadmin%2F")
    assert (entered.status_code, entered.url) == (302, "/admin/")
    assert after.status_code == 200
    assert actions() == ["signin", "otp.verified"]


def test_a_wrong_code_is_refused_and_audited(client):
    user = make_user("secretariat", username="sec")
    device = second_factor_device(user)
    sign_in(client, "sec")
    wrong = "000000" if code_for(device) != "000000" else "111111"

    response = enter(client, wrong)

    assert response.status_code == 200
    assert response.context["failed"] is True
    assert client.get("/admin/").status_code == 302
    record = AuditRecord.objects.get(action=audit.OTP_FAILED)
    assert (record.actor_id, record.address, record.outcome, record.details) == (
        user.pk,
        "10.0.0.1",
        "failure",
        {"where": "session"},
    )


def test_five_wrong_codes_lock_the_second_step_and_the_right_code_then_fails(client):
    user = make_user("secretariat", username="sec")
    device = second_factor_device(user)
    sign_in(client, "sec")
    wrong = "000000" if code_for(device) != "000000" else "111111"
    for _ in range(4):
        enter(client, wrong)

    fifth = enter(client, wrong)
    sign_in(client, "sec", address="10.9.9.9")  # elsewhere: the password still passes ...
    right = enter(client, code_for(device), address="10.9.9.9")  # ... but not the code

    assert fifth.templates[0].name == "registration/second_factor_locked.html"
    assert "_auth_user_id" not in client.session
    assert right.templates[0].name == "registration/second_factor_locked.html"
    lock = AuditRecord.objects.get(action=audit.SIGNIN_LOCKED)
    assert (lock.actor_username, lock.address, lock.details) == ("sec", "10.0.0.1", {"scope": "otp", "minutes": 15})
    assert actions()[-3:] == ["signin", "signin.refused", "signout"]


def test_signing_in_again_does_not_reset_the_count_of_wrong_codes(client):
    user = make_user("secretariat", username="sec")
    device = second_factor_device(user)
    wrong = "000000" if code_for(device) != "000000" else "111111"
    sign_in(client, "sec")
    for _ in range(4):
        enter(client, wrong)
    client.post(reverse("logout"))
    sign_in(client, "sec")

    response = enter(client, wrong)

    assert response.templates[0].name == "registration/second_factor_locked.html"


def test_the_lock_ends_after_fifteen_minutes(client):
    user = make_user("secretariat", username="sec")
    second_factor_device(user)
    audit.record(audit.SIGNIN_LOCKED, actor=None, outcome=audit.DENIED, username="sec", scope="otp", minutes=15)
    assert second_factor.locked(user) is True
    assert second_factor.locked(user, now=timezone.now() + timedelta(minutes=16)) is False


def test_a_backup_code_works_once(client):
    user = make_user("secretariat", username="sec")
    sign_in(client, "sec")
    client.get(SETUP)
    codes = enter(client, code_for(TOTPDevice.objects.get(user=user)), path=SETUP).context["codes"]
    client.post(reverse("logout"))

    sign_in(client, "sec")
    first = enter(client, codes[0])
    client.post(reverse("logout"))
    sign_in(client, "sec")
    second = enter(client, codes[0])

    assert (first.status_code, first.url) == (302, "/admin/")
    assert second.status_code == 200
    assert second.context["failed"] is True
    assert StaticToken.objects.filter(device__user=user).count() == 9
    used = AuditRecord.objects.filter(action=audit.OTP_VERIFIED).get()
    assert used.details == {"where": "session", "device": "backup", "backup_codes_left": 9}


def test_django_admin_is_refused_to_a_superuser_without_the_code(client):
    user = UserFactory(username="root", is_superuser=True, is_staff=True)
    second_factor_device(user)
    sign_in(client, "root", next_url="/django-admin/")

    response = client.get("/django-admin/")

    assert (response.status_code, response.url) == (302, f"{VERIFY}?next=%2Fdjango-admin%2F")


def test_portal_and_api_are_refused_to_a_halfway_signed_in_secretariat(client):
    user = make_user("secretariat", username="sec")
    second_factor_device(user)
    sign_in(client, "sec")

    portal = client.get("/portal/")
    read = client.get("/api/v1/experts/", HTTP_ACCEPT_LANGUAGE="en")
    write = client.post("/api/v1/organizations/", {"name": "新单位", "kind": "other"}, HTTP_ACCEPT_LANGUAGE="en")

    assert (portal.status_code, portal.url) == (302, f"{VERIFY}?next=%2Fportal%2F")
    assert read.status_code == 403
    assert write.status_code == 403
    assert write.json() == {
        "detail": "Enter the code of your authenticator app on the website first, or use a bearer token.",
        "errors": {},
    }


def test_an_expert_is_not_asked_for_a_second_factor(client):
    make_user("expert", username="e1")
    sign_in(client, "e1", next_url="/portal/")

    assert client.get("/portal/").status_code == 200
    assert second_factor.requires_second_factor(make_user("expert", username="e2")) is False


def test_a_token_for_the_secretariat_needs_a_current_code(api):
    cache.clear()  # the token throttle counts in the cache
    user = make_user("secretariat", username="sec")
    device = second_factor_device(user)
    url = "/api/v1/auth/token/"

    missing = api.post(url, {"username": "sec", "password": PASSWORD}, format="json")
    wrong = api.post(url, {"username": "sec", "password": PASSWORD, "otp": "12345x"}, format="json")
    right = api.post(url, {"username": "sec", "password": PASSWORD, "otp": code_for(device)}, format="json")

    assert missing.status_code == 400
    assert missing.json()["errors"] == {
        "otp": ["Enter the six-digit code of your authenticator app (or a backup code) as otp."]
    }
    assert wrong.status_code == 400
    assert wrong.json()["errors"] == {
        "otp": ["The code is wrong or already used. Wait for the next code and try again."]
    }
    assert right.status_code == 201
    token = right.json()["token"]
    created = api.post(
        "/api/v1/organizations/",
        {"name": "新单位", "kind": "other"},
        format="json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert created.status_code == 201


def test_a_token_for_the_secretariat_without_a_device_is_refused(api):
    cache.clear()
    make_user("secretariat", username="sec")

    response = api.post("/api/v1/auth/token/", {"username": "sec", "password": PASSWORD}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {
        "otp": ["This account needs a second factor: sign in on the website once to set up an authenticator app."]
    }


def test_a_token_for_an_expert_needs_no_code(api):
    cache.clear()
    make_user("expert", username="e1")

    response = api.post("/api/v1/auth/token/", {"username": "e1", "password": PASSWORD}, format="json")

    assert response.status_code == 201


@pytest.mark.django_db(transaction=True)
def test_socket_counts_a_secretariat_session_only_once_the_code_was_entered(client):
    user = make_user("secretariat", username="sec")
    device = second_factor_device(user)
    sign_in(client, "sec")

    async def connects():
        cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, cookie])
        connected, _code = await communicator.connect()
        await communicator.disconnect()
        return connected

    halfway = async_to_sync(connects)()
    enter(client, code_for(device))
    verified = async_to_sync(connects)()

    assert (halfway, verified) == (False, True)


def test_demo_secretariat_signs_in_with_the_code_demo_code_prints(client, monkeypatch):
    import io

    from django.core.management import call_command

    from experts import demo

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    demo.load_accounts(PASSWORD)
    printed = io.StringIO()
    call_command("demo_code", stdout=printed)
    sign_in(client, "secretariat")

    response = enter(client, printed.getvalue().strip())

    assert (response.status_code, response.url) == (302, "/admin/")


def test_a_halfway_signed_in_secretariat_cannot_change_the_password(client):
    user = make_user("secretariat", username="sec")
    second_factor_device(user)
    sign_in(client, "sec")

    response = client.get(reverse("password_change"))

    assert (response.status_code, response.url) == (302, f"{VERIFY}?next=%2Faccounts%2Fpassword%2F")


def test_a_bearer_token_counts_on_the_api_beside_a_halfway_signed_in_session(client):
    cache.clear()  # the token throttle counts in the cache
    user = make_user("secretariat", username="sec")
    device = second_factor_device(user)
    sign_in(client, "sec")
    issued = client.post(
        "/api/v1/auth/token/",
        {"username": "sec", "password": PASSWORD, "otp": code_for(device)},
        content_type="application/json",
    )
    bearer = f"Bearer {issued.json()['token']}"

    with_token = client.get("/api/v1/organizations/", HTTP_AUTHORIZATION=bearer)
    bad_token = client.get("/api/v1/organizations/", HTTP_AUTHORIZATION="Bearer not-a-token")
    empty_bearer = client.get("/api/v1/organizations/", HTTP_AUTHORIZATION="Bearer ")
    portal = client.get("/portal/", HTTP_AUTHORIZATION=bearer)

    assert issued.status_code == 201
    assert with_token.status_code == 200
    assert bad_token.status_code == 401
    assert empty_bearer.status_code == 403
    assert (portal.status_code, portal.url) == (302, f"{VERIFY}?next=%2Fportal%2F")


def test_the_session_gets_a_new_id_once_the_second_factor_is_entered_or_set_up(client):
    with_device = make_user("secretariat", username="sec")
    device = second_factor_device(with_device)
    make_user("secretariat", username="sec2")
    sign_in(client, "sec")
    halfway = client.cookies["sessionid"].value
    enter(client, code_for(device))
    verified = client.cookies["sessionid"].value
    other = Client()
    sign_in(other, "sec2")
    other.get(SETUP)
    halfway_setup = other.cookies["sessionid"].value
    enter(other, code_for(TOTPDevice.objects.get(user__username="sec2")), path=SETUP)
    set_up = other.cookies["sessionid"].value

    assert halfway != verified
    assert halfway_setup != set_up
    assert other.get("/admin/").status_code == 200
