"""One-time sign-in codes for experts: sent by SMS, hashed, short-lived, single use, limited."""

import re
from datetime import timedelta

import pytest
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from core.models import SmsMessage
from experts.models import AuditRecord, SignInCode
from tests.factories import DomainFactory
from tests.reviews.conftest import add_expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def expert():
    return add_expert(901, domain=DomainFactory(code="2.1", name="智能制造装备"))


def ask(client, username, address="10.0.0.1"):
    with TestCase.captureOnCommitCallbacks(execute=True):  # the code leaves after the commit, by the task worker
        return client.post(
            reverse("signin-code"), {"username": username}, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en"
        )


def enter(client, username, code, address="10.0.0.1"):
    return client.post(
        reverse("signin-code-verify"),
        {"username": username, "code": code},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
    )


def last_code():
    return re.search(r"\b(\d{6})\b", SmsMessage.objects.latest("id").text).group(1)


def test_code_by_sms_signs_the_expert_in_once(client, expert):
    ask(client, expert.user.username)
    code = last_code()

    first = enter(client, expert.user.username, code)
    assert first.status_code == 302
    assert int(client.session["_auth_user_id"]) == expert.user.pk
    client.logout()
    again = enter(client, expert.user.username, code)

    assert again.status_code == 200
    assert "_auth_user_id" not in client.session
    assert SmsMessage.objects.get().to == expert.mobile
    assert code not in SignInCode.objects.get().digest


def test_unknown_username_gets_the_same_page_and_no_message(client, expert):
    known = ask(client, expert.user.username)
    unknown = ask(client, "nobody")
    strip = lambda response: response.content.decode().replace(expert.user.username, "").replace("nobody", "")  # noqa: E731
    assert known.status_code == unknown.status_code == 200
    volatile = re.compile(r'(value|nonce)="[^"]*"|[A-Za-z0-9]{64}')
    assert volatile.sub("", strip(known)) == volatile.sub("", strip(unknown))
    assert SmsMessage.objects.count() == 1


def test_expired_code_does_not_sign_in(client, expert, monkeypatch):
    ask(client, expert.user.username)
    code = last_code()
    later = timezone.now() + timedelta(minutes=6)
    monkeypatch.setattr("experts.signin.timezone.now", lambda: later)

    enter(client, expert.user.username, code)

    assert "_auth_user_id" not in client.session


def test_five_wrong_codes_end_the_code_and_lock(client, expert):
    ask(client, expert.user.username)
    code = last_code()
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        enter(client, expert.user.username, wrong)

    enter(client, expert.user.username, code)

    assert "_auth_user_id" not in client.session
    assert AuditRecord.objects.filter(action="signin.locked", actor_username=expert.user.username).count() == 1


def test_at_most_three_codes_per_quarter_hour(client, expert):
    for _ in range(5):
        ask(client, expert.user.username)
    assert SmsMessage.objects.count() == 3
