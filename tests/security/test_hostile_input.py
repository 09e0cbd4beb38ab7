"""Hostile input ends in a clear 4xx or in harmless stored text, never a 500 or a change."""

import io
import json
import logging
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import given
from hypothesis import strategies as st

from core.html import sanitize_html
from reviews.models import PlanVersion
from tests.reviews.conftest import docx_bytes

pytestmark = pytest.mark.django_db

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    '"><script>alert(1)</script>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=//evil.example></iframe>",
    "{{7*7}}{% debug %}",
    "<style>*{display:none}</style>",
]
DANGEROUS = ["<script", "onerror=", "onload=", "<iframe", "<svg", 'href="javascript', "<style"]


@pytest.fixture
def plan(secretariat_user):
    from reviews import services
    from tests.factories import OrganizationFactory

    return services.create_plan(
        by=secretariat_user, title="计划", kind="action_plan", submitted_by=OrganizationFactory(name="某委")
    )


def upload(api, plan, name, data):
    return api.post(
        f"/api/v1/plans/{plan.pk}/versions/", {"document": SimpleUploadedFile(name, data)}, format="multipart"
    )


def zip_bomb():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\0" * (300 * 1024 * 1024))
    return buffer.getvalue()


# ---------------------------------------------------------------- sizes and counts


def test_thousand_and_one_form_fields_get_400(client):
    body = "&".join(f"f{n}=x" for n in range(1001))
    response = client.post("/accounts/login/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_thousand_and_one_fields_to_the_api_get_400(api_as, secretariat_user):
    # A multipart body (the API reads forms only where it takes an upload; a form body elsewhere is 415).
    body = {f"f{n}": "x" for n in range(1001)}
    response = api_as(secretariat_user).post("/api/v1/experts/", body, format="multipart")
    assert response.status_code == 400
    assert set(response.json()) >= {"detail", "errors"}


def test_hundred_and_one_files_get_400(api_as, secretariat_user, plan):
    files = {f"document{n}": SimpleUploadedFile(f"f{n}.pdf", b"%PDF-1.4") for n in range(101)}
    response = api_as(secretariat_user).post(f"/api/v1/plans/{plan.pk}/versions/", files, format="multipart")
    assert response.status_code == 400
    assert PlanVersion.objects.count() == 0


def test_oversized_json_body_is_refused(api_as, secretariat_user):
    body = json.dumps({"name": "x" * (11 * 1024 * 1024), "kind": "other"})
    response = api_as(secretariat_user).generic("POST", "/api/v1/organizations/", body, content_type="application/json")
    assert response.status_code in (400, 413)


# ---------------------------------------------------------------- files


def test_zip_bomb_named_docx_is_refused_and_nothing_stored(api_as, secretariat_user, plan):
    response = upload(api_as(secretariat_user), plan, "plan.docx", zip_bomb())
    assert response.status_code == 400
    assert PlanVersion.objects.count() == 0


def test_polyglot_pdf_with_html_is_stored_inert_and_served_as_attachment(client, api_as, secretariat_user, plan):
    polyglot = b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF"
    assert upload(api_as(secretariat_user), plan, "plan.pdf", polyglot).status_code == 201
    client.force_login(secretariat_user)

    response = client.get(f"/portal/plans/{plan.pk}/v1/document/")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_path_traversal_name_keeps_only_a_harmless_base_name(api_as, secretariat_user, plan):
    response = upload(api_as(secretariat_user), plan, "..\\..\\..\\etc\\passwd.docx", docx_bytes())
    assert response.status_code == 201
    version = PlanVersion.objects.get()
    assert version.original_name == "passwd.docx"
    assert version.document.name == f"plans/plan-{plan.pk}-v1.docx" or ".." not in version.document.name


def test_docx_with_a_member_leaving_the_archive_is_refused(api_as, secretariat_user, plan):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("../../evil.sh", "rm -rf /")
    assert upload(api_as(secretariat_user), plan, "plan.docx", buffer.getvalue()).status_code == 400


# ---------------------------------------------------------------- text


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_an_organisation_name_is_stored_as_text_and_escaped(client, api_as, secretariat_user, payload):
    response = api_as(secretariat_user).post(
        "/api/v1/organizations/", {"name": payload, "kind": "other"}, format="json"
    )
    assert response.status_code in (201, 400)
    if response.status_code == 201:
        assert response.json()["name"] == payload  # stored as the text it is, returned as JSON
        client.force_login(secretariat_user)
        page = client.get("/admin/experts/organization/").content.decode()
        assert not any(marker in page for marker in ("<script>alert(1)", 'onerror="alert', "<svg/onload"))


@pytest.mark.parametrize("payload", XSS)
def test_xss_in_a_plan_title_is_escaped_on_the_portal(client, api_as, secretariat_user, payload):
    from tests.factories import OrganizationFactory

    organization = OrganizationFactory(name="提交单位")
    response = api_as(secretariat_user).post(
        "/api/v1/plans/", {"title": payload, "kind": "action_plan", "submitted_by": organization.pk}, format="json"
    )
    assert response.status_code in (201, 400)
    client.force_login(secretariat_user)
    page = client.get("/portal/plans/").content.decode()
    assert not any(marker in page for marker in ("<script>alert(1)", 'onerror="alert', "<svg/onload", "<iframe src"))


def test_log_injection_characters_do_not_forge_log_lines(api_as, secretariat_user, caplog):
    caplog.set_level(logging.DEBUG)
    forged = "某委\r\n2026-01-01 00:00:00 CRITICAL forged entry"
    response = api_as(secretariat_user).post("/api/v1/organizations/", {"name": forged, "kind": "other"}, format="json")
    assert response.status_code in (201, 400)
    assert not any(line.startswith("2026-01-01 00:00:00 CRITICAL") for line in caplog.text.splitlines())


# ---------------------------------------------------------------- the sanitiser


@pytest.mark.parametrize("payload", XSS)
def test_sanitize_html_removes_every_active_part(payload):
    clean = sanitize_html(payload)
    assert not any(marker in clean.lower() for marker in DANGEROUS)


def test_sanitize_html_keeps_ordinary_formatting():
    html = '<p>一、<strong>总体</strong>要求 <a href="https://example.cn/x">链接</a></p>'
    assert sanitize_html(html) == (
        '<p>一、<strong>总体</strong>要求 <a href="https://example.cn/x" rel="noopener noreferrer">链接</a></p>'
    )


@given(st.lists(st.sampled_from(list("<>/=\"' abcpsiptrhfe:&;#x1") + XSS), max_size=40).map("".join))
def test_sanitizing_twice_changes_nothing(text):
    once = sanitize_html(text)
    assert sanitize_html(once) == once


def test_plan_reader_uses_the_one_sanitiser():
    from reviews.documents import sanitize

    assert sanitize('<p onclick="x()">a<script>b</script></p>') == "<p>a</p>"
