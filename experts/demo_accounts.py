"""The demo password: DEMO_PASSWORD when set, otherwise generated once and kept in var/."""

import os
import secrets

from django.conf import settings

DEMO_USERNAMES = ["secretariat", "commission", "department"] + [f"expert{n:02d}" for n in range(1, 41)]


def password_file():
    return settings.VAR_DIR / "demo_password.txt"


def demo_password():
    from_env = os.environ.get("DEMO_PASSWORD", "").strip()
    if from_env:
        return from_env
    path = password_file()
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Letters, digits and a symbol: meets the password policy, easy to type on a phone.
    generated = f"Demo-{secrets.token_hex(4)}-{secrets.randbelow(90) + 10}"
    path.write_text(generated + "\n", encoding="utf-8")
    path.chmod(0o600)
    return generated


def demo_second_factor(user):
    """A demo account's authenticator (the roles in ``SECOND_FACTOR_ROLES`` need a second factor,
    the demo included): made once with a random key, kept in the database; ``demo_signins`` prints the
    key and ``manage.py demo_code`` the code it shows now."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name="demo", confirmed=True)
