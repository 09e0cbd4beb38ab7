"""Notices through the real SMS gateways (``core.sms_providers`` on the providers' SDKs), each
talking to a local HTTP server that speaks its provider's protocol (``tests.experts.sms_fakes``):
templates with parameters, retries with back-off in the task worker, failure with the provider's
reason, the invitation's fallback to mail and its phone-call flag, receipts by status query and
by the provider's push (its secret checked), and each expert's preferred channel."""

import json

import pytest
from django.core import mail
from django.test import TestCase

from core.models import SmsMessage
from experts.notices import outbox, services, tasks
from experts.notices.models import Notice
from experts.signin import send_signin_code
from tests.experts.sms_fakes import (
    STALL,
    FakeAliyun,
    FakeTencent,
    aliyun_details,
    error_tencent,
    ok_aliyun,
    ok_tencent,
    refuse_aliyun,
    refuse_tencent,
    tencent_statuses,
)
from tests.factories import DomainFactory
from tests.reviews.conftest import add_expert

pytestmark = pytest.mark.django_db

TEMPLATES = {
    "invitation": "SMS_100001", "reminder": "SMS_100002", "signin_code": "SMS_100003", "meeting": "SMS_100004",
    "answer": "SMS_100005", "consultation": "SMS_100006", "appointment": "SMS_100007",
}  # fmt: skip
INVITATION = {"plan": "机器人产业三年行动计划", "reply_by": "2026-12-10"}
SECRET = "callback-secret-7f3a"


def provider_settings(settings, name, fake):
    settings.SMS_SENDER = name
    settings.SMS_ENDPOINT = fake.url
    settings.SMS_ACCESS_KEY_ID = "LTAI-test" if name == "aliyun" else "AKID-test"
    settings.SMS_ACCESS_KEY_SECRET = "not-a-real-secret"
    settings.SMS_SIGN_NAME = "沈阳专家委"
    settings.SMS_SDK_APP_ID = "1400000001"
    settings.SMS_TEMPLATES = TEMPLATES
    settings.SMS_TIMEOUT = "0.3"  # the stalled answer comes after this: a time-out
    settings.SMS_CALLBACK_SECRET = SECRET


@pytest.fixture
def aliyun(settings):
    with FakeAliyun() as fake:
        provider_settings(settings, "aliyun", fake)
        yield fake


@pytest.fixture
def tencent(settings):
    with FakeTencent() as fake:
        provider_settings(settings, "tencent", fake)
        yield fake


@pytest.fixture
def expert(db):
    return add_expert(501, domain=DomainFactory(code="2.1", name="智能制造装备"), preferred_channel="sms")


def text(expert, kind="invitation", params=INVITATION):
    """Queue a text message and let the commit hand it to the task worker (immediate here)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        notice = outbox.queue_sms(expert, kind=kind, params=params)
    notice.refresh_from_db()
    return notice


def test_aliyun_sends_the_kinds_template_with_its_parameters_and_keeps_the_biz_id(aliyun, expert):
    aliyun.answer("SendSms", ok_aliyun("900619746936498440^0"))
    notice = text(expert)
    (request,) = aliyun.requests
    assert request["action"] == "SendSms"
    assert {k: request["params"][k] for k in ("PhoneNumbers", "SignName", "TemplateCode")} == {
        "PhoneNumbers": "13800000501", "SignName": "沈阳专家委", "TemplateCode": "SMS_100001",
    }  # fmt: skip
    assert json.loads(request["params"]["TemplateParam"]) == INVITATION
    assert "LTAI-test" in request["headers"]["Authorization"]  # signed with the access key
    assert (notice.status, notice.provider, notice.provider_message_id) == ("sent", "aliyun", "900619746936498440^0")
    assert notice.attempts == 1 and notice.sent_at is not None


def test_tencent_sends_the_template_variables_in_order_to_an_e164_number(tencent, expert):
    tencent.answer("SendSms", ok_tencent("2433:1070560151"))
    notice = text(expert, kind="meeting", params={"plan": "规划", "when": "2026-12-20 09:00", "place": "市政府302"})
    (request,) = tencent.requests
    assert request["action"] == "SendSms"
    assert request["params"] == {
        "PhoneNumberSet": ["+8613800000501"], "SmsSdkAppId": "1400000001", "SignName": "沈阳专家委",
        "TemplateId": "SMS_100004", "TemplateParamSet": ["规划", "2026-12-20 09:00", "市政府302"],
    }  # fmt: skip
    assert request["headers"]["Authorization"].startswith("TC3-HMAC-SHA256 Credential=AKID-test/")
    assert (notice.status, notice.provider_message_id) == ("sent", "2433:1070560151")


def test_a_refusal_fails_at_once_with_the_providers_reason_and_blocks_nothing_else(aliyun, expert):
    other = add_expert(502, domain=expert.domains.first(), preferred_channel="sms")
    aliyun.answer("SendSms", refuse_aliyun("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"), ok_aliyun("77^0"))
    refused = text(expert, kind="reminder", params={"plan": "规划", "date": "2026-12-10"})
    sent = text(other, kind="reminder", params={"plan": "规划", "date": "2026-12-10"})
    assert (refused.status, refused.attempts, refused.provider_reason) == (
        "failed", 1, "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号",
    )  # fmt: skip
    assert refused.needs_phone_call is False  # a reminder: no fallback
    assert (sent.status, sent.provider_message_id) == ("sent", "77^0")
    assert aliyun.actions() == ["SendSms", "SendSms"]


def test_tencent_refusal_of_an_unapproved_template_names_the_code(tencent, expert):
    tencent.answer("SendSms", refuse_tencent("FailedOperation.TemplateIncorrectOrUnapproved", "template not approved"))
    notice = text(expert, kind="answer", params={"title": "规划"})
    assert (notice.status, notice.attempts) == ("failed", 1)
    assert notice.provider_reason == "FailedOperation.TemplateIncorrectOrUnapproved: template not approved"


def test_a_time_out_is_retried_and_the_second_attempt_is_sent(tencent, expert):
    tencent.answer("SendSms", STALL, ok_tencent("2433:2"))
    notice = text(expert)
    assert tencent.actions() == ["SendSms", "SendSms"]
    assert (notice.status, notice.attempts, notice.provider_message_id) == ("sent", 2, "2433:2")
    assert notice.provider_reason == ""


def test_retries_exhausted_fail_the_invitation_with_the_reason_then_mail_it_and_flag_a_call(aliyun, expert):
    aliyun.answer("SendSms", refuse_aliyun("isp.SYSTEM_ERROR", "系统错误"))
    notice = text(expert)
    assert aliyun.actions() == ["SendSms"] * services.max_attempts()
    assert (notice.status, notice.attempts, notice.provider_reason) == ("failed", 4, "isp.SYSTEM_ERROR: 系统错误")
    assert notice.needs_phone_call is True
    email = Notice.objects.get(fallback_of=notice)
    assert (email.channel, email.kind, email.status, email.to) == ("email", "invitation", "sent", expert.email)
    (message,) = mail.outbox
    assert message.to == [expert.email]
    assert "机器人产业三年行动计划" in message.body and "2026-12-10" in message.body


def test_tencent_auth_failure_is_not_retried(tencent, expert):
    tencent.answer("SendSms", error_tencent("AuthFailure.SecretIdNotFound", "The SecretId is not found."))
    notice = text(expert)
    assert tencent.actions() == ["SendSms"]
    assert notice.provider_reason == "AuthFailure.SecretIdNotFound: The SecretId is not found."


def test_the_back_off_doubles_from_the_base():
    assert [services.retry_delay(n) for n in (1, 2, 3)] == [60, 120, 240]


# ---------------------------------------------------------------- receipts


def poll():
    with TestCase.captureOnCommitCallbacks(execute=True):
        return tasks.poll_receipts.enqueue().return_value


def test_aliyun_status_query_marks_delivered(aliyun, expert):
    aliyun.answer("SendSms", ok_aliyun("555^0"))
    notice = text(expert, kind="reminder", params={"plan": "规划", "date": "2026-12-10"})
    aliyun.answer("QuerySendDetails", aliyun_details(("13800000501", 3, "DELIVERED")))
    assert poll() == 1
    query = aliyun.requests[-1]
    assert (query["action"], query["params"]["BizId"], query["params"]["PhoneNumber"]) == (
        "QuerySendDetails", "555^0", "13800000501",
    )  # fmt: skip
    notice.refresh_from_db()
    assert notice.status == "delivered" and notice.settled_at is not None


def test_tencent_status_pull_reports_an_undelivered_invitation_which_falls_back_to_mail(tencent, expert):
    tencent.answer("SendSms", ok_tencent("2433:9"))
    notice = text(expert)
    tencent.answer("PullSmsSendStatus", tencent_statuses(("2433:9", "FAIL", "用户关机"), ("other:1", "SUCCESS", "")))
    assert poll() == 1
    notice.refresh_from_db()
    assert (notice.status, notice.provider_reason, notice.needs_phone_call) == ("failed", "用户关机", True)
    assert [m.to for m in mail.outbox] == [[expert.email]]


def push(client, provider, body, token=SECRET):
    path = f"/sms/receipts/{provider}/" + (f"?token={token}" if token is not None else "")
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(path, json.dumps(body), content_type="application/json")


def test_aliyun_push_with_the_secret_records_the_receipt_and_answers_as_aliyun_expects(client, aliyun, expert):
    aliyun.answer("SendSms", ok_aliyun("888^0"))
    notice = text(expert)
    report = {"phone_number": "13800000501", "send_time": "2026-12-07 10:00:00", "report_time": "2026-12-07 10:00:05",
              "success": True, "err_code": "DELIVERED", "err_msg": "用户接收成功", "sms_size": "1", "biz_id": "888^0",
              "out_id": ""}  # fmt: skip
    response = push(client, "aliyun", [report])
    assert (response.status_code, response.json()) == (200, {"code": 0, "msg": "成功"})
    notice.refresh_from_db()
    assert notice.status == "delivered"


def test_tencent_push_of_a_failure_records_the_reason(client, tencent, expert):
    tencent.answer("SendSms", ok_tencent("2433:5"))
    notice = text(expert, kind="reminder", params={"plan": "规划", "date": "2026-12-10"})
    report = {"user_receive_time": "2026-12-07 10:00:05", "nationcode": "86", "mobile": "13800000501",
              "report_status": "FAIL", "errmsg": "MK:0001", "description": "空号", "sid": "2433:5"}  # fmt: skip
    response = push(client, "tencent", [report])
    assert (response.status_code, response.json()) == (200, {"result": 0, "errmsg": "OK"})
    notice.refresh_from_db()
    assert (notice.status, notice.provider_reason) == ("failed", "MK:0001 空号")


@pytest.mark.parametrize("token", [None, "", "wrong-secret"])
def test_a_push_without_the_secret_or_with_another_is_refused_and_changes_nothing(client, tencent, expert, token):
    tencent.answer("SendSms", ok_tencent("2433:6"))
    notice = text(expert)
    report = {"report_status": "SUCCESS", "errmsg": "DELIVRD", "description": "", "sid": "2433:6"}
    response = push(client, "tencent", [report], token=token)
    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.status == "sent"


def test_a_push_for_a_provider_not_in_use_is_404_and_a_bad_body_400(client, tencent):
    assert push(client, "aliyun", []).status_code == 404
    assert push(client, "tencent", {"sid": "x"}).status_code == 400
    assert push(client, "tencent", [{"no": "sid"}]).status_code == 400


def test_with_no_secret_configured_every_push_is_refused(client, tencent, settings):
    settings.SMS_CALLBACK_SECRET = ""
    assert push(client, "tencent", [], token="").status_code == 403


# ---------------------------------------------------------------- the console and the preferred channel


def test_the_console_prints_the_rendered_template_and_keeps_the_row(expert, capsys):
    notice = text(expert)
    assert f"[SMS to {expert.mobile}]" in capsys.readouterr().out
    (row,) = SmsMessage.objects.all()
    assert "机器人产业三年行动计划" in row.text and "2026-12-10" in row.text
    assert (notice.status, notice.provider, notice.provider_message_id) == ("sent", "console", f"console-{row.pk}")


def test_an_expert_who_prefers_email_gets_no_text_message_and_the_sign_in_code_by_mail(expert):
    expert.preferred_channel = "email"
    expert.save()
    assert outbox.queue_sms(expert, kind="invitation", params=INVITATION) is None
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert send_signin_code(expert.user.username) is True
    assert SmsMessage.objects.count() == 0
    (message,) = mail.outbox
    assert message.to == [expert.email]
    assert Notice.objects.get().channel == "email"


def test_a_preferred_channel_without_an_address_falls_back_to_the_other(expert):
    expert.mobile = ""
    assert services.channels_for(expert) == ["email"]
    expert.mobile, expert.preferred_channel = "13800000501", "both"
    assert services.channels_for(expert) == ["sms", "email"]


def test_a_sign_in_code_is_not_kept_once_sent(expert):
    with TestCase.captureOnCommitCallbacks(execute=True):
        send_signin_code(expert.user.username)
    notice = Notice.objects.get()
    assert (notice.kind, notice.status, notice.params) == ("signin_code", "sent", {})


def test_a_kind_without_a_template_code_fails_without_calling_the_provider(aliyun, expert, settings):
    settings.SMS_TEMPLATES = {**TEMPLATES, "reminder": ""}
    notice = text(expert, kind="reminder", params={"plan": "规划", "date": "2026-12-10"})
    assert aliyun.requests == []
    assert (notice.status, notice.attempts) == ("failed", 1)
    assert "SMS_TEMPLATE_REMINDER" in notice.provider_reason


def test_a_gateway_that_cannot_be_set_up_fails_the_invitation_with_why_and_mails_it(settings, expert, client):
    """Tencent's SDK refuses to start without its keys: the notice does not stay queued, it fails
    with the reason, the invitation goes by mail with a call flagged, and a receipt push is a 503."""
    settings.SMS_SENDER = "tencent"
    settings.SMS_ACCESS_KEY_ID = settings.SMS_ACCESS_KEY_SECRET = ""
    settings.SMS_TEMPLATES = TEMPLATES
    settings.SMS_CALLBACK_SECRET = SECRET

    notice = text(expert)
    pushed = push(client, "tencent", [])

    assert (notice.status, notice.attempts, notice.needs_phone_call) == ("failed", 1, True)
    assert notice.provider_reason.startswith("TencentCloudSDKException")
    assert Notice.objects.get(fallback_of=notice).channel == "email"
    assert pushed.status_code == 503
