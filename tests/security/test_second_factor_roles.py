"""The commission and department staff need the second factor as the secretariat does: on the
portal's pages, the API with a session, the sockets, the API token and the backup codes; experts
and the public are not asked for one; the demo prints what a newcomer needs to sign in."""

import io
import re
from base64 import b32decode

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.asgi import application
from experts import audit, second_factor
from experts.models import AuditRecord
from tests.conftest import make_user, second_factor_device
from tests.factories import PASSWORD
from tests.security.test_totp import SETUP, VERIFY, code_for, enter, sign_in

pytestmark = pytest.mark.django_db

ROLES = ["commission", "department"]
# A page of each role's own work on the portal, and an API list it may read once fully signed in.
PAGES = {"commission": "/portal/consultations/", "department": "/portal/my-points/"}
READS = {"commission": "/api/v1/consultations/", "department": "/api/v1/proposals/"}
HALFWAY = "Enter the code of your authenticator app on the website first, or use a bearer token."


def quoted(path):
    return path.replace("/", "%2F")


@pytest.mark.parametrize("role", ROLES)
def test_the_role_needs_a_second_factor(role):
    assert second_factor.requires_second_factor(make_user(role, username="staff")) is True


@pytest.mark.parametrize("role", ROLES)
def test_without_a_device_the_portal_sends_the_staff_to_set_one_up(client, role):
    make_user(role, username="staff")
    signed_in = sign_in(client, "staff", next_url="")  # the sign-in page's own landing: the portal

    home = client.get("/portal/")
    work = client.get(PAGES[role])

    assert (signed_in.status_code, signed_in.url) == (302, "/portal/")
    assert (home.status_code, home.url) == (302, f"{SETUP}?next=%2Fportal%2F")
    assert (work.status_code, work.url) == (302, f"{SETUP}?next={quoted(PAGES[role])}")


@pytest.mark.parametrize("role", ROLES)
def test_set_up_on_the_portal_shows_the_key_then_backup_codes_and_lets_the_staff_in(client, role):
    user = make_user(role, username="staff")
    sign_in(client, "staff", next_url="/portal/")

    page = client.get(f"{SETUP}?next=%2Fportal%2F", HTTP_ACCEPT_LANGUAGE="en")
    device = TOTPDevice.objects.get(user=user)
    confirmed = enter(client, code_for(device), path=SETUP, next_url="/portal/")
    home = client.get("/portal/")

    assert page.status_code == 200
    assert page.context["secret"] == second_factor.secret_of(device)
    assert "Your account needs a second factor" in page.content.decode()
    assert confirmed.status_code == 200
    assert confirmed.context["next"] == "/portal/"
    assert sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == sorted(
        confirmed.context["codes"]
    )
    assert home.status_code == 200
    assert list(AuditRecord.objects.order_by("id").values_list("action", flat=True)) == [
        audit.SIGNIN,
        audit.OTP_ENROLLED,
    ]


@pytest.mark.parametrize("role", ROLES)
def test_halfway_signed_in_staff_get_no_page_and_no_api_until_the_code(client, role):
    user = make_user(role, username="staff")
    device = second_factor_device(user)
    sign_in(client, "staff", next_url="/portal/")

    page = client.get(PAGES[role])
    read = client.get(READS[role], HTTP_ACCEPT_LANGUAGE="en")
    write = client.post(READS[role], {}, HTTP_ACCEPT_LANGUAGE="en")
    entered = enter(client, code_for(device), next_url=PAGES[role])
    page_after = client.get(PAGES[role])
    read_after = client.get(READS[role])

    assert (page.status_code, page.url) == (302, f"{VERIFY}?next={quoted(PAGES[role])}")
    assert (read.status_code, read.json()) == (403, {"detail": HALFWAY, "errors": {}})
    assert (write.status_code, write.json()) == (403, {"detail": HALFWAY, "errors": {}})
    assert (entered.status_code, entered.url) == (302, PAGES[role])
    assert page_after.status_code == 200
    assert read_after.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_force_login_stands_for_a_finished_sign_in_of_the_staff(client, role):
    client.force_login(make_user(role, username="staff"))

    assert client.get(PAGES[role]).status_code == 200
    assert client.get(READS[role]).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_token_for_the_staff_needs_a_current_code(api, role):
    cache.clear()  # the token throttle counts in the cache
    user = make_user(role, username="staff")
    url = "/api/v1/auth/token/"

    no_device = api.post(url, {"username": "staff", "password": PASSWORD}, format="json")
    device = second_factor_device(user)
    missing = api.post(url, {"username": "staff", "password": PASSWORD}, format="json")
    wrong = api.post(url, {"username": "staff", "password": PASSWORD, "otp": "12345x"}, format="json")
    right = api.post(url, {"username": "staff", "password": PASSWORD, "otp": code_for(device)}, format="json")

    assert (no_device.status_code, no_device.json()["errors"]) == (
        400,
        {"otp": ["This account needs a second factor: sign in on the website once to set up an authenticator app."]},
    )
    assert (missing.status_code, missing.json()["errors"]) == (
        400,
        {"otp": ["Enter the six-digit code of your authenticator app (or a backup code) as otp."]},
    )
    assert (wrong.status_code, wrong.json()["errors"]) == (
        400,
        {"otp": ["The code is wrong or already used. Wait for the next code and try again."]},
    )
    assert right.status_code == 201
    read = api.get(READS[role], HTTP_AUTHORIZATION=f"Bearer {right.json()['token']}")
    assert read.status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_backup_code_works_once_on_the_portal_and_for_a_token(client, api, role):
    cache.clear()
    user = make_user(role, username="staff")
    sign_in(client, "staff", next_url="/portal/")
    client.get(SETUP)
    codes = enter(client, code_for(TOTPDevice.objects.get(user=user)), path=SETUP).context["codes"]
    client.post(reverse("logout"))

    sign_in(client, "staff", next_url="/portal/")
    first = enter(client, codes[0].upper(), next_url="/portal/")  # typed in capitals: still the code
    client.post(reverse("logout"))
    sign_in(client, "staff", next_url="/portal/")
    again = enter(client, codes[0], next_url="/portal/")
    credentials = {"username": "staff", "password": PASSWORD}
    token = api.post("/api/v1/auth/token/", {**credentials, "otp": codes[1]}, format="json")
    token_again = api.post("/api/v1/auth/token/", {**credentials, "otp": codes[1]}, format="json")

    assert (first.status_code, first.url) == (302, "/portal/")
    assert again.status_code == 200
    assert again.context["failed"] is True
    assert client.get("/portal/").status_code == 302
    assert token.status_code == 201
    assert token_again.status_code == 400
    assert StaticToken.objects.filter(device__user=user).count() == 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_socket_counts_a_staff_session_only_once_the_code_was_entered(client, role):
    user = make_user(role, username="staff")
    device = second_factor_device(user)
    sign_in(client, "staff", next_url="/portal/")

    async def connects():
        cookie = (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())
        origin = (b"origin", b"http://localhost")
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[origin, cookie])
        connected, _code = await communicator.connect()
        await communicator.disconnect()
        return connected

    halfway = async_to_sync(connects)()
    enter(client, code_for(device), next_url="/portal/")
    verified = async_to_sync(connects)()

    assert (halfway, verified) == (False, True)


def test_experts_and_the_public_are_not_asked_for_a_second_factor(client, api):
    cache.clear()
    expert = make_user("expert", username="e1")
    sign_in(client, "e1", next_url="/portal/")

    portal = client.get("/portal/")
    public = api.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    token = api.post("/api/v1/auth/token/", {"username": "e1", "password": PASSWORD}, format="json")

    assert second_factor.requires_second_factor(expert) is False
    assert portal.status_code == 200
    assert public.status_code == 200
    assert token.status_code == 201
    assert not TOTPDevice.objects.exists()


def test_demo_signins_prints_a_key_for_each_demo_account_that_needs_a_second_factor(client, monkeypatch):
    from experts import demo

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    demo.load_accounts(PASSWORD)
    printed = io.StringIO()
    call_command("demo_signins", stdout=printed)
    keys = {
        found["name"]: found["key"].replace(" ", "")
        for found in re.finditer(
            r"^ +(?P<name>[a-z]+) +(?P<key>[A-Z2-7]{4}(?: [A-Z2-7]{1,4})+)$", printed.getvalue(), re.M
        )
    }

    assert set(keys) == {"secretariat", "commission", "department"}
    assert "manage.py demo_code <username>" in printed.getvalue()
    device = TOTPDevice.objects.get(user__username="commission", confirmed=True)
    assert b32decode(keys["commission"]) == device.bin_key
    sign_in(client, "commission", next_url="/portal/")
    entered = enter(client, f"{totp(b32decode(keys['commission'])):06d}", next_url="/portal/")
    assert (entered.status_code, entered.url) == (302, "/portal/")


@pytest.mark.parametrize("username", ["commission", "department"])
def test_demo_code_prints_the_code_of_the_demo_commission_and_department(client, monkeypatch, username):
    from experts import demo

    monkeypatch.setenv("DEMO_PASSWORD", PASSWORD)
    demo.load_accounts(PASSWORD)
    printed = io.StringIO()
    call_command("demo_code", username, stdout=printed)
    sign_in(client, username, next_url="/portal/")

    entered = enter(client, printed.getvalue().strip(), next_url="/portal/")

    assert (entered.status_code, entered.url) == (302, "/portal/")


def test_demo_commands_leave_a_real_account_with_a_demo_name_alone(monkeypatch):
    """An account named like a demo one but with its own password is not the demo's: no
    authenticator is made for it and no key or code is printed."""
    from django.core.management.base import CommandError

    monkeypatch.setenv("DEMO_PASSWORD", "Demo-not-theirs-42")
    make_user("commission", username="commission")
    printed = io.StringIO()
    call_command("demo_signins", stdout=printed)

    with pytest.raises(CommandError):
        call_command("demo_code", "commission", stdout=io.StringIO())
    assert "authenticator app" not in printed.getvalue()
    assert not TOTPDevice.objects.exists()
