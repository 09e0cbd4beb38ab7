"""Bank details on the roster: checked (refused naming the field), masked wherever shown, each
reveal audited; kept by the secretariat in the admin and by the expert on their own page."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import translation

from core.masking import mask_account
from experts import audit, selectors, services
from experts.models import AuditRecord
from tests.conftest import make_user
from tests.experts.conftest import new_expert

pytestmark = pytest.mark.django_db
ROSTER = "/admin/experts/expert/"
ACCOUNT = "6222021234567890123"
BANK = {"bank_name": "中国工商银行", "bank_branch": "沈阳浑南支行", "account_holder": "张三", "account_number": ACCOUNT}


def bank_records():
    return list(
        AuditRecord.objects.filter(action=audit.BANK_UNMASK)
        .order_by("id")
        .values_list("actor_username", "object_id", "outcome", "details")
    )


def client_of(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_mask_account_keeps_the_first_and_last_four_digits():
    assert [mask_account(v) for v in (ACCOUNT, "123456789012", "12345", "")] == [
        "6222 **** 0123", "1234 **** 9012", "*****", ""]  # fmt: skip


def test_bank_details_are_kept_with_the_account_number_normalised(secretariat_user):
    expert = new_expert(name="张三")

    services.update_expert(
        expert, by=secretariat_user, reason="银行卡", **(BANK | {"account_number": "6222 0212-3456 7890 123"})
    )

    expert.refresh_from_db()
    assert (expert.bank_name, expert.account_number) == ("中国工商银行", ACCOUNT)


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"account_number": "62220212345678901X"}, {"account_number": ["The account number is digits only."]}),
        ({"account_number": "１２３４５６７８９０１２"}, {"account_number": ["The account number is digits only."]}),
        ({"account_number": "12345678901"}, {"account_number": ["The account number has 12 to 30 digits."]}),
        ({"account_number": "1" * 31}, {"account_number": ["The account number has 12 to 30 digits."]}),
        ({"account_holder": ""}, {"account_holder": ["Name the account holder of the account number."]}),
        ({"bank_name": ""}, {"bank_name": ["Name the bank of the account number."]}),
        ({"account_number": ""}, {"account_number": ["Enter the account number, or leave the bank details empty."]}),
    ],
)
def test_bad_bank_details_are_refused_naming_the_field_and_nothing_changes(secretariat_user, fields, errors):
    expert = new_expert(name="张三")

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.update_expert(expert, by=secretariat_user, reason="银行卡", **(BANK | fields))

    assert refused.value.message_dict == errors
    expert.refresh_from_db()
    assert (expert.account_number, expert.account_holder) == ("", "")


def test_the_admin_page_masks_the_account_number_and_its_history(secretariat_user):
    expert = new_expert(name="张三")
    services.update_expert(expert, by=secretariat_user, reason="银行卡", **BANK)

    page = client_of(secretariat_user).get(ROSTER + f"inspect/{expert.pk}/").content.decode()
    history = selectors.expert_history(expert, show_contact=True)

    assert ACCOUNT not in page
    assert "6222 **** 0123" in page
    assert 'data-testid="show-bank"' in page
    change = next(c for entry in history for c in entry["changes"] if c["field"] == "account_number")
    assert (change["old"], change["new"]) == ("", "6222 **** 0123")
    assert bank_records() == []


def test_show_bank_details_is_audited(secretariat_user):
    expert = new_expert(name="张三", **BANK)

    response = client_of(secretariat_user).post(ROSTER + f"bank/{expert.pk}/")

    assert response.status_code == 200
    assert response.context["bank"] == BANK
    assert bank_records() == [("sec", str(expert.pk), "success", {"via": "admin"})]


def test_show_bank_details_without_the_permission_is_refused_and_recorded(secretariat_user):
    from django.contrib.auth.models import Group

    from experts import roles

    expert = new_expert(name="张三", **BANK)
    group = Group.objects.get(name=roles.SECRETARIAT)
    group.permissions.remove(*group.permissions.filter(codename="view_contact"))
    user = make_user(roles.SECRETARIAT, username="sec-limited")

    response = client_of(user).post(ROSTER + f"bank/{expert.pk}/")

    assert (response.status_code, response.url) == (302, "/admin/")
    assert bank_records() == [("sec-limited", str(expert.pk), "denied", {"via": "admin"})]


def _edit_data(expert, **fields):
    return {
        "name": expert.name, "category": "specialist", "title_level": "none", "employer": expert.employer_id,
        "domains": [d.pk for d in expert.domains.all()], "mobile": "", "email": "", "manual_order": 0,
        "change_reason": "银行卡", "bank_name": expert.bank_name, "bank_branch": expert.bank_branch,
        "account_holder": expert.account_holder, "account_number": "", **fields,
    }  # fmt: skip


def test_the_admin_edit_form_hides_the_account_number_and_an_empty_field_keeps_it(secretariat_user):
    expert = new_expert(name="张三", **BANK)
    client = client_of(secretariat_user)

    form = client.get(ROSTER + f"edit/{expert.pk}/").content.decode()
    saved = client.post(ROSTER + f"edit/{expert.pk}/", _edit_data(expert, eminent="on"))

    assert ACCOUNT not in form
    assert "Now: 6222 **** 0123. Leave empty to keep it." in form
    assert saved.status_code == 302
    expert.refresh_from_db()
    assert (expert.account_number, expert.eminent) == (ACCOUNT, True)


def test_the_admin_edit_form_refuses_a_bad_account_number_on_its_field(secretariat_user):
    expert = new_expert(name="张三", **BANK)

    refused = client_of(secretariat_user).post(ROSTER + f"edit/{expert.pk}/", _edit_data(expert, account_number="abc"))

    assert refused.status_code == 200
    assert refused.context["form"].errors["account_number"] == ["The account number is digits only."]
    expert.refresh_from_db()
    assert expert.account_number == ACCOUNT


def test_the_expert_keeps_their_own_bank_details_and_sees_them_in_full(expert_user):
    user, expert = expert_user
    client = client_of(user)

    saved = client.post("/portal/profile/bank/", BANK)
    page = client.get("/portal/profile/").content.decode()

    assert saved.status_code == 302
    assert ACCOUNT in page
    expert.refresh_from_db()
    assert expert.account_number == ACCOUNT
    assert bank_records() == []


def test_the_expert_s_bad_account_number_is_refused_on_its_field(expert_user):
    user, expert = expert_user

    refused = client_of(user).post("/portal/profile/bank/", BANK | {"account_number": "12-34"})

    assert refused.status_code == 400
    assert refused.context["bank_form"].errors["account_number"] == ["The account number has 12 to 30 digits."]
    expert.refresh_from_db()
    assert expert.account_number == ""
