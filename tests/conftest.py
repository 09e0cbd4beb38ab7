"""Shared fixtures: users by role, API clients, the Wagtail tree after a flush, query counts."""

import pytest
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from experts import roles
from experts.roles import ensure_roles
from tests.factories import UserFactory
from tests.wagtail_tree import ensure_wagtail_tree

DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


@pytest.fixture(autouse=True)
def _base_rows(request):
    """Transactional tests (WebSocket, live server) flush the database, and with it the Wagtail
    root, locale and default site that migrations made; put them back for whatever runs next."""
    if request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames):
        request.getfixturevalue("_django_db_helper")
        ensure_roles()
        ensure_wagtail_tree()


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test gets its own channel layer instance. Each socket test runs in its own event loop,
    and channels_redis keeps per-channel asyncio locks in the instance: a lock still bound to an
    earlier test's loop fails the next test's receive ("bound to a different event loop")."""
    from channels.layers import channel_layers

    channel_layers.backends = {}
    yield
    channel_layers.backends = {}


@pytest.fixture(autouse=True)
def _presence_starts_afresh():
    """Each test starts this process's presence afresh (heartbeat row, then the sweep) at its first
    socket. A flush deletes the process's heartbeat row, and the session's live server (another
    process, ``tests/browser/conftest.py``) sweeps every presence row whose process it has not seen
    for ``STALE_SECONDS``: without a fresh heartbeat it would take this test's sockets for a dead
    server's, delete their rows and announce them gone in the middle of the test."""
    from consultations.opinions import presence

    presence._server["started"] = False


@pytest.fixture(autouse=True)
def _menus_read_afresh():
    """The site's navigation is cached across requests (``cms.menu``) and forgotten when a page
    changes; a test's rollback or a flush changes pages without a signal, so each test starts a
    new generation of menu keys."""
    from cms import menu

    menu.new_generation()


def second_factor_device(user):
    """The user's confirmed authenticator (made here if they have none), as if they had set one up."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from experts import second_factor

    return second_factor.totp_device(user) or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def second_factor_code(user):
    """A code ``user``'s authenticator shows now (the next step's if now's was used: the device
    accepts one step of drift), from a device made here if they have none."""
    from django_otp.oath import TOTP

    device = second_factor_device(user)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if device.last_t >= totp.t():
        totp.time += device.step
    return f"{totp.token():0{device.digits}d}"


def verify_second_factor(client, user):
    """Mark ``client``'s session as verified with ``user``'s authenticator through django-otp's own
    ``login`` (what the code page does once a code passes)."""
    import django_otp
    from django.http import HttpRequest

    request = HttpRequest()
    request.session = client.session
    request.user = user
    django_otp.login(request, second_factor_device(user))
    request.session.save()


@pytest.fixture(autouse=True, scope="session")
def _force_login_verifies_second_factor():
    """``client.force_login`` stands for a finished sign-in: for an account that needs a second
    factor (the secretariat, the auditor, superusers) that includes the code. The middleware stays
    on; tests of the second step itself sign in through the pages (tests/security/test_totp.py)."""
    from django.test.client import ClientMixin

    from experts.second_factor import requires_second_factor

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        if requires_second_factor(user):
            verify_second_factor(self, user)

    ClientMixin.force_login = force_login
    yield
    ClientMixin.force_login = original


def make_user(role=None, **fields):
    user = UserFactory(**fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def secretariat_user(db):
    return make_user(roles.SECRETARIAT, username="sec")


@pytest.fixture
def commission_user(db):
    return make_user(roles.COMMISSION, username="ndrc")


@pytest.fixture
def department_user(db):
    return make_user(roles.DEPARTMENT, username="dept")


@pytest.fixture
def api():
    client = APIClient()
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


@pytest.fixture
def api_as(api):
    def sign_in(user):
        api.force_authenticate(user)
        return api

    return sign_in
