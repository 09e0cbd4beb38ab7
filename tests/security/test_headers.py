"""Security headers: strict CSP with nonces on the portal and the public site, a looser one only
on the admin screens and the API docs; HSTS and secure cookies under production settings."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_user

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "PATH": os.environ.get("PATH", ""),
    "HOME": str(ROOT),
    "DJANGO_SETTINGS_MODULE": "config.settings",
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "Zq8pL2xV9mR4wT7nB1kH6jD3fG5sA0-Zq8pL2xV9mR4wT7nB1kH6jD3fG5sA0-x",
    "DJANGO_ALLOWED_HOSTS": "committee.example.cn",
}


def policy(response):
    return dict(
        (part.strip().split(" ", 1) + [""])[:2]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    )


def assert_strict(response):
    csp = policy(response)
    assert csp["script-src"].split()[0] == "'self'"  # plus this response's nonce when a script uses it
    assert "'unsafe-inline'" not in csp["script-src"]
    assert "'unsafe-inline'" not in csp["style-src"]
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.django_db
def test_portal_sends_the_strict_policy_with_a_fresh_nonce(client):
    client.force_login(make_user("expert", username="e1"))
    first, second = client.get("/portal/"), client.get("/portal/")
    assert_strict(first)
    assert "'nonce-" in policy(first)["script-src"]
    assert policy(first)["script-src"] != policy(second)["script-src"]


@pytest.mark.django_db
def test_sign_in_page_sends_the_strict_policy(client):
    assert_strict(client.get("/accounts/login/"))


@pytest.mark.django_db
def test_public_site_sends_the_strict_policy(client):
    response = client.get("/")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/docs/", "/admin/login/"])
def test_admin_and_api_docs_get_the_looser_policy_on_this_host_only(client, path):
    response = client.get(path)
    csp = policy(response)
    assert "'unsafe-inline'" in csp["script-src"]
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'self'"


def production_value(expression):
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=PRODUCTION, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_sends_hsts_and_secure_cookies():
    assert (
        production_value(
            "settings.SECURE_HSTS_SECONDS >= 31536000, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
            " settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SECURE_SSL_REDIRECT,"
            " settings.SESSION_COOKIE_HTTPONLY"
        )
        == "True True True True True True"
    )


def test_production_session_idles_out_after_thirty_minutes():
    expression = "settings.SESSION_COOKIE_AGE, settings.SESSION_SAVE_EVERY_REQUEST, settings.SESSION_REFRESH_SECONDS"
    assert production_value(expression) == "1800 False 60"


@pytest.mark.timeout(300)
def test_deploy_check_has_no_security_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=ROOT,
        env={**PRODUCTION, "DJANGO_VAR_DIR": os.environ.get("DJANGO_VAR_DIR", str(ROOT / "var"))},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    security = [line for line in (result.stdout + result.stderr).splitlines() if "(security." in line]
    assert security == []
