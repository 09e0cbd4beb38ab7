"""Personal data is not cached (issue #16): every page and API answer that holds it or depends on
who is signed in says ``Cache-Control: no-store``; the public site asked for anonymously stays
cacheable (core/middleware.py, PrivateCacheMiddleware)."""

import pytest
from django.utils.cache import get_max_age

from experts.tokens import issue_api_token
from tests.factories import PASSWORD
from tests.security import world as w


def directives(response):
    return {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_not_stored(response):
    assert "no-store" in directives(response), (response.status_code, response.get("Cache-Control"))
    assert "private" in directives(response)


@pytest.fixture
def world(db):
    return w.build_world(w.OPEN)


def test_portal_pages_of_an_expert_are_not_stored(client, world):
    client.force_login(world.users[w.PANEL])
    for path in ("/portal/", f"/portal/reviews/{world.review.pk}/", f"/api/v1/reviews/{world.review.pk}/opinion/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_not_stored(response)


def test_roster_with_contact_details_is_not_stored(client, world):
    client.force_login(world.users[w.SECRETARIAT])
    response = client.get("/api/v1/experts/")

    assert response.status_code == 200
    assert {"mobile", "email"} <= set(response.json()["results"][0])
    assert_not_stored(response)


def test_api_answers_to_a_bearer_token_are_not_stored(client, world):
    raw, _token = issue_api_token(username=world.users[w.PANEL].username, password=PASSWORD)
    response = client.get("/api/v1/experts/", HTTP_AUTHORIZATION=f"Bearer {raw}")

    assert response.status_code == 200
    assert "sessionid" not in client.cookies
    assert_not_stored(response)


@pytest.mark.parametrize("path", ["/admin/", "/admin/snippets/", "/django-admin/"])
def test_admin_screens_are_not_stored(client, world, path):
    client.force_login(world.users[w.SECRETARIAT])
    response = client.get(path)

    assert response.status_code in (200, 302)
    assert_not_stored(response)


def test_plan_document_download_is_not_stored(client, world):
    client.force_login(world.users[w.PANEL])
    response = client.get(f"/portal/plans/{world.plan.pk}/v1/document/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert_not_stored(response)


@pytest.mark.parametrize("path", ["/portal/", "/api/v1/experts/", "/accounts/login/"])
def test_signed_in_areas_are_not_stored_even_for_a_visitor(client, db, path):
    """A refusal, a redirect to the sign-in page, the sign-in form with its token."""
    assert_not_stored(client.get(path))


def test_public_page_read_by_a_signed_in_user_is_not_stored(client, world):
    """The site's pages show who is signed in (and a public page is a page they may have left
    open on a shared computer)."""
    client.force_login(world.users[w.PANEL])
    response = client.get("/")

    assert response.status_code == 200
    assert_not_stored(response)


def test_public_page_read_anonymously_stays_cacheable(client, db):
    """No ``no-store``. It sets the CSRF cookie of its language form, so it is ``private``: the
    browser may keep it, a shared cache may not hand that cookie to the next visitor."""
    for _visit in range(2):  # the first visit, and a return with the CSRF cookie
        response = client.get("/")
        assert response.status_code == 200
        assert "no-store" not in directives(response)
        assert "no-cache" not in directives(response)
        assert "private" in directives(response)
        assert get_max_age(response) is None


def test_public_resource_without_a_cookie_is_left_to_shared_caches(client, db):
    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert not response.cookies
    assert "Cache-Control" not in response
