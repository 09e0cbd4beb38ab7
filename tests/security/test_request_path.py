"""A read writes nothing (issue #16): the pages and API reads of an expert, the secretariat and a
visitor make no INSERT, UPDATE or DELETE; the idle timeout still signs out, without the session
being saved on every request (core/middleware.py, SESSION_REFRESH_SECONDS)."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.middleware import REFRESHED_KEY, refresh
from experts.tokens import issue_api_token
from tests.conftest import make_user, verify_second_factor
from tests.factories import PASSWORD
from tests.security import world as w

WRITES = ("insert", "update", "delete", "replace")


def writes(captured):
    return [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().lower().startswith(WRITES)]


def sign_in(client, user):
    """Through the sign-in page, as a browser does (and the code page's outcome for an account
    that needs a second factor)."""
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302, response.content
    if user.groups.filter(name=w.SECRETARIAT).exists():
        verify_second_factor(client, user)


def reads(world, role):
    review = world.review.pk
    common = ["/portal/", f"/portal/reviews/{review}/", "/api/v1/reviews/", "/api/v1/experts/", "/"]
    extra = {w.PANEL: [f"/api/v1/reviews/{review}/opinion/", "/api/v1/assignments/?mine=1"]}
    return common + extra.get(role, [])


@pytest.fixture
def world(db):
    return w.build_world(w.OPEN)


@pytest.mark.parametrize("role", [w.PANEL, w.SECRETARIAT, w.ANONYMOUS])
def test_reads_write_nothing(client, world, role):
    user = world.users[role]
    if user:
        sign_in(client, user)
    for path in reads(world, role):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        expected = 200 if user or path == "/" else (302, 401)
        assert response.status_code in (expected if isinstance(expected, tuple) else (expected,)), path
        assert writes(captured) == [], f"{role} GET {path}"


def test_reads_with_a_bearer_token_write_nothing(client, world):
    raw, _token = issue_api_token(username=world.users[w.PANEL].username, password=PASSWORD)
    for path in ("/api/v1/reviews/", "/api/v1/experts/", "/api/v1/assignments/?mine=1"):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path, HTTP_AUTHORIZATION=f"Bearer {raw}")
        assert response.status_code == 200, path
        assert writes(captured) == [], path


@pytest.mark.django_db
def test_sign_in_records_the_refresh_time(client):
    """So that the reads just after a sign-in need not save the session again."""
    before = timezone.now().timestamp()
    sign_in(client, make_user("expert", username="e1"))

    session = session_store(client.cookies[settings.SESSION_COOKIE_NAME].value)
    assert session[REFRESHED_KEY] >= int(before)


@pytest.mark.parametrize(
    ("age", "refreshed"), [(0, False), (30, False), (59, False), (60, True), (600, True), (None, True)]
)
def test_an_unchanged_session_is_refreshed_once_its_last_refresh_is_a_minute_old(age, refreshed):
    session = session_store()
    session["_auth_user_id"] = "1"
    if age is not None:
        session[REFRESHED_KEY] = 1_000_000 - age
    session.modified = False

    assert refresh(session, now=1_000_000.0) is refreshed
    assert session.modified is refreshed


def test_an_empty_session_is_never_refreshed():
    session = session_store()
    assert refresh(session, now=1_000_000.0) is False
    assert not session.modified


def session_store(key=None):
    return import_module(settings.SESSION_ENGINE).SessionStore(key)


def age_session(client, *, idle):
    """Make the stored session look as if its last refresh (and the request that made it) was
    ``idle`` seconds ago: its recorded time and its expiry both moved back."""
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    session = session_store(key)
    session[REFRESHED_KEY] = int(session[REFRESHED_KEY] - idle.total_seconds())
    session.save()
    expiry = timezone.now() - idle + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    Session.objects.filter(pk=key).update(expire_date=expiry)
    return key, expiry


@pytest.mark.django_db
def test_activity_within_the_minute_keeps_the_expiry_and_writes_nothing(client):
    sign_in(client, make_user("expert", username="e1"))
    key, expiry = age_session(client, idle=timedelta(seconds=30))

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("portal-home"))

    assert response.status_code == 200
    assert writes(captured) == []
    assert Session.objects.get(pk=key).expire_date == expiry


@pytest.mark.django_db
def test_activity_before_the_idle_timeout_keeps_the_session_alive(client):
    """25 idle minutes, then a request: it is answered, and the session gets a full idle period
    again from now (one write), so 25 more idle minutes later it is still signed in."""
    sign_in(client, make_user("expert", username="e1"))
    key, old_expiry = age_session(client, idle=timedelta(minutes=25))

    with CaptureQueriesContext(connection) as captured:
        before = timezone.now()
        response = client.get(reverse("portal-home"))

    assert response.status_code == 200
    assert len(writes(captured)) == 1 and "django_session" in writes(captured)[0]
    new_expiry = Session.objects.get(pk=key).expire_date
    assert new_expiry > old_expiry
    assert new_expiry >= before + timedelta(seconds=settings.SESSION_COOKIE_AGE - 1)

    age_session(client, idle=timedelta(minutes=25))
    assert client.get(reverse("portal-home")).status_code == 200


@pytest.mark.django_db
def test_idle_past_the_timeout_is_signed_out_and_stays_out(client):
    sign_in(client, make_user("expert", username="e1"))
    age_session(client, idle=timedelta(seconds=settings.SESSION_COOKIE_AGE + 1))

    first = client.get(reverse("portal-home"))
    again = client.get(reverse("portal-home"))

    assert first.status_code == again.status_code == 302
    assert first["Location"].startswith(reverse("login"))
    assert client.get("/api/v1/reviews/").status_code == 401
