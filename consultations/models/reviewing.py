"""Opinions, comments, consolidations and responses; the notifications every user receives and
the per-review event log that live clients catch up from."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Notification(models.Model):
    """A message to one user: an invitation, a reminder, an answer to one of their points."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=500)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self):
        return self.text


class ReviewEvent(models.Model):
    """One entry of a review's event log: what the live channel said, kept so that a client
    that missed messages can catch up (``/api/v1/reviews/{id}/events/?after=<seq>``).

    ``seq`` increases by one per review; written only by ``realtime.emit_review_event``.
    """

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(_("sequence"))
    type = models.CharField(_("type"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["review", "seq"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        constraints = [models.UniqueConstraint(fields=["review", "seq"], name="review_event_seq_unique")]

    def __str__(self):
        return f"{self.review_id}#{self.seq} {self.type}"


class SmsMessage(models.Model):
    """A text message as the console sender 'sent' it: the record operators and tests read."""

    to = models.CharField(_("to"), max_length=20)
    text = models.CharField(_("text"), max_length=500)
    sender = models.CharField(_("sender"), max_length=100)
    created_at = models.DateTimeField(_("sent"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("text message")
        verbose_name_plural = _("text messages")

    def __str__(self):
        return f"{self.to}: {self.text[:40]}"


# ---------------------------------------------------------------- opinions (issue 5)


class Opinion(models.Model):
    """One expert's written opinion on one review, or their answer to one consultation (the
    same drafting, versions and sealing): the working draft, saved in place. Exactly one of
    ``review`` and ``consultation`` is set; ``assignment`` goes with ``review``.

    ``version`` counts every accepted write (autosaves too) and is the concurrency token (the
    API's ``ETag``/``If-Match``). The history is ``OpinionVersion``: one row per named save, per
    submission and per addendum, never per keystroke autosave.
    """

    class Conclusion(models.TextChoices):
        AGREE = "agree", _("Agree")
        AGREE_WITH_REVISIONS = "agree_with_revisions", _("Agree after revision")
        DISAGREE = "disagree", _("Disagree")
        ABSTAIN = "abstain", _("Abstain")

    review = models.ForeignKey(
        "reviews.Review", null=True, blank=True, on_delete=models.PROTECT, related_name="opinions"
    )
    consultation = models.ForeignKey(
        "consultations.Consultation", null=True, blank=True, on_delete=models.PROTECT, related_name="answers"
    )
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="opinions")
    assignment = models.OneToOneField(
        "reviews.Assignment", null=True, blank=True, on_delete=models.PROTECT, related_name="opinion"
    )
    conclusion = models.CharField(_("conclusion"), max_length=30, choices=Conclusion.choices, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=0)
    saved_at = models.DateTimeField(_("saved"), null=True, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, db_index=True)
    digest = models.CharField(_("SHA-256 digest"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["review", "id"]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")
        constraints = [
            models.UniqueConstraint(fields=["review", "expert"], name="opinion_once_per_expert"),
            models.UniqueConstraint(fields=["consultation", "expert"], name="answer_once_per_expert"),
            models.CheckConstraint(
                condition=(
                    models.Q(review__isnull=False, consultation__isnull=True)
                    | models.Q(review__isnull=True, consultation__isnull=False, assignment__isnull=True)
                ),
                name="opinion_of_a_review_or_a_consultation",
            ),
        ]

    def __str__(self):
        return f"{self.expert} — {self.review or self.consultation}"


class Point(models.Model):
    """A point made in an opinion, a consultation answer (``question`` says which question it
    answers) or a proposal (a suggestion): one id space for ``/api/v1/points/{id}/response/``.
    Removed points of a submitted opinion are kept (``removed``) so that versions and responses
    keep their referent. ``organization``: for a proposal's point, the department it was routed
    to for an answer."""

    opinion = models.ForeignKey(Opinion, null=True, blank=True, on_delete=models.CASCADE, related_name="points")
    proposal = models.ForeignKey(
        "consultations.Proposal", null=True, blank=True, on_delete=models.CASCADE, related_name="points"
    )
    question = models.ForeignKey(
        "consultations.Question", null=True, blank=True, on_delete=models.PROTECT, related_name="points"
    )
    organization = models.ForeignKey(
        "experts.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    section = models.CharField(_("plan section"), max_length=40, blank=True)
    text = models.TextField(_("text"))
    position = models.PositiveIntegerField(_("position"), default=0)
    removed = models.BooleanField(_("removed"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("point")
        verbose_name_plural = _("points")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(opinion__isnull=False, proposal__isnull=True)
                    | models.Q(opinion__isnull=True, proposal__isnull=False)
                ),
                name="point_of_an_opinion_or_a_proposal",
            ),
        ]

    def __str__(self):
        return self.text[:40]


class OpinionVersion(models.Model):
    """A kept version of an opinion: its full content, who, when and why. Never changed."""

    class Kind(models.TextChoices):
        NAMED = "named", _("Saved version")
        SUBMITTED = "submitted", _("Submitted")
        ADDENDUM = "addendum", _("Addendum")
        MERGED = "merged", _("Merged after a conflict")

    opinion = models.ForeignKey(Opinion, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("why"), max_length=500, blank=True)
    content = models.JSONField(_("content"))
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    opinion_version = models.PositiveIntegerField(_("opinion version"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["opinion", "number"]
        verbose_name = _("opinion version")
        verbose_name_plural = _("opinion versions")
        constraints = [models.UniqueConstraint(fields=["opinion", "number"], name="opinion_version_number_unique")]

    def __str__(self):
        return f"{self.opinion_id} #{self.number} {self.kind}"


class Comment(models.Model):
    """A message in a review's live discussion, optionally about one plan section; ``dissent``
    records a panel member's disagreement with that section."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey("experts.Expert", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))
    section = models.CharField(_("plan section"), max_length=40, blank=True)
    dissent = models.BooleanField(_("dissent"), default=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.text[:40]


class Discussion(models.Model):
    """The meeting's "now discussing" marker: which plan section the chair has the panel on."""

    review = models.OneToOneField("reviews.Review", on_delete=models.CASCADE, related_name="discussion")
    section = models.CharField(_("now discussing"), max_length=40, blank=True)
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moved_at = models.DateTimeField(_("moved"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("discussion marker")
        verbose_name_plural = _("discussion markers")

    def __str__(self):
        return f"{self.review_id}: {self.section}"


class Presence(models.Model):
    """One open socket on a review's channel: who is here now."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")

    def __str__(self):
        return f"{self.user_id} on {self.review_id}"


# ---------------------------------------------------------------- consolidation, responses, documents (issue 6)


def _private_storage():
    from django.core.files.storage import storages

    return storages["private"]


class Consolidation(models.Model):
    """The panel's group opinion on a review (专家组意见); the tallies and points beside it are
    computed from the sealed opinions (``consultations.consolidation.services``), never stored twice.

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
    """A panel member's confirmation of one version of the group opinion, with its digest."""

    consolidation = models.ForeignKey(Consolidation, on_delete=models.CASCADE, related_name="confirmations")
    expert = models.ForeignKey("experts.Expert", on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(_("version"))
    digest = models.CharField(_("SHA-256 digest"), max_length=64)
    at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        ordering = ["consolidation", "version", "at", "id"]
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        constraints = [
            models.UniqueConstraint(fields=["consolidation", "expert", "version"], name="confirmation_once_per_version")
        ]

    def __str__(self):
        return f"{self.expert} v{self.version}"


class Response(models.Model):
    """The answer to one point (of an opinion now; of a consultation answer or a proposal later):
    one per point, by the department concerned or the commission."""

    class Status(models.TextChoices):
        ADOPTED = "adopted", _("Adopted")
        PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
        NOT_ADOPTED = "not_adopted", _("Not adopted")

    point = models.OneToOneField(Point, on_delete=models.PROTECT, related_name="response")
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
    file = models.FileField(_("file"), upload_to="consolidations/%Y/", storage=_private_storage, blank=True)
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
