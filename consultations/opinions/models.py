"""Opinions (and the answers to consultations, which are opinions too), their points, kept
versions, the live discussion and who is present."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


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
    # The independence record: when the author could first read the others' opinions (null: not
    # yet). Every kept version from then on is ``after_reading_others``.
    read_others_at = models.DateTimeField(_("could first read the others' opinions"), null=True, blank=True)
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
    after_reading_others = models.BooleanField(_("kept after reading the others' opinions"), default=False)
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
    """One open socket on a review's channel: who is here now, and which server process holds
    the socket (``server``: a ``PresenceServer`` token; ``consultations.opinions.presence``)."""

    review = models.ForeignKey("reviews.Review", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel_name = models.CharField(max_length=200, unique=True)
    server = models.CharField(max_length=100, blank=True, default="", db_index=True)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("presence")
        verbose_name_plural = _("presences")

    def __str__(self):
        return f"{self.user_id} on {self.review_id}"


class PresenceServer(models.Model):
    """A server process that holds sockets, and its heartbeat: the presence rows of a process
    whose heartbeat has stopped are swept (``consultations.opinions.presence.sweep``)."""

    token = models.CharField(max_length=100, unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("presence server")
        verbose_name_plural = _("presence servers")

    def __str__(self):
        return self.token
