"""Bearer tokens for scripts (docs/api.md): issued for a username and password (and the second
factor where the account needs one), looked up by the authentication of HTTP and sockets
(``experts/auth.py``), revoked. Only a token's SHA-256 is stored."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.utils import timezone

from experts import second_factor
from experts.models import ApiToken


def token_digest(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_api_token(*, username, password, otp="", request=None):
    """Check the credentials and return ``(raw_token, ApiToken)``, or ``None`` when they fail.
    An account that needs a second factor also needs a current code (``otp``): without it
    ``second_factor.SecondFactorError`` is raised (experts/second_factor.py)."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        return None
    second_factor.check_for_token(user, otp, request=request)
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


def api_token_for(raw):
    """The live token for a raw bearer value, with its user, or ``None``."""
    if not raw:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
