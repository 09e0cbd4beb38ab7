import pytest
from django.urls import reverse

from tests.conftest import make_user, second_factor_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_public_site_home_answers_in_chinese(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    assert "沈阳市战略性新兴产业专家顾问委员会" in response.content.decode()


def test_portal_requires_sign_in(client):
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/portal/"


@pytest.mark.parametrize("role", ["secretariat", "expert", "commission", "department"])
def test_portal_home_after_sign_in_shows_tasks(client, role):
    user = make_user(role, username=f"u-{role}")
    response = client.post(reverse("login"), {"username": f"u-{role}", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    if role != "expert":  # the secretariat, commission and department also enter a code (test_totp.py)
        client.post("/accounts/second-factor/", {"code": second_factor_code(user), "next": "/portal/"})
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    assert "我的待办" in page.content.decode()


def test_sign_in_with_wrong_password_says_so_without_naming_which(client):
    make_user("expert", username="someone")
    wrong = client.post(reverse("login"), {"username": "someone", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "nope"}, HTTP_ACCEPT_LANGUAGE="en")
    assert wrong.status_code == unknown.status_code == 200
    message = "The username or password is wrong. Please try again."
    assert message in wrong.content.decode()
    assert message in unknown.content.decode()


def test_sign_in_changes_session_id(client):
    make_user("expert", username="someone")
    client.get(reverse("login"))
    client.session.save()
    before = client.session.session_key
    client.post(reverse("login"), {"username": "someone", "password": PASSWORD})
    assert client.session.session_key != before


def test_large_text_is_remembered_per_user(client):
    user = make_user("expert", username="reader")
    client.force_login(user)
    client.post(reverse("text-size"), {"large": "1", "next": "/portal/"})
    assert 'class="large-text"' in client.get("/portal/").content.decode()
    other = make_user("expert", username="other-reader")
    client.force_login(other)
    assert 'class="large-text"' not in client.get("/portal/").content.decode()


def test_text_size_refuses_foreign_redirect(client):
    client.force_login(make_user("expert", username="reader"))
    response = client.post(reverse("text-size"), {"large": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/portal/"


def test_portal_pages_carry_a_nonce_csp(client):
    client.force_login(make_user("expert", username="reader"))
    response = client.get("/portal/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "unsafe-inline" not in policy


def test_admin_gets_the_looser_policy(client):
    response = client.get("/admin/login/")
    assert "'unsafe-inline'" in response["Content-Security-Policy"]


def test_english_switch_renders_english(client):
    client.force_login(make_user("commission", username="reader"))
    client.post("/i18n/setlang/", {"language": "en", "next": "/portal/"})
    assert "My tasks" in client.get("/portal/").content.decode()
