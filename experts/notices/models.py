"""One row per message sent to an expert (gathered into the app's models by ``experts.models``)."""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.masking import mask_email, mask_mobile


class Notice(models.Model):
    """A message to one expert by one channel, with what the provider said of it.

    ``about`` is what the notice concerns (a review, a consultation), a generic reference since the
    roster imports no app above it. ``params`` are the template's parameters; a sign-in code's are
    cleared once the attempt ends. Rows are written by ``experts.notices.services`` only; they are
    the record itself (no history table: each row is one message, its fields its progress)."""

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")
        SIGNIN_CODE = "signin_code", _("Sign-in code")
        MEETING = "meeting", _("Meeting notice")
        ANSWER = "answer", _("Answer to your point")
        CONSULTATION = "consultation", _("Consultation")
        APPOINTMENT = "appointment", _("Appointment")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    expert = models.ForeignKey(
        "experts.Expert", verbose_name=_("expert"), on_delete=models.CASCADE, related_name="notices"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    to = models.CharField(_("to"), max_length=254)
    params = models.JSONField(_("template parameters"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    provider = models.CharField(_("provider"), max_length=40, blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    provider_reason = models.CharField(_("provider's reason"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    needs_phone_call = models.BooleanField(_("needs a phone call"), default=False)
    fallback_of = models.ForeignKey(
        "self", verbose_name=_("in place of"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_type = models.ForeignKey(ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    about_id = models.PositiveBigIntegerField(null=True, blank=True)
    about = GenericForeignKey("about_type", "about_id")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    settled_at = models.DateTimeField(_("delivered or failed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        indexes = [
            models.Index(fields=["about_type", "about_id"], name="experts_notice_about"),
            models.Index(fields=["provider", "provider_message_id"], name="experts_notice_provider_id"),
            models.Index(fields=["status", "created_at"], name="experts_notice_status"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.masked_to}"

    @property
    def masked_to(self):
        """The address as it may be shown: ``138****5678``, ``z***@example.cn``."""
        return mask_mobile(self.to) if self.channel == self.Channel.SMS else mask_email(self.to)
