"""Plans and their versions, reviews, draws and assignments."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from core.storage import private_storage
from experts.models import Domain, Expert, Organization
from reviews.criteria import defaults as criteria_defaults


class Plan(models.Model):
    """A document under evaluation, submitted by a department, in numbered versions."""

    class Kind(models.TextChoices):
        SPECIAL_PLAN = "special_plan", _("Special plan")
        IMPLEMENTATION_SCHEME = "implementation_scheme", _("Implementation scheme")
        ACTION_PLAN = "action_plan", _("Three-year action plan")
        POLICY_MEASURE = "policy_measure", _("Policy measure")
        MAJOR_PROJECT = "major_project", _("Major project")

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        REVIEWED = "reviewed", _("Reviewed")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    submitted_by = models.ForeignKey(
        Organization, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="submitted_plans"
    )
    related_organizations = models.ManyToManyField(
        Organization, verbose_name=_("related organisations"), blank=True, related_name="related_plans"
    )
    domains = models.ManyToManyField(Domain, verbose_name=_("domains"), related_name="plans", blank=True)
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SUBMITTED, db_index=True)
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
    # Converted once for the browser: [{"section": "s3", "kind": "p"|"h1".."h6"|"li"|"page", "html": ..., "page": n}]
    blocks = models.JSONField(_("converted blocks"), default=list, blank=True, editable=False)
    conversion_error = models.CharField(_("conversion problem"), max_length=500, blank=True, editable=False)
    # Experts of the roster who took part in drafting this version: a conflict for reviews of this
    # version and of later ones (the rule ``exclude_drafters``).
    drafters = models.ManyToManyField(
        Expert, verbose_name=_("drafted by"), blank=True, related_name="drafted_plan_versions"
    )

    class Meta:
        ordering = ["plan", "number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_unique")]

    def __str__(self):
        return f"{self.plan} v{self.number}"


class DepartmentStaff(models.Model):
    """Ties a department user to the organisation they work for.

    A user of the ``department`` role sees and submits the plans of this organisation (and of
    its child organisations). One organisation per user: a person who moves gets a new row.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("account"), on_delete=models.CASCADE, related_name="department_staff"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="staff"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("department staff member")
        verbose_name_plural = _("department staff")

    def __str__(self):
        return f"{self.user} — {self.organization}"


def default_criteria():
    """A new review's criteria: the known keys without a stored label, each named in the reader's
    language when shown (``reviews.criteria.label``)."""
    return criteria_defaults()


def default_rules():
    """Composition and eligibility rules; stored on the review and copied into each draw."""
    return {
        "government_share_max": [1, 3],  # at most 1/3 of the panel from government bodies
        "one_per_organization": True,
        "each_category": True,  # at least one of each category when the roster allows
        "exclude_earlier_versions": True,  # who evaluated an earlier version of the plan
        "exclude_drafters": True,  # who drafted this or an earlier version of the plan
        "load_cap_per_quarter": 4,
        "alternates": 10,
    }


class Review(models.Model):
    """One evaluation of one plan version. Its state moves only through ``reviews.states.transition``."""

    class Mode(models.TextChoices):
        WRITTEN = "written", _("Written consultation")
        MEETING = "meeting", _("Meeting")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        DRAWING = "drawing", _("Drawing")
        INVITING = "inviting", _("Inviting")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        CONSOLIDATED = "consolidated", _("Consolidated")
        RESPONDED = "responded", _("Responded")
        ARCHIVED = "archived", _("Archived")

    class Blind(models.TextChoices):
        UNTIL_OWN_SUBMISSION = "until_own_submission", _("Others' opinions after one's own submission")
        UNTIL_CLOSED = "until_closed", _("Others' opinions only after the review closes")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="reviews")
    plan_version = models.ForeignKey(
        PlanVersion, verbose_name=_("plan version"), on_delete=models.PROTECT, related_name="reviews"
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode.choices, default=Mode.WRITTEN)
    opens_at = models.DateTimeField(_("opens"))
    due_at = models.DateTimeField(_("due"))
    meeting_at = models.DateTimeField(_("meeting time"), null=True, blank=True)
    location = models.CharField(_("place"), max_length=200, blank=True, help_text=_("Address, or 'online'."))
    panel_size = models.PositiveSmallIntegerField(_("panel size"), default=5)
    required_domains = models.ManyToManyField(
        Domain, verbose_name=_("required domains"), related_name="reviews", blank=True
    )
    rules = models.JSONField(_("composition rules"), default=default_rules, blank=True)
    criteria = models.JSONField(_("scoring criteria"), default=default_criteria, blank=True)
    blind = models.CharField(_("blindness"), max_length=30, choices=Blind.choices, default=Blind.UNTIL_OWN_SUBMISSION)
    reply_days = models.PositiveSmallIntegerField(
        _("days to answer an invitation"), default=3, help_text=_("After this, a reminder, then the next alternate.")
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    chair = models.ForeignKey(
        Expert, verbose_name=_("panel chair"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    calendar_sequence = models.PositiveIntegerField(_("calendar sequence"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    history = HistoricalRecords(m2m_fields=[required_domains])

    class Meta:
        ordering = ["-opens_at", "-id"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.CheckConstraint(condition=models.Q(due_at__gt=models.F("opens_at")), name="review_due_after_open"),
            models.CheckConstraint(condition=models.Q(panel_size__gte=1), name="review_panel_size_positive"),
        ]

    def __str__(self):
        return f"{self.plan} ({self.opens_at:%Y-%m-%d})"


class ReviewEvent(models.Model):
    """One entry of a review's event log: what the live channel said, kept so that a client
    that missed messages can catch up (``/api/v1/reviews/{id}/events/?after=<seq>``).

    ``seq`` increases by one per review; written only by ``reviews.events.emit_review_event``.
    """

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(_("sequence"))
    type = models.CharField(_("type"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        db_table = "consultations_reviewevent"  # kept from the app that owned it first
        ordering = ["review", "seq"]
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        constraints = [models.UniqueConstraint(fields=["review", "seq"], name="review_event_seq_unique")]

    def __str__(self):
        return f"{self.review_id}#{self.seq} {self.type}"


class DrawCommitment(models.Model):
    """What a draw is bound to before its random value exists: the eligible pool and the exclusions
    frozen, the rules, the algorithm, the public value to come (``beacon``) and the witnesses, with
    the SHA-256 ``digest`` of their canonical JSON (``reviews.draw.record``, docs/draw-record.md).
    One per review; the draw runs on this pool. An unwitnessed draw has one too (source "system")."""

    review = models.OneToOneField(
        Review, verbose_name=_("review"), on_delete=models.PROTECT, related_name="draw_commitment"
    )
    pool = models.JSONField(_("eligible pool"))
    pool_hash = models.CharField(_("pool SHA-256"), max_length=64)
    excluded = models.JSONField(_("excluded experts"), default=dict)
    rules = models.JSONField(_("rules"))
    algorithm = models.CharField(_("algorithm version"), max_length=50)
    beacon = models.JSONField(_("public value to come"), help_text=_("source, round, when it becomes public"))
    witnesses = models.JSONField(_("witnesses present"), default=list, blank=True)
    batch = models.CharField(_("batch"), max_length=40, blank=True, db_index=True)
    digest = models.CharField(_("digest (SHA-256)"), max_length=64)
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("committed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    committed_by_name = models.CharField(_("committed by (name)"), max_length=150, blank=True)  # in the digest
    committed_at = models.DateTimeField(_("committed"), default=timezone.now)
    history = HistoricalRecords(excluded_fields=["pool", "excluded"])  # as Draw: the digest guards them

    class Meta:
        verbose_name = _("draw commitment")
        verbose_name_plural = _("draw commitments")

    def __str__(self):
        return f"{self.review_id} — {self.digest[:12]}"

    @property
    def witnessed(self):
        return self.beacon.get("source") != "system"


class Draw(models.Model):
    """The random selection of a review's panel, kept with everything needed to replay it.

    One per review (the unique review is what makes exactly one of two concurrent draws win).
    Draws made before commitments existed have none: legacy, their seed typed or taken freely.
    """

    class SeedSource(models.TextChoices):
        BEACON = "beacon", _("Public value + witnesses")
        UNWITNESSED = "unwitnessed", _("Unwitnessed (system randomness)")
        WITNESSED = "witnessed", _("Legacy: seed typed by hand, not committed")
        SYSTEM = "system", _("Legacy: system seed, not committed")

    LEGACY_SOURCES = (SeedSource.WITNESSED, SeedSource.SYSTEM)

    review = models.OneToOneField(Review, verbose_name=_("review"), on_delete=models.PROTECT, related_name="draw")
    commitment = models.OneToOneField(
        DrawCommitment, verbose_name=_("commitment"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="draw",
    )  # fmt: skip
    seed = models.CharField(_("seed"), max_length=200)
    seed_source = models.CharField(_("seed source"), max_length=20, choices=SeedSource.choices)
    beacon_value = models.CharField(_("public value"), max_length=200, blank=True)
    beacon_signature = models.CharField(_("public value's signature"), max_length=400, blank=True)
    witness_inputs = models.JSONField(_("witness inputs"), default=list, blank=True)
    rules = models.JSONField(_("rules"))
    algorithm = models.CharField(_("algorithm version"), max_length=50)
    method = models.CharField(_("method"), max_length=20, help_text=_("scan, or exact (integer program)"))
    solver = models.CharField(_("solver and version"), max_length=100, blank=True)
    pool = models.JSONField(_("eligible pool"))
    pool_hash = models.CharField(_("pool SHA-256"), max_length=64)
    excluded = models.JSONField(_("excluded experts"), default=list)
    selected = models.JSONField(_("panel"), default=list)
    alternates = models.JSONField(_("ranked alternates"), default=list)
    batch = models.CharField(_("batch"), max_length=40, blank=True, db_index=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("drawn by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    drawn_at = models.DateTimeField(_("drawn"), default=timezone.now)
    # The pool and the exclusions are written once and guarded by ``pool_hash``; the history keeps
    # the rest, so a batch of 500 draws does not store every pool twice.
    history = HistoricalRecords(excluded_fields=["pool", "excluded"])

    class Meta:
        ordering = ["-drawn_at", "-id"]
        verbose_name = _("draw")
        verbose_name_plural = _("draws")

    def __str__(self):
        return f"{self.review} — {self.pool_hash[:8]}"


class DrawChange(models.Model):
    """The draw's history after the draw itself: declines, no answers, replacements."""

    class Kind(models.TextChoices):
        DECLINED = "declined", _("Declined; next alternate invited")
        NO_ANSWER = "no_answer", _("No answer; next alternate invited")
        REPLACED = "replaced", _("Replaced by the secretariat")
        WITHDRAWN = "withdrawn", _("Withdrew")
        EXHAUSTED = "exhausted", _("No alternate left")

    draw = models.ForeignKey(Draw, verbose_name=_("draw"), on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    expert_out = models.ForeignKey(
        Expert, verbose_name=_("leaving"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    expert_in = models.ForeignKey(
        Expert, verbose_name=_("joining"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("draw change")
        verbose_name_plural = _("draw changes")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.expert_out} → {self.expert_in}"


class Assignment(models.Model):
    """One expert on one review: invited, accepted, declined, replaced, withdrawn."""

    class State(models.TextChoices):
        INVITED = "invited", _("Invited")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("No answer")
        REPLACED = "replaced", _("Replaced")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ACTIVE_STATES = (State.INVITED, State.ACCEPTED)

    review = models.ForeignKey(Review, verbose_name=_("review"), on_delete=models.PROTECT, related_name="assignments")
    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="assignments")
    draw = models.ForeignKey(
        Draw, verbose_name=_("draw"), null=True, blank=True, on_delete=models.PROTECT, related_name="assignments"
    )
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.INVITED, db_index=True)
    invited_at = models.DateTimeField(_("invited"), default=timezone.now)
    reply_by = models.DateTimeField(_("answer by"))
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    no_conflict_text = models.TextField(_("declaration of no conflict"), blank=True)
    confidentiality_text = models.TextField(_("confidentiality undertaking"), blank=True)
    decline_reason = models.CharField(_("reason for declining"), max_length=500, blank=True)
    end_reason = models.CharField(_("reason for replacement or withdrawal"), max_length=500, blank=True)
    due_reminders = models.JSONField(_("due-date reminders sent (days before)"), default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["review", "invited_at", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["review", "expert"], name="assignment_once_per_review"),
        ]

    def __str__(self):
        return f"{self.expert} — {self.review}"


class ReviewUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key permissions on reviews (granted by reviews.permissions)."""

    content_object = models.ForeignKey(Review, on_delete=models.CASCADE)


class PlanUserObjectPermission(UserObjectPermissionBase):
    """Guardian's direct foreign-key permissions on plans (granted by reviews.permissions)."""

    content_object = models.ForeignKey(Plan, on_delete=models.CASCADE)
