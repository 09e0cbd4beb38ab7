import pytest
from django.core import mail

from core.models import SmsMessage
from tests.experts.conftest import new_expert

pytestmark = pytest.mark.django_db


def test_new_expert_account_gets_sign_in_details_by_email_and_sms(django_capture_on_commit_callbacks, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://committee.example.cn"
    with django_capture_on_commit_callbacks(execute=True):
        new_expert(name="张三", key="NEW-1", username="zhangsan", email="zs@example.cn", mobile="13900001111")
    assert [message.to for message in mail.outbox] == [["zs@example.cn"]]
    assert "zhangsan" in mail.outbox[0].body
    assert "https://committee.example.cn/accounts/code/" in mail.outbox[0].body
    assert list(SmsMessage.objects.values_list("to", flat=True)) == ["13900001111"]


def test_sign_in_details_wait_for_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        new_expert(name="李四", key="NEW-2", username="lisi", email="ls@example.cn")
    assert mail.outbox == []  # sent only by the commit callback, which never ran
    assert len(callbacks) == 1


def test_roster_entry_without_account_sends_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        new_expert(name="王五", key="NEW-3", email="ww@example.cn")
    assert mail.outbox == []
    assert SmsMessage.objects.count() == 0


class BrokenMailBackend:
    """A mail server that is down."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


def test_mail_outage_still_creates_the_account_and_sends_the_text_message(
    django_capture_on_commit_callbacks, settings, caplog
):
    settings.MAILERS = {"default": {"BACKEND": "tests.experts.test_sign_in_details.BrokenMailBackend"}}
    with django_capture_on_commit_callbacks(execute=True):
        expert = new_expert(name="赵六", key="NEW-4", username="zhaoliu", email="zl@example.cn", mobile="13900002222")

    assert expert.user.username == "zhaoliu"
    assert list(SmsMessage.objects.values_list("to", flat=True)) == ["13900002222"]
    assert [record.getMessage() for record in caplog.records if record.name == "core.notify"] == [
        "mail not sent: mail server down"  # one line, no traceback, no address
    ]
