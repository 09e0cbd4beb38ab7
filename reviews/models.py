"""Plans and their versions, reviews, draws and assignments."""

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from experts.models import Domain, Organization


def private_storage():
    return storages["private"]


class Plan(models.Model):
    """A document under evaluation, submitted by a department, in numbered versions."""

    class Kind(models.TextChoices):
        SPECIAL_PLAN = "special_plan", _("Special plan")
        IMPLEMENTATION_SCHEME = "implementation_scheme", _("Implementation scheme")
        ACTION_PLAN = "action_plan", _("Three-year action plan")
        POLICY_MEASURE = "policy_measure", _("Policy measure")
        MAJOR_PROJECT = "major_project", _("Major project")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    submitted_by = models.ForeignKey(
        Organization, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="submitted_plans"
    )
    related_organizations = models.ManyToManyField(
        Organization, verbose_name=_("related organisations"), blank=True, related_name="related_plans"
    )
    domains = models.ManyToManyField(Domain, verbose_name=_("domains"), related_name="plans", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[related_organizations, domains])

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return self.title


class PlanVersion(models.Model):
    """One numbered version of a plan's document; never overwritten."""

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    document = models.FileField(_("document"), upload_to="plans/%Y/", storage=private_storage)
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")]

    def __str__(self):
        return f"{self.plan} v{self.number}"
