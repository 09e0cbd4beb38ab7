"""Writes on notices: which channels an expert takes, one attempt at sending, failure and the
invitation's fallback, and the provider's receipts. Nothing here enqueues: ``tasks`` does, with
what these return (``outbox`` for the callers)."""

import logging
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.translation import gettext as _

from core import sms
from core.notify import send_email
from experts.notices.models import Notice

logger = logging.getLogger(__name__)
RECEIPT_DAYS = 3  # providers keep a message's status for a few days; older "sent" ones stay so


def channels_for(expert):
    """The channels a notice to ``expert`` goes by: the preferred ones that have an address, else
    whichever has one (an expert who prefers SMS but has no mobile gets email)."""
    wanted = {"sms": ("sms",), "email": ("email",)}.get(expert.preferred_channel, ("sms", "email"))
    address = {"sms": expert.mobile, "email": expert.email}
    chosen = [channel for channel in wanted if address[channel]]
    return chosen or [channel for channel in ("sms", "email") if address[channel]][:1]


def wants_email(expert):
    return "email" in channels_for(expert)


def about_fields(about):
    if about is None:
        return {}
    return {"about_type": ContentType.objects.get_for_model(about), "about_id": about.pk}


def new_sms(expert, *, kind, params, about=None):
    """A queued text message to ``expert`` by ``kind``'s template, or None if they take no SMS."""
    if "sms" not in channels_for(expert):
        return None
    clean = sms.clean_params(kind, params)
    return Notice.objects.create(
        expert=expert, channel=Notice.Channel.SMS, kind=kind, to=expert.mobile, params=clean, **about_fields(about)
    )


def record_email(expert, *, kind, subject, sent, about=None):
    """The mail a caller sent itself (with its own text and attachments), as a notice."""
    now = timezone.now()
    return Notice.objects.create(
        expert=expert, channel=Notice.Channel.EMAIL, kind=kind, to=expert.email, subject=subject[:200], attempts=1,
        status=Notice.Status.SENT if sent else Notice.Status.FAILED, sent_at=now if sent else None,
        settled_at=None if sent else now, provider="mail",
        provider_reason="" if sent else _("The mail server refused the message or could not be reached."),
        **about_fields(about),
    )  # fmt: skip


def max_attempts():
    return int(sms.config("MAX_ATTEMPTS", "4"))


def retry_delay(attempts):
    """Seconds before the next attempt: the base (``SMS_RETRY_SECONDS``, 60) doubled each time."""
    return int(sms.config("RETRY_SECONDS", "60")) * 2 ** max(attempts - 1, 0)


def deliver(notice):
    """One attempt at sending ``notice``. Returns the notices made by a failure (an invitation's
    email in its place) for the caller to enqueue. A retryable refusal leaves it queued with its
    attempts counted and the provider's reason, until ``max_attempts``."""
    if notice.status != Notice.Status.QUEUED:
        return []
    if notice.channel == Notice.Channel.EMAIL:
        return _deliver_email(notice)
    notice.attempts += 1
    try:
        gateway = sms.gateway()
        notice.provider = gateway.name
        sent = gateway.send(notice.to, kind=notice.kind, params=notice.params)
    except sms.GatewayError as error:
        if error.retryable and notice.attempts < max_attempts():
            notice.provider_reason = error.reason
            notice.save(update_fields=["attempts", "provider", "provider_reason"])
            return []
        return fail(notice, reason=error.reason)
    notice.status = Notice.Status.SENT
    notice.provider_message_id = sent.message_id or ""
    notice.provider_reason = ""
    notice.sent_at = timezone.now()
    _forget_secret(notice)
    notice.save()
    return []


def _deliver_email(notice):
    notice.attempts += 1
    notice.provider = "mail"
    subject = notice.subject or str(Notice.Kind(notice.kind).label)
    if not send_email(notice.to, subject=subject, text=sms.render(notice.kind, notice.params)):
        return fail(notice, reason=_("The mail server refused the message or could not be reached."))
    notice.status = Notice.Status.SENT
    notice.sent_at = timezone.now()
    _forget_secret(notice)
    notice.save()
    return []


def _forget_secret(notice):
    if notice.kind == Notice.Kind.SIGNIN_CODE:
        notice.params = {}


def fail(notice, *, reason):
    """Mark ``notice`` failed with the provider's ``reason``. A text-message invitation is flagged
    for a phone call and, unless the expert already had it by mail, mailed instead: returns that
    email notice (queued) in a list, for the caller to enqueue."""
    notice.status = Notice.Status.FAILED
    notice.provider_reason = str(reason)[:500]
    notice.settled_at = timezone.now()
    follow_up = []
    if notice.kind == Notice.Kind.INVITATION:
        notice.needs_phone_call = True
        if notice.channel == Notice.Channel.SMS:
            follow_up = _email_instead(notice)
    _forget_secret(notice)
    notice.save()
    return follow_up


def _email_instead(notice):
    expert = notice.expert
    mailed = Notice.objects.filter(
        expert=expert, kind=notice.kind, channel=Notice.Channel.EMAIL, about_type_id=notice.about_type_id,
        about_id=notice.about_id, status__in=(Notice.Status.QUEUED, Notice.Status.SENT, Notice.Status.DELIVERED),
    )  # fmt: skip
    if not expert.email or mailed.exists():
        return []
    email = Notice.objects.create(
        expert=expert, channel=Notice.Channel.EMAIL, kind=notice.kind, to=expert.email, params=notice.params,
        subject=_("Invitation to review"), fallback_of=notice, about_type_id=notice.about_type_id,
        about_id=notice.about_id,
    )  # fmt: skip
    return [email]


def apply_receipts(provider, receipts):
    """Record the provider's receipts on the notices they name (sent ones only: a receipt pushed
    twice changes nothing). Returns ``(updated, follow-up notices to enqueue)``."""
    by_id = {receipt.message_id: receipt for receipt in receipts if receipt.message_id}
    notices = Notice.objects.filter(
        provider=provider, provider_message_id__in=list(by_id), status=Notice.Status.SENT
    ).select_related("expert")
    follow_up = []
    for notice in notices:
        receipt = by_id[notice.provider_message_id]
        if receipt.delivered:
            notice.status = Notice.Status.DELIVERED
            notice.settled_at = receipt.at or timezone.now()
            notice.save(update_fields=["status", "settled_at"])
        else:
            follow_up += fail(notice, reason=receipt.reason or _("Not delivered (no reason given)."))
    return len(notices), follow_up


def awaiting_receipts(provider):
    """Text messages the provider took in the last days and has not reported on yet."""
    since = timezone.now() - timedelta(days=RECEIPT_DAYS)
    return Notice.objects.filter(
        provider=provider, channel=Notice.Channel.SMS, status=Notice.Status.SENT, sent_at__gte=since
    ).select_related("expert")


def poll_receipts():
    """Ask the provider (its status query) about the messages awaiting a receipt."""
    gateway = sms.gateway()
    pending = list(awaiting_receipts(gateway.name))
    if not pending:
        return 0, []
    receipts = gateway.query([(n.provider_message_id, n.to, n.sent_at) for n in pending])
    return apply_receipts(gateway.name, receipts)
