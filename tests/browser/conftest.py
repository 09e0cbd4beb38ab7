"""User journeys in a real browser: Playwright driving Debian's chromium against a live Daphne.

The server runs in a forked process (Daphne needs its own reactor), on the same test database:
a file for SQLite, the test database for PostgreSQL. Tests that use it therefore use
``transactional_db`` (via the ``live_server_url`` fixture) so what they prepare is committed.
Prepare data before driving the page: Django's ORM refuses to run inside Playwright's event
loop, so the browser fixtures allow it only for the duration of a browser test.
"""

import os
import shutil
import time
import uuid
from functools import partial

import pytest
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


# One file per test worker (pytest-xdist): each worker runs its own live server.
GENERATION = settings.VAR_DIR / f"live-server-generation{os.environ.get('PYTEST_XDIST_WORKER', '')}"
SERVER_APPLICATION_NAME = "workbench-live-server"


class ForgetBetweenTests:
    """ASGI wrapper for the server process. Each test flushes the database and the next one
    recreates content types, the Wagtail site and roles under new ids; a process-local cache
    (ContentType's, the local-memory cache) would still hold the old ones. The test fixture
    writes a new generation to a file before each test; on the first request of a new
    generation the server forgets those caches (and keeps them within a test, where a progress
    page may rely on the cache)."""

    def __init__(self, app):
        self.app = app
        self.generation = None

    def forget_if_new_test(self):
        from django.contrib.contenttypes.models import ContentType
        from django.core.cache import caches
        from django.core.cache.backends.locmem import LocMemCache

        generation = GENERATION.read_text() if GENERATION.exists() else ""
        if generation == self.generation:
            return
        self.generation = generation
        ContentType.objects.clear_cache()
        for cache in caches.all():
            if isinstance(cache, LocMemCache):
                cache.clear()

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            self.forget_if_new_test()
        return await self.app(scope, receive, send)


def _server_application():
    return ForgetBetweenTests(make_application(static_wrapper=ASGIStaticFilesHandler))


def _server_setup(name, blocker):
    """In the (forked) server process: talk to the test database the tests prepare, which
    pytest-django blocks by default in the process it forked from."""
    settings.DATABASES["default"]["NAME"] = name
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # Tag the server's connections so the fixture below can end exactly those.
        options = settings.DATABASES["default"].setdefault("OPTIONS", {})
        options["application_name"] = SERVER_APPLICATION_NAME
    blocker.unblock()


@pytest.fixture(scope="session")
def _live_server(django_db_setup, django_db_blocker):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and ":memory:" in str(
        settings.DATABASES["default"]["NAME"]
    ):
        pytest.fail("The live server needs a file or PostgreSQL test database, not SQLite in memory.")
    server = DaphneProcess(
        "localhost",
        _server_application,
        setup=partial(_server_setup, settings.DATABASES["default"]["NAME"], django_db_blocker),
    )
    server.start()
    while not server.ready.wait(timeout=1):
        if not server.is_alive():
            error = server.errors.get() if not server.errors.empty() else ("", "no error reported")
            pytest.fail(f"The live server did not start: {error[1]}")
    yield f"http://localhost:{server.port.value}"
    server.terminate()
    server.join(timeout=10)


@pytest.fixture
def live_server_url(_live_server, transactional_db):
    GENERATION.write_text(uuid.uuid4().hex)  # the server forgets the last test's cached ids
    yield _live_server
    from django.db import connection

    if connection.vendor == "postgresql":
        _empty_the_database_under_the_server()


def _empty_the_database_under_the_server():
    """On PostgreSQL the server may still be finishing work when the test ends (a socket closed
    with the page removes a presence row, a background task writes a document). Its row locks
    can deadlock with the TRUNCATE of the flush that follows. Wait for that work to end, end
    the server's connections (tagged by application name; the test process keeps its own),
    then flush here, retrying if the server raced in again; the flush after this finds the
    tables empty."""
    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django.db import connection

    def server_busy():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s AND state <> 'idle'",
                [SERVER_APPLICATION_NAME],
            )
            return cursor.fetchone()[0] > 0

    def end_server_connections():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND application_name = %s",
                [SERVER_APPLICATION_NAME],
            )

    deadline = time.monotonic() + 5
    while server_busy() and time.monotonic() < deadline:
        time.sleep(0.1)
    for attempt in range(5):
        end_server_connections()
        try:
            call_command("flush", verbosity=0, interactive=False, reset_sequences=False, inhibit_post_migrate=True)
            return
        except CommandError:
            if attempt == 4:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def _playwright(_live_server):
    """Playwright's sync API runs an event loop in this thread while it lives; Django refuses ORM
    calls under a running loop, so allow them for exactly that long (one module), then restore."""
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    before = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            yield playwright
    finally:
        if before is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = before


@pytest.fixture(scope="module")
def browser(_playwright):
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield browser
    browser.close()


@pytest.fixture
def new_page(browser, live_server_url):
    """Make pages in fresh contexts (separate cookies): ``new_page(viewport=PHONE, language="en")``."""
    contexts = []

    def make(viewport=DESKTOP, language="zh-CN"):
        context = browser.new_context(
            base_url=live_server_url, viewport=viewport, locale=language, timezone_id="Asia/Shanghai"
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def sign_in(page, username, password):
    """Sign in through the pages; an account that needs a second factor also enters its code."""
    from django.contrib.auth import get_user_model

    from experts.second_factor import requires_second_factor
    from tests.conftest import second_factor_code, second_factor_device

    user = get_user_model().objects.get(username=username)
    needs_code = requires_second_factor(user)
    if needs_code:
        second_factor_device(user)  # the code page, not the set-up page
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit].primary")
    if needs_code:
        page.wait_for_url("**/accounts/second-factor/**")
        page.fill("#id_code", second_factor_code(user))
        page.click("button[type=submit].primary")
    page.wait_for_url("**/portal/")
