"""Writes for the roster and the accounts every role shares. Each write checks its actor
(``by``) against ``rules`` itself; ``by=None`` is the system (commands, tasks, the demo)."""

import re
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from experts import audit, roles, rules
from experts.banking import clean_bank_details
from experts.models import Conflict, Domain, Expert, Organization, Unavailability, UserPreference
from experts.names import name_initials, name_pinyin
from experts.photos import process_photo
from experts.strokes import stroke_key


@transaction.atomic
def set_large_text(user, *, enabled):
    preference, _ = UserPreference.objects.select_for_update().get_or_create(user=user)
    preference.large_text = bool(enabled)
    preference.save(update_fields=["large_text"])
    return preference


# --- the roster ---------------------------------------------------------------------------

# Which status may follow which. Every status change goes through change_expert_status.
STATUS_TRANSITIONS = {
    Expert.Status.CANDIDATE: {Expert.Status.ACTIVE, Expert.Status.DISMISSED},
    Expert.Status.ACTIVE: {Expert.Status.SUSPENDED, Expert.Status.EXPIRED, Expert.Status.DISMISSED},
    Expert.Status.SUSPENDED: {Expert.Status.ACTIVE, Expert.Status.EXPIRED, Expert.Status.DISMISSED},
    Expert.Status.EXPIRED: {Expert.Status.ACTIVE, Expert.Status.DISMISSED},
    Expert.Status.DISMISSED: set(),
}


def _save_with_history(instance, *, by, reason, **kwargs):
    instance._history_user = by
    instance._change_reason = reason
    instance.save(**kwargs)
    return instance


def _fill_derived_name_fields(expert):
    expert.name_pinyin = name_pinyin(expert.name)
    expert.name_initials = name_initials(expert.name)
    expert.stroke_key = stroke_key(expert.name)


MOBILE_RE = re.compile(r"^(\+86)?1\d{10}$")

# What an expert may change on their own record; everything else is the secretariat's.
SELF_SERVICE_FIELDS = (
    "mobile",
    "email",
    "preferred_channel",
    "biography",
    "bank_name",
    "bank_branch",
    "account_holder",
    "account_number",
)


def clean_mobile(value):
    """Digits, optionally ``+86``: spaces and dashes are dropped; anything else is refused."""
    value = re.sub(r"[\s-]", "", value or "")
    if value and not MOBILE_RE.match(value):
        raise ValidationError(
            {"mobile": _("Enter a mobile number of 11 digits starting with 1, optionally preceded by +86.")}
        )
    return value


def _domain_objects(domains):
    codes = [getattr(d, "code", d) for d in domains]
    found = list(Domain.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {d.code for d in found})
    if missing:
        raise ValidationError({"domains": _("Unknown domain codes: %(codes)s.") % {"codes": ", ".join(missing)}})
    return found


def _validate(expert, *, exclude=()):
    expert.mobile = clean_mobile(expert.mobile)
    clean_bank_details(expert)
    expert.full_clean(exclude=["user", *exclude])


@transaction.atomic
def create_expert(*, by, reason, domains=(), username=None, password=None, send_sign_in=True, **fields):
    """Put a person on the roster, with an expert account when ``username`` is given.

    A new account's sign-in details (username, address, the one-time-code sign-in) go to the
    expert by email and SMS after commit, unless ``send_sign_in`` is false (demo data).
    The primary domain is always one of the expert's domains. Raises ``ValidationError``;
    ``PermissionDenied`` unless ``by`` manages the roster.
    """
    rules.require(rules.may_manage_roster, by)
    if fields.get("status", Expert.Status.CANDIDATE) not in Expert.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    expert = Expert(**fields)
    if not expert.key:
        expert.key = f"EXP-{secrets.token_hex(4).upper()}"
    _fill_derived_name_fields(expert)
    _validate(expert)
    domain_objects = _domain_objects(domains)
    if username:
        expert.user = _create_account(expert, username=username, password=password)
    _save_with_history(expert, by=by, reason=reason)
    if expert.primary_domain_id and expert.primary_domain_id not in {d.pk for d in domain_objects}:
        domain_objects.append(expert.primary_domain)
    if domain_objects:
        expert.domains.set(domain_objects)
    if expert.user_id and send_sign_in:
        transaction.on_commit(lambda: send_sign_in_details(expert))
    return expert


def send_sign_in_details(expert):
    """Tell a newly appointed expert how to sign in: no password travels, the expert signs in
    with a one-time code sent to the mobile or email the secretariat holds."""
    from django.conf import settings
    from django.urls import reverse

    from core.notify import send_email
    from experts.notices import outbox

    address = settings.WAGTAILADMIN_BASE_URL.rstrip("/") + reverse("signin-code")
    username = expert.user.get_username()
    text = _(
        "%(name)s, you have been appointed to the expert advisory committee. Your username is %(username)s. "
        "Sign in at %(address)s with a one-time code sent to this phone or email."
    ) % {"name": expert.name, "username": username, "address": address}
    outbox.queue_sms(expert, kind="appointment", params={"name": expert.name, "username": username})
    if outbox.wants_email(expert):
        subject = _("Your sign-in to the expert advisory committee")
        sent = send_email(expert.email, subject=subject, text=text)
        outbox.record_email(expert, kind="appointment", subject=subject, sent=sent)


def _create_account(expert, *, username, password):
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("This username is already taken.")})
    user = User(username=username, first_name=expert.name[1:], last_name=expert.name[:1], email=expert.email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get(name=roles.EXPERT))
    return user


def _changed_fields(expert, fields):
    changed = {}
    for name, value in fields.items():
        field = expert._meta.get_field(name)
        current = getattr(expert, field.attname if field.is_relation else name)
        new = value.pk if field.is_relation and value is not None and hasattr(value, "pk") else value
        if current != new:
            changed[name] = value
    return changed


def update_expert(expert, *, by, reason, domains=None, **fields):
    """Change roster fields (never the status: see ``change_expert_status``), if ``by`` manages
    the roster.

    Saves, and so records history, only when something actually changed; returns the expert.
    """
    rules.require(rules.may_manage_roster, by)
    return _update_expert(expert, by=by, reason=reason, domains=domains, **fields)


@transaction.atomic
def _update_expert(expert, *, by, reason, domains=None, **fields):
    if "status" in fields:
        raise ValidationError({"status": _("Change the status with suspend, renew or dismiss, giving a reason.")})
    if "mobile" in fields:
        fields["mobile"] = clean_mobile(fields["mobile"])
    changed = _changed_fields(expert, fields)
    domain_objects = None
    if domains is not None:
        domain_objects = _domain_objects(domains)
        primary = changed.get("primary_domain", expert.primary_domain)
        if primary is not None and primary.pk not in {d.pk for d in domain_objects}:
            domain_objects.append(primary)
        if {d.pk for d in domain_objects} == set(expert.domains.values_list("pk", flat=True)):
            domain_objects = None
    if not changed and domain_objects is None:
        return expert
    for name, value in changed.items():
        setattr(expert, name, value)
    _fill_derived_name_fields(expert)
    _validate(expert)
    if domain_objects is not None:
        # Set the domains without a record of their own: the save below records them with the rest.
        expert.skip_history_when_saving = True
        try:
            expert.domains.set(domain_objects)
        finally:
            del expert.skip_history_when_saving
    return _save_with_history(expert, by=by, reason=reason)


def update_own_profile(expert, *, by, **fields):
    """What an expert may change themself: contact and bank details, and the biography."""
    rules.require(rules.may_keep_own_record, by, expert)
    unknown = set(fields) - set(SELF_SERVICE_FIELDS)
    if unknown:
        raise ValidationError(_("Only contact and bank details and the biography can be changed here."))
    return _update_expert(expert, by=by, reason=_("Changed by the expert"), **fields)


@transaction.atomic
def change_expert_status(expert, *, status, by, reason):
    """Move an expert to ``status`` if the transition table allows it; a reason is required."""
    rules.require(rules.may_manage_roster, by)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if status == expert.status:
        return expert
    if status not in STATUS_TRANSITIONS[expert.status]:
        raise ValidationError(
            _("An expert who is %(current)s cannot become %(new)s.")
            % {"current": expert.get_status_display(), "new": Expert.Status(status).label},
            code="transition",
        )
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason for the change of status."), code="reason")
    expert.status = status
    expert.status_reason = reason.strip()
    audit.record(audit.EXPERT_STATUS, actor=by, obj=expert, outcome=audit.SUCCESS, status=status)
    return _save_with_history(expert, by=by, reason=reason.strip())


@transaction.atomic
def set_expert_photo(expert, *, upload, by):
    """Check, clean and store a photo. Raises ``ValidationError`` and stores nothing when it fails."""
    rules.require(rules.may_keep_own_record, by, expert)
    display, thumbnail = process_photo(upload)
    # A fresh, locked copy: the caller's object may predate a status change it would overwrite.
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    old = (expert.photo.name, expert.photo_thumb.name)
    expert.photo.save(display.name, display, save=False)
    expert.photo_thumb.save(thumbnail.name, thumbnail, save=False)
    _save_with_history(expert, by=by, reason=_("Photo changed"))
    storage = expert.photo.storage

    def remove_old():
        for name in old:
            if name:
                storage.delete(name)

    transaction.on_commit(remove_old)
    return expert


@transaction.atomic
def renew_term(expert, *, term_start, term_end, appointment_letter="", by, reason):
    """A new term of appointment; an expired or suspended expert becomes active again."""
    rules.require(rules.may_manage_roster, by)
    if term_start and term_end and term_end < term_start:
        raise ValidationError({"term_end": _("The term cannot end before it starts.")})
    if term_end is None or term_end < timezone.localdate():
        raise ValidationError({"term_end": _("A renewed term must end in the future.")})
    if not (reason or "").strip():
        raise ValidationError(_("Give a reason for the change of status."), code="reason")
    if expert.status == Expert.Status.DISMISSED:
        raise ValidationError(_("A dismissed expert cannot be renewed."), code="transition")
    fields = {"term_start": term_start, "term_end": term_end}
    if appointment_letter:
        fields["appointment_letter"] = appointment_letter
    update_expert(expert, by=by, reason=reason.strip(), **fields)
    if expert.status != Expert.Status.ACTIVE:
        expert = change_expert_status(expert, status=Expert.Status.ACTIVE, by=by, reason=reason)
    return expert


def expire_terms(*, today=None, by=None):
    """Every active or suspended expert whose term ended before ``today`` becomes ``expired``.

    Returns the experts changed. Each change is its own transaction and history record.
    """
    today = today or timezone.localdate()
    due = Expert.objects.filter(
        status__in=[Expert.Status.ACTIVE, Expert.Status.SUSPENDED], term_end__lt=today
    ).order_by("id")
    reason = _("Term of appointment ended on %(date)s")
    return [
        change_expert_status(expert, status=Expert.Status.EXPIRED, by=by, reason=reason % {"date": expert.term_end})
        for expert in due
    ]


# --- conflicts and unavailable periods ---------------------------------------------------


@transaction.atomic
def declare_conflict(expert, *, organization, reason, until=None, by):
    rules.require(rules.may_keep_own_record, by, expert)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say what the conflict is.")})
    if until is not None and until < timezone.localdate():
        raise ValidationError({"until": _("The date is in the past.")})
    conflict = Conflict(expert=expert, organization=organization, reason=reason.strip(), until=until, declared_by=by)
    conflict.full_clean(exclude=["declared_by"])  # None when a script or the demo declares it
    audit.record(audit.CONFLICT_DECLARE, actor=by, obj=expert, outcome=audit.SUCCESS, organization=organization.pk)
    return _save_with_history(conflict, by=by, reason=_("Conflict declared"))


@transaction.atomic
def withdraw_conflict(conflict, *, by):
    rules.require(rules.may_keep_own_record, by, conflict.expert)
    conflict._history_user = by
    conflict._change_reason = _("Conflict withdrawn")
    audit.record(audit.CONFLICT_WITHDRAW, actor=by, obj=conflict.expert, outcome=audit.SUCCESS, conflict=conflict.pk)
    conflict.delete()


@transaction.atomic
def add_unavailability(expert, *, starts_on, ends_on, note="", by):
    rules.require(rules.may_keep_own_record, by, expert)
    if starts_on is None or ends_on is None:
        raise ValidationError(_("Give the first and the last day."))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The last day cannot be before the first.")})
    if ends_on < timezone.localdate():
        raise ValidationError({"ends_on": _("The period is already over.")})
    period = Unavailability(expert=expert, starts_on=starts_on, ends_on=ends_on, note=(note or "").strip())
    period.full_clean()
    return _save_with_history(period, by=by, reason=_("Unavailable period added"))


@transaction.atomic
def remove_unavailability(period, *, by):
    rules.require(rules.may_keep_own_record, by, period.expert)
    period._history_user = by
    period._change_reason = _("Unavailable period removed")
    period.delete()


# --- organisations ------------------------------------------------------------------------


@transaction.atomic
def create_organization(*, by, name, kind=Organization.Kind.OTHER, parent=None, credit_code=""):
    rules.require(rules.may_manage_roster, by)
    organization = Organization(name=(name or "").strip(), kind=kind, parent=parent, credit_code=credit_code or "")
    organization.full_clean()
    return _save_with_history(organization, by=by, reason=_("Organisation added"))
