"""The rates the secretariat sets (within the standard's ranges) and one payment per expert per review."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Rate(models.Model):
    """One amount of the committee's scale, set by the secretariat within the standard's range
    (``consultations.honoraria.rates.RANGES``); a key without a row takes the range's lower end."""

    class Key(models.TextChoices):
        SENIOR_DAY = "senior_day", _("A day, senior titles (正高, 副高), yuan")
        OTHER_DAY = "other_day", _("A day, other experts, yuan")
        EMINENT_UPLIFT = "eminent_uplift", _("Academicians and nationally known experts: per cent above the senior day")
        WRITTEN_SHARE = "written_share", _("A written review (per occasion): per cent of the day")

    key = models.CharField(_("rate"), max_length=20, choices=Key.choices, unique=True)
    value = models.DecimalField(_("amount"), max_digits=8, decimal_places=2)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("honorarium rate")
        verbose_name_plural = _("honorarium rates")

    def __str__(self):
        return f"{self.get_key_display()}: {self.value}"


class Payment(models.Model):
    """What one expert is paid for one review: the basis (days attended at the meeting, or a
    submitted written opinion), the net by the committee's rates, the gross that leaves it after
    the tax withheld, and whether it was paid. A paid payment is frozen."""

    class Basis(models.TextChoices):
        MEETING = "meeting", _("Meeting attended")
        WRITTEN = "written", _("Written opinion submitted")

    class Status(models.TextChoices):
        TO_PAY = "to_pay", _("To pay")
        PAID = "paid", _("Paid")

    review = models.ForeignKey("reviews.Review", on_delete=models.PROTECT, related_name="payments")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="payments")
    basis = models.CharField(_("basis"), max_length=10, choices=Basis.choices)
    days = models.DecimalField(_("days"), max_digits=4, decimal_places=1, null=True, blank=True)
    daily = models.DecimalField(_("daily amount"), max_digits=10, decimal_places=2)
    net = models.DecimalField(_("net"), max_digits=12, decimal_places=2)
    gross = models.DecimalField(_("gross"), max_digits=12, decimal_places=2)
    tax = models.DecimalField(_("tax withheld"), max_digits=12, decimal_places=2, default=Decimal("0"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.TO_PAY)
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)
    paid_at = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("honorarium payment")
        verbose_name_plural = _("honorarium payments")
        ordering = ["review_id", "expert__stroke_key", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "expert"], name="one_payment_per_member")]

    def __str__(self):
        return f"{self.review_id}: {self.expert_id} {self.gross}"

    def basis_display(self):
        """The basis in words, in the user's language: "Meeting, 1.5 days", "A written opinion"."""
        from django.utils.translation import gettext

        if self.basis == self.Basis.MEETING:
            return gettext("Meeting, %(days)s days") % {"days": f"{self.days.normalize():f}"}
        return gettext("A written opinion")
