"""Writes for opinions, consultations and notifications."""

from django.db import transaction

from . import realtime
from .models import Notification


@transaction.atomic
def notify(user, *, kind, text, url=""):
    """Store a notification for ``user`` and push it to their open sockets after commit."""
    notification = Notification.objects.create(user=user, kind=kind, text=text[:500], url=url)
    realtime.notify_user(notification)
    return notification
