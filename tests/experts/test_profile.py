"""The expert's own profile page in the portal."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from experts.models import Organization
from tests.experts.conftest import jpeg_bytes

PROFILE = "/portal/profile/"


@pytest.fixture
def expert_client(expert_user):
    user, expert = expert_user
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client, expert


def test_profile_shows_own_record_and_full_contacts(expert_client):
    client, expert = expert_client

    response = client.get(PROFILE)

    page = response.content.decode()
    assert response.status_code == 200
    assert (expert.name in page, "13812345678" in page, "wangjg@example.cn" in page) == (True, True, True)
    assert 'href="/portal/profile/"' in page  # the nav link registered through core.portal


def test_profile_for_user_without_record_is_404(client, commission_user):
    client.force_login(commission_user)

    response = client.get(PROFILE)

    assert response.status_code == 404


def test_profile_anonymous_is_sent_to_sign_in(client, db):
    response = client.get(PROFILE)

    assert (response.status_code, response["Location"].split("?")[0]) == (302, "/accounts/login/")


def test_profile_contact_update_saves_with_history(expert_client):
    client, expert = expert_client

    response = client.post(
        PROFILE + "contact/", {"mobile": "139 0000 2222", "email": "new@example.cn", "biography": "从事机器人研究"}
    )

    expert.refresh_from_db()
    assert response.status_code == 302
    assert (expert.mobile, expert.email, expert.biography) == ("13900002222", "new@example.cn", "从事机器人研究")
    assert expert.history.first().history_change_reason == "Changed by the expert"


def test_profile_keeps_the_experts_preferred_channel_with_history(expert_client):
    client, expert = expert_client
    assert b'name="preferred_channel"' in client.get(PROFILE).content

    client.post(PROFILE + "contact/", {"mobile": "13900002222", "email": "new@example.cn", "preferred_channel": "sms"})
    expert.refresh_from_db()
    assert expert.preferred_channel == "sms"
    assert expert.history.first().preferred_channel == "sms"

    client.post(PROFILE + "contact/", {"mobile": "13900002222", "email": "new@example.cn"})  # not sent: kept
    expert.refresh_from_db()
    assert expert.preferred_channel == "sms"
    response = client.post(PROFILE + "contact/", {"mobile": "13900002222", "preferred_channel": "pigeon"})
    assert response.status_code == 400  # the form again, with the error; nothing saved
    expert.refresh_from_db()
    assert expert.preferred_channel == "sms"


def test_profile_contact_ignores_fields_outside_the_form(expert_client):
    client, expert = expert_client

    client.post(PROFILE + "contact/", {"mobile": "13900002222", "title": "院士", "status": "dismissed"})

    expert.refresh_from_db()
    assert (expert.title, expert.status) == ("", "active")


def test_profile_contact_bad_mobile_shows_error_and_saves_nothing(expert_client):
    client, expert = expert_client

    response = client.post(PROFILE + "contact/", {"mobile": "12", "email": ""}, HTTP_HX_REQUEST="true")

    expert.refresh_from_db()
    assert response.status_code == 200
    assert "11 digits" in response.content.decode()
    assert expert.mobile == "13812345678"


def test_profile_photo_upload_htmx_returns_section(expert_client):
    client, expert = expert_client

    response = client.post(
        PROFILE + "photo/", {"photo": SimpleUploadedFile("me.jpg", jpeg_bytes(), "image/jpeg")}, HTTP_HX_REQUEST="true"
    )

    expert.refresh_from_db()
    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith('<section class="card" id="photo"')
    assert bool(expert.photo) is True


def test_profile_photo_text_file_refused(expert_client):
    client, expert = expert_client

    response = client.post(PROFILE + "photo/", {"photo": SimpleUploadedFile("me.jpg", b"text", "image/jpeg")})

    expert.refresh_from_db()
    assert response.status_code == 400
    assert "not a JPEG, PNG or WebP image" in response.content.decode()
    assert bool(expert.photo) is False


def test_profile_unavailable_period_add_and_remove(expert_client):
    client, expert = expert_client
    start = timezone.localdate() + timedelta(days=10)

    client.post(
        PROFILE + "unavailable/",
        {"starts_on": start.isoformat(), "ends_on": (start + timedelta(days=5)).isoformat(), "note": "出差"},
    )
    added = [(p.starts_on, p.note) for p in expert.unavailable_periods.all()]
    period = expert.unavailable_periods.get()
    client.post(PROFILE + f"unavailable/{period.pk}/remove/")

    assert added == [(start, "出差")]
    assert expert.unavailable_periods.count() == 0


def test_profile_unavailable_period_reversed_dates_refused(expert_client):
    client, expert = expert_client
    start = timezone.localdate() + timedelta(days=10)

    response = client.post(
        PROFILE + "unavailable/",
        {"starts_on": start.isoformat(), "ends_on": (start - timedelta(days=1)).isoformat()},
        HTTP_HX_REQUEST="true",
    )

    assert "The last day cannot be before the first." in response.content.decode()
    assert expert.unavailable_periods.count() == 0


def test_profile_cannot_remove_another_experts_period(expert_client, other_expert_user):
    from experts import services

    client, _expert = expert_client
    other_user, other = other_expert_user
    start = timezone.localdate() + timedelta(days=3)
    period = services.add_unavailability(other, starts_on=start, ends_on=start, by=other_user)

    response = client.post(PROFILE + f"unavailable/{period.pk}/remove/")

    assert response.status_code == 404
    assert other.unavailable_periods.count() == 1


def test_profile_conflict_declare_and_withdraw(expert_client):
    client, expert = expert_client
    organization = Organization.objects.create(name="盛京生物医药有限公司", kind="enterprise")

    client.post(PROFILE + "conflicts/", {"organization": organization.pk, "reason": "担任顾问"})
    declared = [(c.organization, c.reason) for c in expert.conflicts.all()]
    client.post(PROFILE + f"conflicts/{expert.conflicts.get().pk}/withdraw/")

    assert declared == [(organization, "担任顾问")]
    assert expert.conflicts.count() == 0


def test_profile_page_query_count_does_not_grow_with_periods(expert_client):
    from experts import services
    from tests.queries import assert_constant_queries

    client, expert = expert_client
    start = timezone.localdate() + timedelta(days=1)

    def make_rows(n):
        while expert.unavailable_periods.count() < n:
            offset = timedelta(days=expert.unavailable_periods.count() * 3)
            services.add_unavailability(expert, starts_on=start + offset, ends_on=start + offset, by=expert.user)

    assert_constant_queries(make_rows, lambda: client.get(PROFILE))
