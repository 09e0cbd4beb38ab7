"""The experts' own proposals (专家建言) and their attachments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.storage import private_storage


class Proposal(models.Model):
    """An expert's own proposal: the problem and suggestions (``points``), sealed when submitted
    (``digest``), then screened by the secretariat: routed to departments, merged into another
    proposal, or returned with a reason."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ROUTED = "routed", _("Routed")
        MERGED = "merged", _("Merged")
        RETURNED = "returned", _("Returned")
        ANSWERED = "answered", _("Answered")

    author = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(_("title"), max_length=200)
    problem = models.TextField(_("the problem"))
    domains = models.ManyToManyField("experts.Domain", blank=True, related_name="+", verbose_name=_("domains"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    routed_to = models.ManyToManyField(
        "experts.Organization", blank=True, related_name="proposals", verbose_name=_("routed to")
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged", verbose_name=_("merged into")
    )
    return_reason = models.TextField(_("why it was returned"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), default=timezone.now, db_index=True)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, blank=True)
    publication_consent_at = models.DateTimeField(_("consent to publish given"), null=True, blank=True)
    public_page_id = models.PositiveIntegerField(_("page on the committee site"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return self.title


class ProposalAttachment(models.Model):
    """A file attached to a proposal (checked before storing)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="proposals/%Y/", storage=private_storage)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("proposal attachment")
        verbose_name_plural = _("proposal attachments")

    def __str__(self):
        return self.title
