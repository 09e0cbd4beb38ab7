"""The one module that names the live groups and sends to them.

Services call the ``send_*``/``broadcast_*`` functions; each defers the send to
``transaction.on_commit`` so nobody hears of what was rolled back, and a failing channel layer
never fails the write that caused it.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def user_group(user_id):
    return f"user.{user_id}"


def review_group(review_id):
    return f"review.{review_id}"


# The secretariat's board: what arrives for screening (new proposals, ...), ids only.
BOARD_GROUP = "secretariat.board"


def send_to_board(type, **payload):
    """Tell the secretariat's open boards (``/ws/board/``) after commit; ``payload`` is ids and states."""
    send_after_commit(BOARD_GROUP, {"type": "board.event", "event": {"type": type, **payload}})


def _send_now(group, message):
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, message)
    except Exception:  # a broken layer pauses live updates; it must never fail the write
        logger.warning("live update to %s not sent", group, exc_info=True)


def _send_many(messages):
    """``_send_now`` for many ``(group, message)`` pairs in one trip to the event loop (a batch
    draw sends thousands: one ``async_to_sync`` each cost milliseconds apiece)."""
    layer = get_channel_layer()
    if layer is None or not messages:
        return

    async def send_all():
        for group, message in messages:
            try:
                await layer.group_send(group, message)
            except Exception:  # as in _send_now: never fail the write
                logger.warning("live update to %s not sent", group, exc_info=True)

    try:
        async_to_sync(send_all)()
    except Exception:
        logger.warning("live updates not sent", exc_info=True)


def send_after_commit(group, message):
    transaction.on_commit(lambda: _send_now(group, message))


def _notification_message(notification):
    return {
        "type": "notification.created",
        "id": notification.id,
        "kind": notification.kind,
        "text": notification.text,
        "url": notification.url,
        "at": notification.created_at.isoformat(),
    }


def notify_user(notification):
    """Tell a user's open sockets that a notification exists (its text is theirs to see)."""
    send_after_commit(user_group(notification.user_id), _notification_message(notification))


def notify_users(notifications):
    """``notify_user`` for many notifications at once: one send after commit."""
    messages = [(user_group(n.user_id), _notification_message(n)) for n in notifications]
    transaction.on_commit(lambda: _send_many(messages))


def emit_review_event(review, type, **payload):
    """Record the next event of ``review``'s log and send it to the review's group after commit.

    ``seq`` is the review's last seq plus one, assigned under a row lock on the review (and the
    unique (review, seq) constraint behind it), so a gap on the client means a missed message.
    ``payload`` holds ids and states only: everyone in the group may see it; details go over HTTP.
    Returns the stored ``ReviewEvent``.
    """
    from django.db.models import Max

    from consultations.models import ReviewEvent
    from reviews.models import Review

    with transaction.atomic():
        Review.objects.select_for_update().filter(pk=review.pk).values_list("pk", flat=True).first()
        last = ReviewEvent.objects.filter(review_id=review.pk).aggregate(last=Max("seq"))["last"] or 0
        event = ReviewEvent.objects.create(review_id=review.pk, seq=last + 1, type=type, payload=payload)
    send_after_commit(review_group(review.pk), {"type": "review.event", "event": event_message(event)})
    return event


def event_message(event):
    """The JSON a client receives for ``event`` (the socket and the catch-up endpoint agree)."""
    return {
        **event.payload,
        "type": event.type,
        "review": event.review_id,
        "seq": event.seq,
        "at": event.at.isoformat(),
    }


def emit_review_events(items):
    """``emit_review_event`` for many ``(review, type, payload)`` at once (a batch draw): one lock,
    one query for the last seqs, one insert; seqs still increase by one per review."""
    from django.db.models import Max

    from consultations.models import ReviewEvent
    from reviews.models import Review

    if not items:
        return []
    ids = sorted({review.pk for review, _type, _payload in items})
    with transaction.atomic():
        list(Review.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        last = dict(
            ReviewEvent.objects.filter(review_id__in=ids)
            .values("review_id")
            .annotate(last=Max("seq"))
            .values_list("review_id", "last")
        )
        events = []
        for review, type_, payload in items:
            last[review.pk] = last.get(review.pk, 0) + 1
            events.append(ReviewEvent(review_id=review.pk, seq=last[review.pk], type=type_, payload=payload))
        ReviewEvent.objects.bulk_create(events)
    messages = [(review_group(e.review_id), {"type": "review.event", "event": event_message(e)}) for e in events]
    transaction.on_commit(lambda: _send_many(messages))
    return events


# ---------------------------------------------------------------- consultations (issue 8)


def consultation_group(consultation_id):
    return f"consultation.{consultation_id}"


def emit_consultation_event(consultation, type, **payload):
    """Tell the consultation's board (``/ws/consultations/{id}/``) what changed, after commit.
    ``payload`` holds ids and states only; the board fetches the rest over HTTP with its rights."""
    from django.utils import timezone

    message = {**payload, "type": type, "consultation": consultation.pk, "at": timezone.now().isoformat()}
    send_after_commit(consultation_group(consultation.pk), {"type": "consultation.event", "event": message})
