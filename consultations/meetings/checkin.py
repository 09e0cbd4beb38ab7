"""The room's check-in code: what the QR code shown in the meeting room holds. A short-lived code
signed with the site's key (``django.core.signing``), naming the review; a new one every time it
is asked for, each valid for ``CODE_SECONDS`` (the QR page shows a fresh one before that)."""

from datetime import timedelta

from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext as _

SALT = "consultations.meetings.checkin"
CODE_SECONDS = 300


def _signer():
    return signing.TimestampSigner(salt=SALT)


def make_code(review):
    """``(code, expires_at)``: a fresh code for ``review``'s room."""
    return _signer().sign(str(review.pk)), timezone.now() + timedelta(seconds=CODE_SECONDS)


def code_problem(review, code):
    """Why ``code`` does not check in to ``review`` (a message), or ``""``."""
    if not isinstance(code, str) or not code.strip():
        return _("Scan the code shown in the meeting room.")
    try:
        value = _signer().unsign(code.strip(), max_age=CODE_SECONDS)
    except signing.SignatureExpired:
        return _("This code has expired: scan the code shown in the room again.")
    except signing.BadSignature:
        return _("This is not the meeting room's code: scan the code shown in the room again.")
    if value != str(review.pk):
        return _("This code is for another meeting.")
    return ""
