"""Telling people: portal notifications, mail, and text messages through a pluggable sender
(``settings.SMS_SENDER``).

A sender is a class with ``send(to, text)``. The default writes to the console and keeps a row in
``SmsMessage``; a gateway for production is another class named in the ``SMS_SENDER`` variable.
"""

import logging
import sys

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.module_loading import import_string

from core import live
from core.masking import mask_mobile
from core.models import Notification, SmsMessage

logger = logging.getLogger(__name__)


class ConsoleSmsSender:
    name = "console"

    def send(self, to, text):
        sys.stdout.write(f"[SMS to {to}] {text}\n")
        return SmsMessage.objects.create(to=to, text=text[:500], sender=self.name)


def sms_sender():
    return import_string(settings.SMS_SENDER)()


def send_sms(to, text):
    """Send ``text`` to the mobile number ``to`` if there is one; a failing gateway is logged, not raised."""
    if not to:
        return None
    try:
        return sms_sender().send(to, text)
    except Exception:  # an SMS gateway outage must not undo an invitation
        logger.warning("text message to %s not sent", mask_mobile(to), exc_info=True)  # no personal data in logs
        return None


def send_email(to, *, subject, text):
    """Mail ``text`` to the address ``to`` if there is one; a failing mail server is logged, not raised."""
    if not to:
        return False
    try:
        EmailMessage(subject=subject, body=text, to=[to], from_email=settings.DEFAULT_FROM_EMAIL).send()
    except OSError as error:  # the mail server refused or is unreachable: one line says it all
        logger.warning("mail not sent: %s", error)  # no address in the log: no personal data in logs
        return False
    except Exception:  # a mail outage must not undo the step; the portal has it
        logger.warning("mail not sent", exc_info=True)
        return False
    return True


@transaction.atomic
def notify(user, *, kind, text, url=""):
    """Store a notification for ``user`` and push it to their open sockets after commit."""
    notification = Notification.objects.create(user=user, kind=kind, text=text[:500], url=url)
    live.notify_user(notification)
    return notification


def tell_expert(expert, *, kind, text, subject, url=""):
    """Tell one expert everywhere: a portal notification (and their open sockets), then, after the
    commit, an email and a text message. Mail and SMS failures are logged, never raised."""
    if expert.user_id:
        notify(expert.user, kind=kind, text=text, url=url)
    email, mobile = expert.email, expert.mobile

    def send():
        send_email(email, subject=subject, text=text)
        send_sms(mobile, text)

    transaction.on_commit(send)
