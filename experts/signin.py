"""Sign-in: the password policy, the lockout, the audit of sign-ins, and disabling an account.

The lockout keeps no table of its own: it counts the audit trail's ``signin.failed`` records.
Five failures for one username from one address within 15 minutes lock that pair for 15
minutes (``signin.locked``); an attacker elsewhere cannot lock a named user out, because the
lock holds only for the address the failures came from. Many failures from one address across
usernames lock the address. During a lock even the right password does not sign in, and the
hasher still runs, so neither the message nor the timing tells a locked or unknown user from a
wrong password.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from experts import audit
from experts.models import ApiToken, AuditRecord

# ---------------------------------------------------------------- the password policy

CHARACTER_CLASSES = (
    ("lowercase letters", re.compile(r"[a-z]")),
    ("uppercase letters", re.compile(r"[A-Z]")),
    ("digits", re.compile(r"[0-9]")),
    ("symbols", re.compile(r"[^A-Za-z0-9]")),
)


class CharacterClassesValidator:
    """At least ``min_classes`` of: lowercase, uppercase, digits, symbols (any other character,
    Chinese included, counts as a symbol)."""

    def __init__(self, min_classes=3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        used = sum(1 for _name, pattern in CHARACTER_CLASSES if pattern.search(password or ""))
        if used < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return ngettext(
            "Your password must mix at least %(n)d kind of character: "
            "lowercase letters, uppercase letters, digits, symbols.",
            "Your password must mix at least %(n)d kinds of characters: "
            "lowercase letters, uppercase letters, digits, symbols.",
            self.min_classes,
        ) % {"n": self.min_classes}

    def password_changed(self, password, user=None):
        """Django calls this after a new password is saved: the audit trail is also the record
        of when each password was set (used by the optional change interval)."""
        if user is not None and user.pk:
            audit.record(
                audit.PASSWORD_CHANGED, actor=None, obj=user, outcome=audit.SUCCESS, username=user.get_username()
            )


def password_expired(user, *, now=None):
    """True when ``PASSWORD_MAX_AGE_DAYS`` (0: off, the default) has passed since the password was set."""
    days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0) or 0)
    if days <= 0 or not user.is_authenticated:
        return False
    last = (
        AuditRecord.objects.filter(action=audit.PASSWORD_CHANGED, object_type="auth.user", object_id=str(user.pk))
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    ) or user.date_joined
    return last < (now or timezone.now()) - timedelta(days=days)


# ---------------------------------------------------------------- the lockout


def _limits():
    return (
        int(getattr(settings, "SIGNIN_FAILURE_LIMIT", 5)),
        int(getattr(settings, "SIGNIN_ADDRESS_FAILURE_LIMIT", 20)),
        timedelta(minutes=int(getattr(settings, "SIGNIN_LOCKOUT_MINUTES", 15))),
    )


def is_locked(username, address, *, now=None):
    """A lock on this username from this address, or on the address, started within the lockout."""
    _limit, _address_limit, period = _limits()
    since = (now or timezone.now()) - period
    return AuditRecord.objects.filter(
        Q(actor_username=username) | Q(actor_username=""), action=audit.SIGNIN_LOCKED, address=address, at__gt=since
    ).exists()


def _failures_since_reset(address, *, username=None, now):
    """Failures in the window that came after the last success or lock of the same key."""
    _limit, _address_limit, period = _limits()
    key = Q(address=address) & (Q(actor_username=username) if username is not None else Q())
    if username is None:
        resets = Q(action=audit.SIGNIN_LOCKED, actor_username="")
    else:
        resets = Q(action__in=[audit.SIGNIN, audit.SIGNIN_LOCKED], actor_username=username)
    last_reset = AuditRecord.objects.filter(key & resets).order_by("-at").values_list("at", flat=True).first()
    since = max(filter(None, [now - period, last_reset]))
    return AuditRecord.objects.filter(key, action=audit.SIGNIN_FAILED, at__gt=since).count()


def _lock_if_needed(username, request):
    limit, address_limit, period = _limits()
    address = audit.client_address(request)
    now = timezone.now()
    minutes = int(period.total_seconds() // 60)
    if _failures_since_reset(address, username=username, now=now) >= limit:
        audit.record(
            audit.SIGNIN_LOCKED,
            actor=None,
            request=request,
            outcome=audit.DENIED,
            username=username,
            scope="user",
            minutes=minutes,
        )
    elif address is not None and _failures_since_reset(address, now=now) >= address_limit:
        audit.record(
            audit.SIGNIN_LOCKED,
            actor=None,
            request=request,
            outcome=audit.DENIED,
            username="",
            scope="address",
            minutes=minutes,
        )


class LockoutModelBackend(ModelBackend):
    """Django's ModelBackend behind the lock: while locked nothing signs in, and the hasher runs."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is not None and is_locked(str(username), audit.client_address(request)):
            get_user_model()().set_password(password or "")  # same work as a real check
            if request is not None:
                request._signin_locked = True
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


# ---------------------------------------------------------------- the audit of sign-ins


@receiver(user_login_failed, dispatch_uid="experts.signin.failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or credentials.get(get_user_model().USERNAME_FIELD) or "")[:150]
    if request is not None and getattr(request, "_signin_locked", False):
        audit.record(
            audit.SIGNIN_REFUSED, actor=None, request=request, outcome=audit.DENIED, username=username, reason="locked"
        )
        return
    audit.record(audit.SIGNIN_FAILED, actor=None, request=request, outcome=audit.FAILURE, username=username)
    _lock_if_needed(username, request)


@receiver(user_logged_in, dispatch_uid="experts.signin.in")
def _on_logged_in(sender, request, user, **kwargs):
    audit.record(audit.SIGNIN, actor=user, request=request, outcome=audit.SUCCESS)


@receiver(user_logged_out, dispatch_uid="experts.signin.out")
def _on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(audit.SIGNOUT, actor=user, request=request, outcome=audit.SUCCESS)


# ---------------------------------------------------------------- disabling an account


def _sessions_of(user):
    now = timezone.now()
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            yield session.pk


@transaction.atomic
def disable_user(user, *, by, reason, request=None):
    """Disable ``user``: no more sign-ins, every session deleted, every API token revoked, and
    every open socket told to close (after commit). Returns the user."""
    from core import live as realtime

    user.is_active = False
    user.save(update_fields=["is_active"])
    Session.objects.filter(pk__in=list(_sessions_of(user))).delete()
    revoked = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(
        audit.ACCOUNT_DISABLED,
        actor=by,
        request=request,
        obj=user,
        outcome=audit.SUCCESS,
        reason=reason,
        tokens_revoked=revoked,
    )
    realtime.send_after_commit(realtime.user_group(user.pk), {"type": "account.disabled"})
    return user


class PasswordExpiryMiddleware:
    """With ``PASSWORD_MAX_AGE_DAYS`` set, a signed-in user whose password is older is sent to
    change it before anything else (off by default: see docs/security.md for why)."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and password_expired(request.user)
        ):
            from django.shortcuts import redirect

            return redirect("password_change")
        return self.get_response(request)


# ---------------------------------------------------------------- one-time sign-in codes (experts)

CODE_MINUTES = 5
CODE_ATTEMPTS = 5
CODES_PER_WINDOW = 3  # per user and per address, in the lockout window


def _code_digest(user_id, code):
    import hashlib
    import hmac

    return hmac.new(settings.SECRET_KEY.encode(), f"{user_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _expert_of(username):
    from experts.models import Expert

    return (
        Expert.objects.select_related("user")
        .filter(user__username=username, user__is_active=True, status=Expert.Status.ACTIVE)
        .first()
    )


def send_signin_code(username, *, request=None):
    """Send a six-digit code to the active expert ``username`` by SMS (email if no mobile).
    Says nothing about whether the user exists: the caller shows the same page either way.
    At most three codes per user and per address in 15 minutes. Returns True if one was sent."""
    import secrets

    from core.notify import send_email
    from experts.models import SignInCode
    from experts.notices import outbox

    address = audit.client_address(request)
    _limit, _address_limit, period = _limits()
    since = timezone.now() - period
    recent = AuditRecord.objects.filter(action=audit.SIGNIN_CODE_SENT, at__gt=since)
    expert = _expert_of(username)
    if (
        expert is None
        or is_locked(username, address)
        or recent.filter(actor_username=username).count() >= CODES_PER_WINDOW
        or (address and recent.filter(address=address).count() >= CODES_PER_WINDOW)
    ):
        get_user_model()().set_password("x")  # comparable work whatever the reason
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    SignInCode.objects.create(
        user=expert.user,
        digest=_code_digest(expert.user_id, code),
        expires_at=timezone.now() + timedelta(minutes=CODE_MINUTES),
    )
    params = {"code": code, "minutes": CODE_MINUTES}
    if "sms" in outbox.channels_for(expert):
        outbox.queue_sms(expert, kind="signin_code", params=params)
    elif expert.email:  # a code is not worth keeping: the mail goes now and is not recorded with it
        text = _("Your sign-in code is %(code)s. It works once, for %(minutes)d minutes.") % params
        sent = send_email(expert.email, subject=_("Sign-in code"), text=text)
        outbox.record_email(expert, kind="signin_code", subject=_("Sign-in code"), sent=sent)
    audit.record(audit.SIGNIN_CODE_SENT, actor=None, request=request, outcome=audit.SUCCESS, username=username)
    return True


@transaction.atomic
def user_for_code(username, code, *, request=None):
    """The user if ``code`` is their latest unused, unexpired code; else ``None`` (and a failed
    sign-in for the lockout). A code works once and survives five wrong tries at most."""
    from experts.models import SignInCode

    address = audit.client_address(request)
    expert = None if is_locked(username, address) else _expert_of(username)
    candidate = (
        SignInCode.objects.select_for_update()
        .filter(user=expert.user, used_at__isnull=True, expires_at__gt=timezone.now(), attempts__lt=CODE_ATTEMPTS)
        .order_by("-created_at")
        .first()
        if expert
        else None
    )
    import hmac

    digest = _code_digest(candidate.user_id if candidate else 0, str(code or "").strip())
    if candidate is not None and hmac.compare_digest(candidate.digest, digest):
        candidate.used_at = timezone.now()
        candidate.save(update_fields=["used_at"])
        return expert.user
    if candidate is not None:
        candidate.attempts += 1
        candidate.save(update_fields=["attempts"])
    user_login_failed.send(sender=__name__, credentials={"username": username}, request=request)
    return None
