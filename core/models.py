"""The kernel's records, written by every app: a user's notifications and the text messages sent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """A message to one user: an invitation, a reminder, an answer to one of their points."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        db_table = "consultations_notification"  # kept from the app that owned it first
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text


class SmsMessage(models.Model):
    """A text message as the console sender 'sent' it: the record operators and tests read."""

    to = models.CharField(_("to"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    sender = models.CharField(_("sender"), max_length=100)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        db_table = "consultations_smsmessage"  # kept from the app that owned it first
        ordering = ["-created_at", "-id"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self):
        return f"{self.to}: {self.text[:40]}"
