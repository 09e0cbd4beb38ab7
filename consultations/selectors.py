"""Reads for opinions, consultations and notifications."""

from .models import Notification


def notifications_for(user, *, unread_only=False):
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications
