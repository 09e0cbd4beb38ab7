"""The second factor: a TOTP authenticator (django-otp) and backup codes.

Who needs it: every superuser and staff account and the roles in ``SECOND_FACTOR_ROLES`` (the
secretariat and the auditor, who enter ``/admin/``, and the commission and department staff, who
finalise and publish packages on the portal). Experts and the public do not. Such an account
signed in with a password only is halfway in: ``config.middleware.SecondFactorMiddleware`` sends
it to set up a device (no confirmed one yet) or to enter a code, before any page other than the
sign-in pages and the public assets, on the portal as in the back office. API tokens of such
accounts need a current code (``otp``) when issued.

Wrong codes follow the password lockout's numbers (experts/signin.py): five ``otp.failed``
records for one user within 15 minutes write a ``signin.locked`` record (``scope: otp``) that
refuses the second step for 15 minutes from any address (whoever is guessing already holds the
password) and password sign-ins from the address it came from. A password sign-in does not reset
the count, so signing in again does not buy more guesses. django-otp's own throttle is off
(``OTP_*_THROTTLE_FACTOR = 0``): one rule, the audited one.
"""

from base64 import b32encode

import django_otp
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from experts import audit, roles
from experts.models import AuditRecord
from experts.signin import _limits, is_locked

BACKUP_CODES = 10


class SecondFactorError(Exception):
    """A second factor was needed and not given (or wrong, or locked); ``str()`` says which."""


def requires_second_factor(user):
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return bool(roles.roles_of(user) & set(getattr(settings, "SECOND_FACTOR_ROLES", ())))


def totp_device(user):
    """The user's confirmed authenticator, or ``None``."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def has_second_factor(user):
    return totp_device(user) is not None


def is_verified(user):
    """True when this request's session was verified with a second factor (django-otp's flag)."""
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def pending_device(user):
    """The authenticator being set up: the same secret until confirmed (a reload shows it again)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def secret_of(device):
    """The secret as authenticator apps take it by hand (base32, in groups of four)."""
    raw = b32encode(device.bin_key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def qr_svg(device):
    """The ``otpauth://`` address as an inline SVG QR code (no script, no external request)."""
    import segno

    return mark_safe(segno.make(device.config_url, error="m").svg_inline(scale=5, border=2))  # noqa: S308 - our own SVG


# ---------------------------------------------------------------- the lockout of the second step


def locked(user, request=None, *, now=None):
    """The second step is refused: a second-factor lock on the user (any address), or the
    password lockout on this user and address."""
    _limit, _address_limit, period = _limits()
    since = (now or timezone.now()) - period
    username = user.get_username()
    return is_locked(username, audit.client_address(request), now=now) or (
        AuditRecord.objects.filter(
            action=audit.SIGNIN_LOCKED, actor_username=username, details__scope="otp", at__gt=since
        ).exists()
    )


def _failure(user, request, *, where):
    limit, _address_limit, period = _limits()
    now = timezone.now()
    username = user.get_username()
    audit.record(audit.OTP_FAILED, actor=user, request=request, outcome=audit.FAILURE, where=where)
    resets = AuditRecord.objects.filter(actor_username=username, action__in=[audit.OTP_VERIFIED, audit.OTP_ENROLLED])
    last_lock = (
        AuditRecord.objects.filter(actor_username=username, action=audit.SIGNIN_LOCKED, details__scope="otp")
        .values_list("at", flat=True)
        .order_by("-at")
        .first()
    )
    last_reset = resets.values_list("at", flat=True).order_by("-at").first()
    since = max(filter(None, [now - period, last_reset, last_lock]))
    failures = AuditRecord.objects.filter(actor_username=username, action=audit.OTP_FAILED, at__gt=since).count()
    if failures >= limit:
        audit.record(
            audit.SIGNIN_LOCKED,
            actor=None,
            request=request,
            outcome=audit.DENIED,
            username=username,
            scope="otp",
            minutes=int(period.total_seconds() // 60),
        )


def _refused(user, request, *, where):
    audit.record(
        audit.SIGNIN_REFUSED, actor=user, request=request, outcome=audit.DENIED, reason="otp-locked", where=where
    )


# ---------------------------------------------------------------- setting up and verifying


def confirm_enrolment(user, device, code, *, request=None):
    """Confirm the pending ``device`` with a code from the app. On success: the device counts,
    ``BACKUP_CODES`` new single-use backup codes replace any old ones, an ``otp.enrolled`` record
    is written and the codes are returned (to be shown once). ``None`` when the code is wrong
    (counted toward the lock) or the second step is locked."""
    if locked(user, request):
        _refused(user, request, where="enrol")
        return None
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
        ok = device is not None and device.verify_token(_clean(code))
        if ok:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
            codes = _new_backup_codes(user)
            audit.record(audit.OTP_ENROLLED, actor=user, request=request, obj=user, outcome=audit.SUCCESS)
    if not ok:
        _failure(user, request, where="enrol")
        return None
    return device, codes


def _new_backup_codes(user):
    static, _created = StaticDevice.objects.get_or_create(user=user, name="backup", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def _clean(code):
    return "".join(str(code or "").split()).lower()


def check_code(user, code, *, request=None, where="verify"):
    """The device that accepts ``code`` (a current authenticator code, or an unused backup code,
    which is then spent), with an ``otp.verified`` record; ``None`` otherwise (an ``otp.failed``
    record toward the lock, or a ``signin.refused`` while locked)."""
    if locked(user, request):
        _refused(user, request, where=where)
        return None
    code = _clean(code)
    device = None
    with transaction.atomic():
        totp = totp_device(user)
        if totp is not None and code.isdigit() and len(code) == totp.digits:
            device = django_otp.verify_token(user, totp.persistent_id, code)
        elif code:
            static = StaticDevice.objects.filter(user=user, confirmed=True).first()
            if static is not None:
                device = django_otp.verify_token(user, static.persistent_id, code)
    if device is None:
        _failure(user, request, where=where)
        return None
    details = {"device": "backup" if isinstance(device, StaticDevice) else "authenticator"}
    if isinstance(device, StaticDevice):
        details["backup_codes_left"] = device.token_set.count()
    audit.record(audit.OTP_VERIFIED, actor=user, request=request, outcome=audit.SUCCESS, where=where, **details)
    return device


def verify_session(request, code):
    """Check ``code`` for the signed-in user and, if it passes, mark the session verified
    (django-otp's ``login``). Returns the device or ``None``."""
    device = check_code(request.user, code, request=request, where="session")
    if device is not None:
        django_otp.login(request, device)
    return device


def check_for_token(user, code, *, request=None):
    """The second factor for ``POST /api/v1/auth/token/``; raises ``SecondFactorError``."""
    if not requires_second_factor(user):
        return None
    if not has_second_factor(user):
        raise SecondFactorError(
            _("This account needs a second factor: sign in on the website once to set up an authenticator app.")
        )
    if not _clean(code):
        raise SecondFactorError(_("Enter the six-digit code of your authenticator app (or a backup code) as otp."))
    device = check_code(user, code, request=request, where="token")
    if device is None:
        raise SecondFactorError(_("The code is wrong or already used. Wait for the next code and try again."))
    return device


def session_device_is_verified(user, session):
    """For sockets (no middleware there): the session names a confirmed device of ``user``."""
    from django_otp.models import Device

    persistent_id = (session or {}).get(django_otp.DEVICE_ID_SESSION_KEY)
    if not persistent_id:
        return False
    device = Device.from_persistent_id(persistent_id)
    return device is not None and device.user_id == user.pk and device.confirmed


def current_code(device, *, now=None):
    """The code ``device`` accepts now (demo hint and tests)."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if now is not None:
        totp.time = now.timestamp()
    return f"{totp.token():0{device.digits}d}"
