"""Reads for the roster and the accounts every role shares."""

from django.utils import timezone

from .models import ApiToken, UserPreference
from .services import token_digest


def api_token_for(raw):
    """The live token for a raw bearer value, with its user, or ``None``."""
    if not raw:
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw), revoked_at__isnull=True, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )


def large_text_for(user):
    if not user.is_authenticated:
        return False
    return UserPreference.objects.filter(user=user, large_text=True).exists()
