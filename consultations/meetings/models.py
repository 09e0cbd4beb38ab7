"""Who attended a review's meeting, since when and how; the days it counts for the honoraria."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Attendance(models.Model):
    """One panel member present at the meeting: by scanning the room's code with their own
    signed-in phone, or marked by the secretariat by hand with a reason. ``days`` is what the
    attendance counts for the honoraria (half days in steps of 0.5)."""

    class How(models.TextChoices):
        CODE = "code", _("scanned the room's code")
        HAND = "hand", _("marked present by the secretariat")

    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="attendance")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="+")
    checked_in_at = models.DateTimeField(_("present since"), default=timezone.now)
    how = models.CharField(_("how"), max_length=10, choices=How.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    days = models.DecimalField(_("days attended"), max_digits=4, decimal_places=1, default=Decimal("1.0"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [models.UniqueConstraint(fields=["review", "expert"], name="one_attendance_per_member")]

    def __str__(self):
        return f"{self.review_id}: {self.expert_id}"


class Meeting(models.Model):
    """A meeting-mode review's day: how long it lasts (what a member present counts for the
    honoraria: 1 day, 0.5 for a half day; more days for a longer meeting) and which agenda item
    the chair has the panel on now."""

    review = models.OneToOneField("reviews.Review", on_delete=models.CASCADE, related_name="meeting")
    length = models.DecimalField(
        _("length in days"),
        max_digits=3,
        decimal_places=1,
        default=Decimal("1.0"),
        help_text=_("What a member present counts for: 1 for a day, 0.5 for a half day."),
    )
    current_item = models.ForeignKey(
        "consultations.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moved_at = models.DateTimeField(_("moved"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return f"{self.review_id}"


class AgendaItem(models.Model):
    """One item of the meeting's agenda, in order, optionally tied to a section of the plan (the
    anchors the opinions' points use)."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="agenda")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("item"), max_length=200)
    section = models.CharField(_("plan section"), max_length=40, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "position", "id"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")

    def __str__(self):
        return self.title


class Vote(models.Model):
    """A member's vote on one version of the group opinion, at the meeting: one per member per
    version, changeable until the meeting ends (each change kept in the history)."""

    class Choice(models.TextChoices):
        AGREE = "agree", _("Agree")
        AGAINST = "against", _("Against")
        ABSTAIN = "abstain", _("Abstain")

    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="votes")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version of the group opinion"))
    vote = models.CharField(_("vote"), max_length=10, choices=Choice.choices)
    at = models.DateTimeField(_("voted"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "version", "at", "id"]
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["review", "expert", "version"], name="one_vote_per_version")]

    def __str__(self):
        return f"{self.review_id} v{self.version}: {self.expert_id} {self.vote}"


class Minutes(models.Model):
    """The meeting's minutes (会议纪要): a text the secretariat edits (``version``, If-Match) until
    they are filed; filing freezes the text and keeps the .docx made then (``document``, ``digest``)."""

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="minutes")
    text = models.TextField(_("minutes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_at = models.DateTimeField(_("filed"), null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.BinaryField(_("filed document"), null=True, blank=True, editable=False)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, blank=True)
    history = HistoricalRecords(excluded_fields=["document"])

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return f"{self.review_id} v{self.version}"
