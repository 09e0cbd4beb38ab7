import pytest
from django.utils import timezone

from experts.models import ApiToken
from tests.conftest import make_user
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def obtain(api, username, password=PASSWORD):
    return api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json")


def test_token_is_issued_for_good_credentials_and_works(api):
    make_user("expert", username="e1")
    response = obtain(api, "e1")
    assert response.status_code == 201
    assert set(response.json()) == {"token", "expires_at"}
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    assert api.get("/api/v1/auth/token/").status_code == 405  # authenticated, wrong verb
    assert api.delete("/api/v1/auth/token/").status_code == 204


def test_token_stores_only_a_digest(api):
    make_user("expert", username="e1")
    raw = obtain(api, "e1").json()["token"]
    assert not ApiToken.objects.filter(digest=raw).exists()
    assert ApiToken.objects.count() == 1


def test_wrong_password_gets_400_with_error_body(api):
    make_user("expert", username="e1")
    response = obtain(api, "e1", "wrong-password")
    assert response.status_code == 400
    assert response.json() == {"detail": "The username or password is wrong.", "errors": {}}


def test_missing_fields_list_each_field(api):
    response = api.post("/api/v1/auth/token/", {}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"username", "password"}


def test_revoked_token_is_refused(api):
    make_user("expert", username="e1")
    raw = obtain(api, "e1").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    api.delete("/api/v1/auth/token/")
    response = api.delete("/api/v1/auth/token/")
    assert response.status_code == 401
    assert response.json()["detail"] == "The token is invalid, expired or revoked."


def test_expired_token_is_refused(api):
    make_user("expert", username="e1")
    raw = obtain(api, "e1").json()["token"]
    ApiToken.objects.update(expires_at=timezone.now())
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.delete("/api/v1/auth/token/").status_code == 401


def test_error_messages_follow_accept_language(api):
    make_user("expert", username="e1")
    response = api.post(
        "/api/v1/auth/token/", {"username": "e1", "password": "x"}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.json()["detail"] == "用户名或密码错误。"


def test_schema_is_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/auth/token/" in schema["paths"]
