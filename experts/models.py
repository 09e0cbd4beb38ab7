"""The roster: domains, organisations, experts, their conflicts and unavailable periods.

Also the few per-user records every role shares: API tokens and display preferences.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from experts.names import search_columns


class Domain(models.Model):
    """A field of the industry taxonomy (the national classification's categories and below)."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = _("domain")
        verbose_name_plural = _("domains")

    def __str__(self):
        return f"{self.code} {self.name}"

    def display_name(self, language=None):
        from django.utils.translation import get_language

        language = language or get_language() or ""
        return self.name_en if language.startswith("en") and self.name_en else self.name


class Organization(models.Model):
    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body")
        ENTERPRISE = "enterprise", _("Enterprise")
        UNIVERSITY = "university", _("University")
        INSTITUTE = "institute", _("Research institute")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        renamed = not self._state.adding and Organization.objects.filter(pk=self.pk).exclude(name=self.name).exists()
        super().save(**kwargs)
        if renamed:  # the experts' search columns hold their employer's name
            refresh_search_columns(self.experts.all())


class Expert(models.Model):
    class Category(models.TextChoices):
        ENTREPRENEUR = "entrepreneur", _("Entrepreneur")
        SPECIALIST = "specialist", _("Specialist")
        SCHOLAR = "scholar", _("Scholar")

    class TitleLevel(models.TextChoices):
        SENIOR = "senior", _("Senior")
        DEPUTY_SENIOR = "deputy_senior", _("Deputy senior")
        INTERMEDIATE = "intermediate", _("Intermediate")
        NONE = "none", _("None")

    class Channel(models.TextChoices):
        SMS = "sms", _("Text message")
        EMAIL = "email", _("Email")
        BOTH = "both", _("Text message and email")

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("Candidate")
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")
        EXPIRED = "expired", _("Expired")
        DISMISSED = "dismissed", _("Dismissed")

    # Fields an expert may choose to show on the public site (name always shows).
    PUBLIC_FIELD_CHOICES = ("title", "position", "employer", "domains", "biography", "photo")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="expert",
    )
    key = models.CharField(
        _("roster key"),
        max_length=40,
        unique=True,
        help_text=_("A stable identifier used to match rows when a workbook is imported again."),
    )
    name = models.CharField(_("name"), max_length=50)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=200, blank=True, editable=False)
    name_initials = models.CharField(_("pinyin initials"), max_length=20, blank=True, editable=False, db_index=True)
    stroke_key = models.CharField(_("stroke order key"), max_length=400, blank=True, editable=False, db_index=True)
    manual_order = models.PositiveIntegerField(_("manual order"), default=0)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("professional title"), max_length=100, blank=True)
    title_level = models.CharField(_("title level"), max_length=20, choices=TitleLevel.choices, default=TitleLevel.NONE)
    position = models.CharField(_("position"), max_length=100, blank=True)
    employer = models.ForeignKey(
        Organization,
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="experts",
    )
    domains = models.ManyToManyField(Domain, verbose_name=_("domains"), related_name="experts", blank=True)
    primary_domain = models.ForeignKey(
        Domain, verbose_name=_("primary domain"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    specialties = models.CharField(
        _("specialty tags"), max_length=500, blank=True, help_text=_("Separate tags with commas.")
    )
    biography = models.TextField(_("biography"), blank=True, max_length=2000)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, default=Channel.BOTH,
        help_text=_("How notices reach this expert; the other channel is used when this one has no address."),
    )  # fmt: skip
    # 院士 and nationally known experts: honoraria up to 50% above the senior rate (财科教〔2017〕128号)
    eminent = models.BooleanField(_("academician or nationally known expert"), default=False)
    # Where honoraria are paid (experts/banking.py checks them; the account number is masked on display)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_branch = models.CharField(_("bank branch"), max_length=100, blank=True)
    account_holder = models.CharField(_("account holder"), max_length=50, blank=True)
    account_number = models.CharField(_("account number"), max_length=30, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True)
    appointment_letter = models.CharField(_("appointment letter number"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.CANDIDATE, db_index=True
    )
    status_reason = models.CharField(_("reason for the status"), max_length=500, blank=True)
    photo = models.ImageField(_("photo"), upload_to="experts/photos/", blank=True, editable=False)
    photo_thumb = models.ImageField(_("photo thumbnail"), upload_to="experts/thumbs/", blank=True, editable=False)
    public_fields = models.JSONField(_("fields shown on the public site"), default=list, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    # What the roster search matches, for its indexes (experts/names.py::search_columns; the
    # trigram indexes exist on PostgreSQL only, migration 0004). Kept by ``save`` below.
    search_text = models.TextField(blank=True, default="", editable=False)
    search_grams = models.TextField(blank=True, default="", editable=False)
    history = HistoricalRecords(m2m_fields=[domains], excluded_fields=["search_text", "search_grams"])

    SEARCH_SOURCES = ("name", "name_pinyin", "name_initials", "key", "specialties", "employer_id")

    class Meta:
        ordering = ["stroke_key", "id"]
        verbose_name = _("expert")
        verbose_name_plural = _("experts")
        permissions = [("view_contact", _("Can see experts' contact details"))]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        """Refills the search columns when a field they hold changed since the row was read
        (bulk writes call ``fill_search_columns`` or ``refresh_search_columns`` themselves)."""
        update_fields = kwargs.get("update_fields")
        sources = {name.removesuffix("_id") for name in self.SEARCH_SOURCES}
        touches = update_fields is None or bool(sources & {name.removesuffix("_id") for name in update_fields})
        if touches and self._current_search_sources() != getattr(self, "_search_sources", None):
            self.fill_search_columns()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text", "search_grams"}
        super().save(**kwargs)
        self._search_sources = self._current_search_sources()

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        expert = super().from_db(db, field_names, values, **kwargs)
        expert._search_sources = expert._current_search_sources()
        return expert

    def _current_search_sources(self):
        loaded = self.__dict__  # not getattr: a deferred field would cost a query
        return tuple(loaded.get(name, models.DEFERRED) for name in self.SEARCH_SOURCES)

    def fill_search_columns(self, employer_name=None):
        """Compute ``search_text`` and ``search_grams`` from the fields they hold; returns the
        expert (``bulk_create(Expert(...).fill_search_columns() for ...)``)."""
        if employer_name is None:
            employer_name = self.employer.name if self.employer_id else ""
        self.search_text, self.search_grams = search_columns(
            name=self.name, pinyin=self.name_pinyin, initials=self.name_initials, key=self.key,
            specialties=self.specialties, employer=employer_name,
        )  # fmt: skip
        return self


def refresh_search_columns(experts):
    """Recompute the search columns of the experts of a queryset (an employer renamed)."""
    batch = []
    for expert in experts.select_related("employer").order_by("pk").iterator(chunk_size=1000):
        expert.fill_search_columns()
        batch.append(expert)
    Expert.objects.bulk_update(batch, ["search_text", "search_grams"], batch_size=500)


class Conflict(models.Model):
    """A declared conflict of interest with an organisation."""

    expert = models.ForeignKey(Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="conflicts")
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="conflicts"
    )
    reason = models.CharField(_("reason"), max_length=500)
    until = models.DateField(_("until"), null=True, blank=True, help_text=_("Leave empty for no end."))
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("declared by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("declared at"), default=timezone.now, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")

    def __str__(self):
        return f"{self.expert} — {self.organization}"


class Unavailability(models.Model):
    """A period in which an expert cannot be called on."""

    expert = models.ForeignKey(
        Expert, verbose_name=_("expert"), on_delete=models.CASCADE, related_name="unavailable_periods"
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = _("unavailable period")
        verbose_name_plural = _("unavailable periods")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="unavailability_ordered"
            )
        ]

    def __str__(self):
        return f"{self.starts_on} – {self.ends_on}"


class ApiToken(models.Model):
    """A bearer token for scripts (docs/api.md). Only its SHA-256 is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bearer_tokens")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"


class UserPreference(models.Model):
    """Display preferences remembered per user (large text)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    large_text = models.BooleanField(_("large text"), default=False)

    class Meta:
        verbose_name = _("preference")
        verbose_name_plural = _("preferences")

    def __str__(self):
        return str(self.user)


# --- the audit trail (experts/audit.py writes it; nothing changes or deletes it) ------------


class AuditImmutable(Exception):
    """Raised on any attempt to change or delete an audit record through the application."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditImmutable("audit records cannot be changed")

    def delete(self):
        raise AuditImmutable("audit records cannot be deleted")

    def _prune_older_than(self, cutoff):
        """Only ``experts.audit.prune`` calls this (inside the PostgreSQL trigger's allowance)."""
        return models.QuerySet.delete(self.filter(at__lt=cutoff))


class AuditRecord(models.Model):
    """One sensitive action: who, from where, what, on which object, with which outcome."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")
        DENIED = "denied", _("Denied")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: deleting a user must neither fail nor touch the trail.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_username = models.CharField(_("username"), max_length=150, blank=True, db_index=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=50, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    details = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        indexes = [models.Index(fields=["action", "at"], name="experts_audit_action_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutable("audit records cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutable("audit records cannot be deleted")


class SignInCode(models.Model):
    """A one-time sign-in code sent by SMS or email (experts/signin.py). Only its HMAC is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("sign-in code")
        verbose_name_plural = _("sign-in codes")
        indexes = [models.Index(fields=["user", "created_at"], name="experts_signincode_user")]

    def __str__(self):
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


from experts.notices.models import Notice  # noqa: E402, F401  the notices' table belongs to this app
