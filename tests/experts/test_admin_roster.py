"""The secretariat's roster screens in the Wagtail admin."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from experts.models import Expert, Organization
from tests.experts.conftest import jpeg_bytes, new_expert
from tests.queries import assert_constant_queries

ROSTER = "/admin/experts/expert/"


@pytest.fixture
def admin_client(secretariat_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(secretariat_user)
    return client


def test_roster_page_lists_experts_in_stroke_order(admin_client):
    new_expert(name="王五")  # 王 has 4 strokes
    new_expert(name="丁一")  # 丁 has 2

    response = admin_client.get(ROSTER)

    assert response.status_code == 200
    names = [expert.name for expert in response.context["object_list"]]
    assert names == ["丁一", "王五"]


def test_roster_page_search_two_characters_and_initials(admin_client):
    robot = new_expert(name="王五", specialties="工业机器人")
    zhang = new_expert(name="张三", specialties="生物医药")

    by_tag = admin_client.get(ROSTER, {"q": "机器"})
    by_initials = admin_client.get(ROSTER, {"q": "zs"})

    assert [e.pk for e in by_tag.context["object_list"]] == [robot.pk]
    assert [e.pk for e in by_initials.context["object_list"]] == [zhang.pk]


def test_roster_page_filters_term_ending_and_employer_kind(admin_client):
    university = Organization.objects.create(name="辽河大学", kind="university")
    today = timezone.localdate()
    soon = new_expert(name="王五", employer=university, term_end=today + timedelta(days=20))
    new_expert(name="张三", term_end=today + timedelta(days=20))
    new_expert(name="李四", employer=university, term_end=today + timedelta(days=400))

    response = admin_client.get(ROSTER, {"ending_within": 60, "employer_kind": "university"})

    assert [e.pk for e in response.context["object_list"]] == [soon.pk]
    assert b'data-testid="term-ending"' in response.content


def test_roster_page_ordering_by_pinyin_and_manual(admin_client):
    new_expert(name="张三", manual_order=1)
    new_expert(name="安娜", manual_order=2)

    by_pinyin = admin_client.get(ROSTER, {"ordering": "name_pinyin"})
    by_manual = admin_client.get(ROSTER, {"ordering": "manual_order"})

    assert [e.name for e in by_pinyin.context["object_list"]] == ["安娜", "张三"]
    assert [e.name for e in by_manual.context["object_list"]] == ["张三", "安娜"]


def test_roster_page_constant_queries_1_and_50(admin_client):
    def make_rows(n):
        while Expert.objects.count() < n:
            new_expert(name="张三", key=f"R-{Expert.objects.count()}", domains=("2.1", "1.5"))

    assert_constant_queries(make_rows, lambda: admin_client.get(ROSTER), large=50)


def test_roster_page_refused_to_expert(client, expert_user):
    user, _expert = expert_user
    client.force_login(user)

    response = client.get(ROSTER)

    assert response.status_code == 302  # Wagtail sends those without admin access to its login


def test_expert_create_in_admin_with_photo_and_account(admin_client, secretariat_user):
    employer = Organization.objects.create(name="辽河大学", kind="university")
    from experts.models import Domain

    domain = Domain.objects.create(code="2.1", name="机器人")

    response = admin_client.post(
        ROSTER + "new/",
        {
            "key": "",
            "name": "赵六",
            "category": "scholar",
            "initial_status": "active",
            "title_level": "senior",
            "employer": employer.pk,
            "primary_domain": domain.pk,
            "domains": [domain.pk],
            "mobile": "13800001234",
            "username": "zhaoliu",
            "manual_order": 0,
            "photo_upload": SimpleUploadedFile("p.jpg", jpeg_bytes(), "image/jpeg"),
        },
    )

    expert = Expert.objects.get(name="赵六")
    assert response.status_code == 302
    assert (expert.status, expert.user.username, bool(expert.photo), list(expert.domains.all())) == (
        "active",
        "zhaoliu",
        True,
        [domain],
    )
    assert expert.history.last().history_user == secretariat_user


def test_expert_create_in_admin_with_text_photo_shows_error_and_stores_nothing(admin_client):
    response = admin_client.post(
        ROSTER + "new/",
        {
            "name": "赵六",
            "category": "scholar",
            "title_level": "none",
            "manual_order": 0,
            "photo_upload": SimpleUploadedFile("p.jpg", b"hello", "image/jpeg"),
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["photo_upload"] == [
        "The file is not a JPEG, PNG or WebP image, or it is damaged."
    ]
    assert Expert.objects.count() == 0


def test_expert_edit_in_admin_records_reason(admin_client, secretariat_user):
    expert = new_expert(name="张三")

    response = admin_client.post(
        ROSTER + f"edit/{expert.pk}/",
        {
            "name": "张三",
            "category": "specialist",
            "title": "教授",
            "title_level": "senior",
            "employer": expert.employer_id,
            "domains": [d.pk for d in expert.domains.all()],
            "mobile": "13812345678",
            "email": "expert@example.cn",
            "manual_order": 0,
            "change_reason": "职称晋升",
        },
    )

    assert response.status_code == 302
    latest = expert.history.first()
    assert (latest.history_user, latest.history_change_reason, latest.title) == (secretariat_user, "职称晋升", "教授")


def test_expert_preferred_channel_is_edited_in_the_roster_admin(admin_client):
    expert = new_expert(name="李四")
    assert b'name="preferred_channel"' in admin_client.get(ROSTER + f"edit/{expert.pk}/").content
    data = {
        "name": "李四", "category": "specialist", "title_level": "senior", "employer": expert.employer_id,
        "domains": [d.pk for d in expert.domains.all()], "manual_order": 0, "change_reason": "本人要求短信",
    }  # fmt: skip
    assert admin_client.post(ROSTER + f"edit/{expert.pk}/", data | {"preferred_channel": "sms"}).status_code == 302
    expert.refresh_from_db()
    assert expert.preferred_channel == "sms"
    assert admin_client.post(ROSTER + f"edit/{expert.pk}/", data).status_code == 302  # not sent: kept
    expert.refresh_from_db()
    assert expert.preferred_channel == "sms"


def test_expert_inspect_shows_history_with_author_and_reason(admin_client, secretariat_user):
    from experts import services

    expert = new_expert(name="张三")
    services.change_expert_status(expert, status="suspended", by=secretariat_user, reason="长期出国")

    response = admin_client.get(ROSTER + f"inspect/{expert.pk}/")

    history = response.context["history"]
    assert (history[-1]["by"], history[-1]["reason"], history[-1]["changes"][0]["field"]) == (
        secretariat_user,
        "长期出国",
        "status",
    )
    assert "长期出国" in response.content.decode()


def test_expert_status_view_suspend_needs_reason(admin_client):
    expert = new_expert()

    refused = admin_client.post(ROSTER + f"status/{expert.pk}/", {"action": "suspend", "reason": ""})
    expert.refresh_from_db()
    status_after_refusal = expert.status
    done = admin_client.post(ROSTER + f"status/{expert.pk}/", {"action": "suspend", "reason": "病休"})
    expert.refresh_from_db()

    assert (refused.status_code, status_after_refusal) == (200, "active")
    assert (done.status_code, expert.status, expert.status_reason) == (302, "suspended", "病休")


def test_expert_status_view_renew_makes_expired_active(admin_client):
    expert = new_expert(status=Expert.Status.EXPIRED, term_end=timezone.localdate() - timedelta(days=3))
    new_end = timezone.localdate() + timedelta(days=3 * 365)

    response = admin_client.post(
        ROSTER + f"status/{expert.pk}/", {"action": "renew", "reason": "续聘", "term_end": new_end.isoformat()}
    )

    expert.refresh_from_db()
    assert (response.status_code, expert.status, expert.term_end) == (302, "active", new_end)


def test_expert_delete_is_not_offered(admin_client):
    expert = new_expert()

    response = admin_client.post(ROSTER + f"delete/{expert.pk}/")

    assert response.status_code in (302, 403)
    assert Expert.objects.filter(pk=expert.pk).exists()


def test_organizations_and_domains_screens_render(admin_client):
    Organization.objects.create(name="辽河大学", kind="university")

    statuses = [admin_client.get(url).status_code for url in ("/admin/experts/organization/", "/admin/experts/domain/")]

    assert statuses == [200, 200]


def test_roster_page_announces_terms_ending_within_60_days(admin_client):
    today = timezone.localdate()
    new_expert(name="王五", term_end=today + timedelta(days=59))
    new_expert(name="张三", term_end=today + timedelta(days=90))

    response = admin_client.get(ROSTER)

    assert response.context["ending_soon"] == 1
    assert "1 expert's term ends within 60 days." in response.content.decode()
