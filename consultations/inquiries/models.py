"""The questions put to the committee (征询: the API's "consultations"), their questions and
background documents."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.storage import private_storage


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
    answers_shared = models.BooleanField(_("experts see each other's answers before the close"), default=False)
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
    file = models.FileField(_("file"), upload_to="consultations/%Y/", storage=private_storage)
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
