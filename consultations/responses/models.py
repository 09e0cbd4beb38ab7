"""The answers to points (采纳情况) and the final response package of a review."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Response(models.Model):
    """The answer to one point (of a review's opinion, of a consultation's answer or a proposal's
    suggestion): one per point, by the department concerned or the commission, written only by
    ``consultations.responses.kinds.write_response``."""

    class Status(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")

    point = models.OneToOneField("consultations.Point", on_delete=models.PROTECT, related_name="response")
    status = models.CharField(_("response"), max_length=20, choices=Status.choices)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("answered"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["point_id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")

    def __str__(self):
        return f"{self.point_id}: {self.status}"


class ResponsePackage(models.Model):
    """What the department files for a review: the plan version, the consolidation version and the
    table of responses, finalised once every point has an answer; then published by the
    secretariat as a conclusion page (``conclusion_page_id``)."""

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="response_package")
    plan_version = models.ForeignKey("reviews.PlanVersion", on_delete=models.PROTECT, related_name="+")
    consolidation_version = models.PositiveIntegerField(_("consolidation version"))
    responses = models.JSONField(_("table of responses"), default=list)
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    finalised_at = models.DateTimeField(_("finalised"), default=timezone.now)
    finalised_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    conclusion_page_id = models.PositiveIntegerField(_("conclusion page"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("response package")
        verbose_name_plural = _("response packages")

    def __str__(self):
        return f"{self.review}"
