"""The one module that names the live groups and sends to them.

Services call the ``send_*``/``broadcast_*`` functions; each defers the send to
``transaction.on_commit`` so nobody hears of what was rolled back, and a failing channel layer
never fails the write that caused it.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.utils import timezone

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


def send_many(messages):
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
    transaction.on_commit(lambda: send_many(messages))


def consultation_group(consultation_id):
    return f"consultation.{consultation_id}"


def emit_consultation_event(consultation, type, **payload):
    """Tell the consultation's board (``/ws/consultations/{id}/``) what changed, after commit.
    ``payload`` holds ids and states only; the board fetches the rest over HTTP with its rights."""
    message = {**payload, "type": type, "consultation": consultation.pk, "at": timezone.now().isoformat()}
    send_after_commit(consultation_group(consultation.pk), {"type": "consultation.event", "event": message})
