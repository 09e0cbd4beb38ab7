"""Text messages through an SMS gateway: approved templates with parameters, never free text.

The providers the government uses send only templates approved in their console, each named by a
template code. A notice has a *kind* (``KINDS``: the parameters its template takes and the text it
renders to), the template code of each kind is in ``settings.SMS_TEMPLATES``, and a gateway sends
``(mobile, kind, params)``. ``settings.SMS_SENDER`` chooses the gateway: ``console`` (the embedded
default: prints the rendered template and keeps an ``SmsMessage`` row), ``aliyun`` or ``tencent``
(``core.sms_providers``, on the providers' official SDKs), or a dotted path to another class.

A gateway answers a send with a ``Sent`` (the provider's message id) or raises ``GatewayError``
(``retryable`` for a time-out, a throttle or a server fault; not for a refusal such as an invalid
number or template). It reads delivery receipts by its status query (``query``) and parses the
provider's receipt push (``parse_callback``); each receipt is a ``Receipt``.

Credentials, sign name, region and endpoint come from ``SMS_*`` environment variables (or settings
of the same names, which tests use): see ``docs/deployment.md``.
"""

import os
import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.models import SmsMessage

PARAM_LIMIT = 30  # providers cap a variable's length (Alibaba: 35 characters); titles are clipped


@dataclass(frozen=True)
class Kind:
    params: tuple
    text: object


KINDS = {
    "invitation": Kind(("plan", "reply_by"), _("You are invited to review “{plan}”. Please answer by {reply_by}.")),
    "reminder": Kind(("plan", "date"), _("Reminder: “{plan}” awaits your answer by {date}.")),
    "signin_code": Kind(("code", "minutes"), _("Your sign-in code is {code}. It works once, for {minutes} minutes.")),
    "meeting": Kind(("plan", "when", "place"), _("The meeting on “{plan}”: {when}, {place}.")),
    "answer": Kind(("title",), _("Your points on “{title}” have been answered.")),
    "consultation": Kind(("title", "closes"), _("The committee asks your advice on “{title}” until {closes}.")),
    "appointment": Kind(
        ("name", "username"),
        _("{name}, you are appointed to the expert advisory committee. Sign in as {username} with a code."),
    ),
}


class GatewayError(Exception):
    """The provider did not take the message: ``reason`` says why, in the provider's words."""

    def __init__(self, reason, *, retryable):
        super().__init__(reason)
        self.reason = str(reason)[:500]
        self.retryable = retryable


@dataclass(frozen=True)
class Sent:
    message_id: str


@dataclass(frozen=True)
class Receipt:
    """The provider's word on one message: delivered or not, and its status code or words."""

    message_id: str
    delivered: bool
    reason: str = ""
    at: object = field(default=None)


def clean_params(kind, params):
    """The parameters of ``kind``'s template, in its order, as short strings; a missing one is an
    error in our code, not in the input."""
    names = KINDS[kind].params
    return {name: str(params[name])[:PARAM_LIMIT] for name in names}


def render(kind, params):
    """The text ``kind``'s template gives with ``params``, in the active language."""
    return str(KINDS[kind].text).format(**params)


def config(name, default=""):
    """An SMS setting: ``settings.SMS_<name>`` if set, else the ``SMS_<name>`` environment variable."""
    value = getattr(settings, f"SMS_{name}", None)
    if value in (None, ""):
        value = os.environ.get(f"SMS_{name}", "").strip()
    return value if value not in (None, "") else default


def template_code(kind):
    code = (getattr(settings, "SMS_TEMPLATES", {}) or {}).get(kind, "")
    if not code:
        message = gettext("No template code is configured for this kind of notice ({variable}).")
        raise GatewayError(message.format(variable=f"SMS_TEMPLATE_{kind.upper()}"), retryable=False)
    return code


class Gateway:
    """The interface: ``name``; ``send``; ``query`` (receipts of sent messages by the provider's
    status query); ``parse_callback`` (receipts in the provider's push) and ``callback_reply``."""

    name = "abstract"

    def send(self, mobile, *, kind, params):
        raise NotImplementedError

    def query(self, messages):
        """``messages``: ``(message_id, mobile, sent_at)`` triples. Returns the ``Receipt``s known."""
        return []

    def parse_callback(self, payload):
        raise GatewayError("this gateway takes no receipt push", retryable=False)

    def callback_reply(self):
        return {}


class ConsoleGateway(Gateway):
    """The embedded default: prints the rendered template and keeps the row tests and operators read."""

    name = "console"

    def send(self, mobile, *, kind, params):
        text = render(kind, params)
        sys.stdout.write(f"[SMS to {mobile}] {text}\n")
        row = SmsMessage.objects.create(to=mobile, text=text[:500], sender=self.name, created_at=timezone.now())
        return Sent(message_id=f"console-{row.pk}")


GATEWAYS = {
    "console": "core.sms.ConsoleGateway",
    "aliyun": "core.sms_providers.AliyunGateway",
    "tencent": "core.sms_providers.TencentGateway",
}


def gateway():
    """The gateway ``settings.SMS_SENDER`` names (a short name or a dotted path). One that cannot
    be set up (a missing key, an unknown name) is a ``GatewayError`` that will not pass on retry:
    the notice fails with the reason, and an invitation falls back to mail."""
    chosen = getattr(settings, "SMS_SENDER", "") or "console"
    try:
        return import_string(GATEWAYS.get(chosen, chosen))()
    except Exception as error:  # the SDKs raise their own exception classes for a bad set-up
        raise GatewayError(f"{type(error).__name__}: {error}", retryable=False) from error
