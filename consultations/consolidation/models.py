"""The consolidated opinion of a review, the panel's confirmations and the documents made from it."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.storage import private_storage


class Consolidation(models.Model):
    """The panel's group opinion on a review (专家组意见); the tallies and points beside it are
    computed from the sealed opinions (``consultations.consolidation.selectors``), never stored twice.

    ``version`` counts every accepted save (the API's ``ETag``/``If-Match``). The text is sealed
    (``sealed_at``, ``digest``) once every panel member confirmed the current version; a later
    change is a new version with a reason, and the confirmations start again."""

    review = models.OneToOneField("reviews.Review", on_delete=models.PROTECT, related_name="consolidation")
    group_opinion = models.TextField(_("group opinion"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_reason = models.CharField(_("reason for the change"), max_length=500, blank=True)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, blank=True)
    sealed_at = models.DateTimeField(_("sealed"), null=True, blank=True)
    sealed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirm_by = models.DateTimeField(_("confirmations due"), null=True, blank=True)
    # the commission's due date for the answers to the points (采纳情况反馈): beside the text's
    # version, never advancing it (``answers_due.set_answers_due``)
    answers_due_on = models.DateField(
        _("answers to the points due on"),
        null=True,
        blank=True,
        help_text=_("Set by the commission; the department is reminded before it and the overdue are chased."),
    )
    blind_to_department = models.BooleanField(
        _("experts shown to the department as letters"),
        default=True,
        help_text=_("On: the submitting department reads Expert A, B, C instead of names."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("consolidated opinion")
        verbose_name_plural = _("consolidated opinions")

    def __str__(self):
        return f"{self.review} v{self.version}"


class Confirmation(models.Model):
    """A panel member's answer to one version of the group opinion, with its digest: a
    confirmation, a confirmation with reservations, a refusal to sign, or (recorded at the seal
    for a member who never answered) no answer."""

    class Kind(models.TextChoices):
        CONFIRM = "confirm", _("Confirmed")
        RESERVATION = "reservation", _("Confirmed with reservations")
        REFUSAL = "refusal", _("Refused to sign")
        NO_ANSWER = "no_answer", _("No answer by the deadline")

    consolidation = models.ForeignKey(Consolidation, on_delete=models.CASCADE, related_name="confirmations")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    kind = models.CharField(_("answer"), max_length=20, choices=Kind.choices, default=Kind.CONFIRM)
    text = models.TextField(_("reservations or reason"), blank=True)
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    at = models.DateTimeField(_("answered"), default=timezone.now)
    # one answer per member per version, changeable until the seal: each change is kept here
    history = HistoricalRecords()

    class Meta:
        ordering = ["consolidation", "version", "at", "id"]
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.UniqueConstraint(fields=["consolidation", "expert", "version"], name="confirmation_once_per_version")
        ]

    def __str__(self):
        return f"{self.expert} v{self.version}"


class AnswersReminder(models.Model):
    """One reminder that the answers to a consolidation's points are due, kept so it is sent once:
    ``days`` before the due date ``due_on`` (0: on the day), to ``recipients`` people. A new due
    date has reminders of its own."""

    consolidation = models.ForeignKey(Consolidation, on_delete=models.CASCADE, related_name="answer_reminders")
    due_on = models.DateField(_("answers due on"))
    days = models.PositiveSmallIntegerField(_("days before the due date"))
    recipients = models.PositiveSmallIntegerField(_("people reminded"), default=0)
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("reminder of answers due")
        verbose_name_plural = _("reminders of answers due")
        constraints = [
            models.UniqueConstraint(fields=["consolidation", "due_on", "days"], name="answers_reminder_once"),
        ]

    def __str__(self):
        return f"{self.consolidation_id} {self.due_on} -{self.days}"


class GeneratedDocument(models.Model):
    """A document made in the background from one version of a consolidation, kept so the
    same version is never made twice; ``progress`` (0-100) is what the page shows meanwhile."""

    class Kind(models.TextChoices):
        DOCX = "docx", "Word (.docx)"
        PDF = "pdf", "PDF"
        XLSX = "xlsx", "Excel (.xlsx)"

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being made")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    consolidation = models.ForeignKey(Consolidation, on_delete=models.CASCADE, related_name="documents")
    version = models.PositiveIntegerField(_("version"))
    # what else the document shows changes without a new version (responses): part of the key
    key = models.CharField(_("content key"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    names = models.BooleanField(_("experts named"), default=True, help_text=_("Off: Expert A, B, C."))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress"), default=0)
    file = models.FileField(_("file"), upload_to="consolidations/%Y/", storage=private_storage, blank=True)
    error = models.CharField(_("problem"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("generated document")
        verbose_name_plural = _("generated documents")
        constraints = [
            models.UniqueConstraint(fields=["consolidation", "key", "kind"], name="generated_document_once"),
        ]

    def __str__(self):
        return f"{self.consolidation_id} {self.kind} {self.key[:8]}"
