"""Opinions, comments, consolidations and responses live here; so do the notifications
every user receives and the per-review event log that live clients catch up from."""

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
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text


class ReviewEvent(models.Model):
    """One entry of a review's event log: what the live channel said, kept so that a client
    that missed messages can catch up (``/api/v1/reviews/{id}/events/?after=<seq>``).

    ``seq`` increases by one per review; written only by ``realtime.emit_review_event``.
    """

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(_("sequence"))
    type = models.CharField(_("type"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["review", "seq"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        constraints = [models.UniqueConstraint(fields=["review", "seq"], name="review_event_seq_unique")]

    def __str__(self):
        return f"{self.review_id}#{self.seq} {self.type}"


class SmsMessage(models.Model):
    """A text message as the console sender 'sent' it: the record operators and tests read."""

    to = models.CharField(_("to"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    sender = models.CharField(_("sender"), max_length=100)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self):
        return f"{self.to}: {self.text[:40]}"
