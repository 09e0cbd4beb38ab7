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
