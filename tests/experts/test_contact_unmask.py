"""Contact details: masked on every path, shown in full only on an explicit, audited request by a
holder of ``experts.view_contact`` (the secretariat's group; not the commission)."""

import io

from django.contrib.auth.models import Group
from django.test import Client
from openpyxl import load_workbook

from experts import audit, roles
from experts.models import AuditRecord
from tests.conftest import make_user
from tests.experts.conftest import new_expert

ROSTER = "/admin/experts/expert/"


def unmask_records():
    return list(
        AuditRecord.objects.filter(action=audit.CONTACT_UNMASK)
        .order_by("id")
        .values_list("actor_username", "object_type", "object_id", "outcome", "details")
    )


def admin_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_secretariat_group_holds_the_permission_and_the_commission_does_not(secretariat_user, commission_user):
    held = Group.objects.get(name=roles.SECRETARIAT).permissions.filter(codename="view_contact").exists()

    assert held is True
    assert secretariat_user.has_perm("experts.view_contact") is True
    assert commission_user.has_perm("experts.view_contact") is False


def test_api_detail_is_masked_for_the_secretariat_by_default_and_records_nothing(api_as, secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    data = api_as(secretariat_user).get(f"/api/v1/experts/{expert.pk}/").json()

    assert (data["mobile"], data["email"]) == ("138****5678", "z***@example.cn")
    assert unmask_records() == []


def test_api_detail_unmask_shows_contacts_and_is_audited(api_as, secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    response = api_as(secretariat_user).get(f"/api/v1/experts/{expert.pk}/?unmask=1")

    assert response.status_code == 200
    assert (response.json()["mobile"], response.json()["email"]) == ("13812345678", "zhangsan@example.cn")
    assert unmask_records() == [("sec", "experts.expert", str(expert.pk), "success", {"via": "api"})]


def test_api_detail_unmask_is_refused_to_the_commission_and_the_refusal_audited(api_as, commission_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    response = api_as(commission_user).get(f"/api/v1/experts/{expert.pk}/?unmask=1")

    assert response.status_code == 403
    assert response.json()["detail"] == "You may not see contact details."
    assert unmask_records() == [("ndrc", "experts.expert", str(expert.pk), "denied", {"via": "api"})]


def test_api_the_expert_sees_their_own_contacts_without_asking_or_a_record(api_as, expert_user):
    user, expert = expert_user

    data = api_as(user).get(f"/api/v1/experts/{expert.pk}/").json()

    assert (data["mobile"], data["email"]) == ("13812345678", "wangjg@example.cn")
    assert unmask_records() == []


def test_api_history_masks_contact_changes_unless_asked(api_as, secretariat_user):
    from experts import services

    expert = new_expert(name="张三", mobile="13812345678")
    services.update_expert(expert, by=secretariat_user, reason="换号", mobile="13900001111")
    client = api_as(secretariat_user)

    masked = client.get(f"/api/v1/experts/{expert.pk}/history/").json()["results"][-1]["changes"]
    shown = client.get(f"/api/v1/experts/{expert.pk}/history/?unmask=1").json()["results"][-1]["changes"]

    assert [(c["field"], c["old"], c["new"]) for c in masked] == [("mobile", "138****5678", "139****1111")]
    assert [(c["field"], c["old"], c["new"]) for c in shown] == [("mobile", "13812345678", "13900001111")]
    assert [row[3] for row in unmask_records()] == ["success"]


def test_admin_expert_page_masks_contacts_and_history(secretariat_user):
    from experts import services

    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")
    services.update_expert(expert, by=secretariat_user, reason="换号", mobile="13900001111")

    page = admin_client(secretariat_user).get(ROSTER + f"inspect/{expert.pk}/").content.decode()

    assert "139****1111" in page
    assert "z***@example.cn" in page
    assert "13900001111" not in page
    assert "13812345678" not in page
    assert "zhangsan@example.cn" not in page
    assert 'data-testid="show-contact"' in page
    assert unmask_records() == []


def test_admin_show_contact_details_is_audited(secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    response = admin_client(secretariat_user).post(ROSTER + f"contact/{expert.pk}/")

    assert response.status_code == 200
    assert response.context["contact"] == {"mobile": "13812345678", "email": "zhangsan@example.cn"}
    assert unmask_records() == [("sec", "experts.expert", str(expert.pk), "success", {"via": "admin"})]


def test_admin_show_contact_details_refused_without_the_permission(secretariat_user):
    expert = new_expert(name="张三")
    Group.objects.get(name=roles.SECRETARIAT).permissions.remove(
        *Group.objects.get(name=roles.SECRETARIAT).permissions.filter(codename="view_contact")
    )
    user = make_user(roles.SECRETARIAT, username="sec-limited")

    page = admin_client(user).get(ROSTER + f"inspect/{expert.pk}/").content.decode()
    response = admin_client(user).post(ROSTER + f"contact/{expert.pk}/")

    assert 'data-testid="show-contact"' not in page
    assert (response.status_code, response.url) == (302, "/admin/")  # Wagtail's answer to PermissionDenied
    assert unmask_records() == [("sec-limited", "experts.expert", str(expert.pk), "denied", {"via": "admin"})]


def test_admin_edit_form_shows_no_contact_and_an_empty_field_keeps_it(secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")
    client = admin_client(secretariat_user)

    form = client.get(ROSTER + f"edit/{expert.pk}/").content.decode()
    saved = client.post(ROSTER + f"edit/{expert.pk}/", _edit_data(expert, change_reason="职称"))

    assert "13812345678" not in form
    assert "zhangsan@example.cn" not in form
    assert "Now: 138****5678. Leave empty to keep it." in form
    assert saved.status_code == 302
    expert.refresh_from_db()
    assert (expert.mobile, expert.email) == ("13812345678", "zhangsan@example.cn")


def test_roster_export_has_full_contacts_for_the_secretariat_and_counts_as_an_unmasking(secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    response = admin_client(secretariat_user).get(ROSTER + "export/")

    row = [cell.value for cell in load_workbook(io.BytesIO(response.content)).worksheets[0][2]]
    assert (row[10], row[11]) == ("13812345678", "zhangsan@example.cn")
    assert unmask_records() == [("sec", "", "", "success", {"via": "roster.xlsx", "count": 1, "experts": [expert.pk]})]


def _edit_data(expert, **contact):
    return {
        "name": expert.name,
        "category": "specialist",
        "title_level": "none",
        "employer": expert.employer_id,
        "domains": [d.pk for d in expert.domains.all()],
        "mobile": "",
        "email": "",
        "manual_order": 0,
        "change_reason": "本人要求删除联系方式",
        **contact,
    }


def test_admin_edit_form_removes_a_contact_when_asked(secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    saved = admin_client(secretariat_user).post(ROSTER + f"edit/{expert.pk}/", _edit_data(expert, clear_mobile="on"))

    assert saved.status_code == 302
    expert.refresh_from_db()
    assert (expert.mobile, expert.email) == ("", "zhangsan@example.cn")
    assert expert.history.latest().history_change_reason == "本人要求删除联系方式"


def test_admin_edit_form_refuses_a_new_value_and_remove_together_and_changes_nothing(secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    refused = admin_client(secretariat_user).post(
        ROSTER + f"edit/{expert.pk}/", _edit_data(expert, email="new@example.cn", clear_email="on")
    )

    assert refused.status_code == 200
    assert "Either type a new value or remove it, not both." in refused.content.decode()
    expert.refresh_from_db()
    assert (expert.mobile, expert.email) == ("13812345678", "zhangsan@example.cn")
