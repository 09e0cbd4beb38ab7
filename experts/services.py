"""Writes for the roster and the accounts every role shares."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import roles
from .models import ApiToken, Domain, Expert, UserPreference
from .names import name_initials, name_pinyin
from .photos import process_photo
from .strokes import stroke_key


def token_digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(*, username, password, request=None):
    """Check the credentials and return ``(raw_token, ApiToken)``, or ``None`` when they fail."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    raw = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        digest=token_digest(raw),
        expires_at=timezone.now() + timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS),
    )
    return raw, token


def revoke_api_token(token):
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    return token


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


@transaction.atomic
def create_expert(*, by, reason, domains=(), username=None, password=None, **fields):
    """Put a person on the roster, with an expert account when ``username`` is given."""
    expert = Expert(**fields)
    _fill_derived_name_fields(expert)
    if username:
        User = get_user_model()
        user = User(username=username, first_name=expert.name[1:], last_name=expert.name[:1], email=expert.email)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get(name=roles.EXPERT))
        expert.user = user
    _save_with_history(expert, by=by, reason=reason)
    if domains:
        expert.domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in domains]))
    return expert


@transaction.atomic
def update_expert(expert, *, by, reason, domains=None, **fields):
    for name, value in fields.items():
        setattr(expert, name, value)
    _fill_derived_name_fields(expert)
    _save_with_history(expert, by=by, reason=reason)
    if domains is not None:
        expert.domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in domains]))
    return expert


@transaction.atomic
def change_expert_status(expert, *, status, by, reason):
    """Move an expert to ``status`` if the transition table allows it; a reason is required."""
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
    return _save_with_history(expert, by=by, reason=reason.strip())


@transaction.atomic
def set_expert_photo(expert, *, upload, by):
    """Check, clean and store a photo. Raises ``ValidationError`` and stores nothing when it fails."""
    display, thumbnail = process_photo(upload)
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
