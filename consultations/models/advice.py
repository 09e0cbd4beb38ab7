"""The committee's advice beyond plan evaluations: consultations the commission or the
secretariat pose (征询), and the experts' own proposals (专家建言).

A consultation's answers are ``Opinion`` rows (``opinion.consultation``) and their points are
``Point`` rows tied to a ``Question``; a proposal's suggestions are ``Point`` rows too
(``point.proposal``), so every piece of advice is answered the same way (``Response``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from consultations.models.reviewing import _private_storage


class Consultation(models.Model):
    """A topic put to the committee: background, questions, who is asked and when.

    Addressed to the experts of ``addressed_domains`` (a domain includes those below it) and
    the ``addressed_experts``; both empty: the whole committee. ``recipients`` is who it
    reached, fixed when it opens (the active experts addressed then)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    background = models.TextField(_("background"), blank=True)
    addressed_domains = models.ManyToManyField(
        "experts.Domain", blank=True, related_name="+", verbose_name=_("domains asked")
    )
    addressed_experts = models.ManyToManyField(
        "experts.Expert", blank=True, related_name="+", verbose_name=_("experts asked")
    )
    recipients = models.ManyToManyField(
        "experts.Expert", blank=True, related_name="consultations", verbose_name=_("experts reached")
    )
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    answers_shared = models.BooleanField(
        _("experts see each other's answers before the close"), default=False
    )
    anonymous = models.BooleanField(
        _("answers shown without names"), default=False, help_text=_("Experts appear as Expert A, B, C.")
    )
    posed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self):
        return self.title


class Question(models.Model):
    """One question of a consultation; each answer's points say which question they answer."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["consultation", "position", "id"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text[:40]


class ConsultationDocument(models.Model):
    """A background document of a consultation (checked like a plan version before storing)."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="consultations/%Y/", storage=_private_storage)
    size = models.PositiveIntegerField(_("size"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["consultation", "id"]
        verbose_name = _("consultation document")
        verbose_name_plural = _("consultation documents")

    def __str__(self):
        return self.title


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
    file = models.FileField(_("file"), upload_to="proposals/%Y/", storage=_private_storage)
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(_("SHA-256 digest"), max_length=64, blank=True)
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["proposal", "id"]
        verbose_name = _("proposal attachment")
        verbose_name_plural = _("proposal attachments")

    def __str__(self):
        return self.title
