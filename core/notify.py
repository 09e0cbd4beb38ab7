"""Telling people: portal notifications and mail. Text messages are templates with parameters
sent through an SMS gateway (``core.sms``); to an expert, as a notice queued by
``experts.notices.outbox`` and sent by the task worker.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction

from core import live
from core.models import Notification

logger = logging.getLogger(__name__)


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
