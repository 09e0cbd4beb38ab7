"""The audit trail: one structured record per sensitive action.

Services call ``record`` with one line. A record is written in the caller's transaction, so an
action that rolls back leaves no record of having happened; nothing in the application changes
or deletes a record (``AuditRecord`` refuses, and on PostgreSQL a trigger refuses as well), except
``prune``, which removes records older than the retention (180 days at least).
"""

import ipaddress
import json
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from experts.models import AuditRecord

logger = logging.getLogger(__name__)

SUCCESS = AuditRecord.Outcome.SUCCESS
FAILURE = AuditRecord.Outcome.FAILURE
DENIED = AuditRecord.Outcome.DENIED

# The actions, by name. Keep them short and dotted: the admin filters on them.
SIGNIN = "signin"
SIGNIN_FAILED = "signin.failed"
SIGNIN_LOCKED = "signin.locked"
SIGNIN_REFUSED = "signin.refused"
SIGNIN_CODE_SENT = "signin.code_sent"
PASSWORD_CHANGED = "password.changed"  # noqa: S105 - an action name
SIGNOUT = "signout"
ACCOUNT_DISABLED = "account.disabled"
TOKEN_ISSUED = "token.issued"  # noqa: S105 - an action name
TOKEN_REVOKED = "token.revoked"  # noqa: S105 - an action name
DRAW = "draw"
DRAW_VERIFY = "draw.verify"
ASSIGNMENT_REPLACE = "assignment.replace"
CONFLICT_DECLARE = "conflict.declare"
CONFLICT_WITHDRAW = "conflict.withdraw"
OPINION_SUBMIT = "opinion.submit"
OPINION_ADDENDUM = "opinion.addendum"
EXPORT = "export"
DOWNLOAD = "download"
CONTACT_UNMASK = "contact.unmask"
BANK_UNMASK = "bank.unmask"  # an account number shown in full (experts/banking.py)
OTP_ENROLLED = "otp.enrolled"  # a second factor set up (TOTP device confirmed, backup codes made)
OTP_VERIFIED = "otp.verified"
OTP_FAILED = "otp.failed"
PERMISSION_GRANT = "permission.grant"
PERMISSION_REVOKE = "permission.revoke"
EXPERT_STATUS = "expert.status"
ARCHIVE_MADE = "archive.made"  # a review's archive (§33); details hold the manifest's SHA-256 and SM3

MINIMUM_RETENTION_DAYS = 180


def client_address(request):
    """The client's address as the server saw it (a proxy sets REMOTE_ADDR via daphne's
    ``--proxy-headers``); anything that is not an IP address is dropped."""
    if request is None:
        return None
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _object_fields(obj):
    if obj is None:
        return {}
    meta = getattr(obj, "_meta", None)
    object_type = f"{meta.app_label}.{meta.model_name}" if meta else type(obj).__name__
    return {"object_type": object_type, "object_id": str(getattr(obj, "pk", "") or ""), "object_repr": str(obj)[:200]}


def _plain(details):
    """Details as plain JSON (dates, decimals and lazy strings become strings)."""
    return json.loads(json.dumps(details, cls=DjangoJSONEncoder, default=str))


def record(action, *, actor, request=None, obj=None, outcome, **details):
    """Write one audit record and return it.

    ``actor`` is the user who acted (``None`` for the system or an unknown user; pass
    ``username=`` in ``details`` to keep what an unknown user typed). ``request`` supplies the
    address. ``obj`` is the object acted on.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if request is None:  # a service called from a view: the request simple-history's middleware holds
        request = getattr(HistoricalRecords.context, "request", None)
    username = details.pop("username", None) or (actor.get_username() if actor is not None else "")
    return AuditRecord.objects.create(
        actor=actor,
        actor_username=str(username)[:150],
        address=client_address(request),
        action=action,
        outcome=outcome,
        details=_plain(details),
        **_object_fields(obj),
    )


def retention_days():
    days = int(getattr(settings, "AUDIT_RETENTION_DAYS", 365))
    if days < MINIMUM_RETENTION_DAYS:
        raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS must be at least {MINIMUM_RETENTION_DAYS} (it is {days}).")
    return days


@transaction.atomic
def prune(*, now=None):
    """Delete the records older than the retention; return how many went.

    On PostgreSQL the trigger allows this delete only inside this transaction (``SET LOCAL``)
    and only for rows older than 180 days, whatever the setting says.
    """
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL audit.prune = 'on'")
    deleted, _by_model = AuditRecord.objects.all()._prune_older_than(cutoff)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL audit.prune = 'off'")
    logger.info("audit trail pruned: %s records before %s", deleted, cutoff.isoformat())
    return deleted
