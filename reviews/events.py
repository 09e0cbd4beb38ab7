"""A review's event log: every live message of a review is recorded with the next ``seq`` of that
review, then sent after commit, so a client that missed messages catches up from
``/api/v1/reviews/{id}/events/?after=<seq>``."""

from django.db import transaction
from django.db.models import Max

from core import live
from reviews.models import Review, ReviewEvent


def emit_review_event(review, type, **payload):
    """Record the next event of ``review``'s log and send it to the review's group after commit.

    ``seq`` is the review's last seq plus one, assigned under a row lock on the review (and the
    unique (review, seq) constraint behind it), so a gap on the client means a missed message.
    ``payload`` holds ids and states only: everyone in the group may see it; details go over HTTP.
    Returns the stored ``ReviewEvent``.
    """
    with transaction.atomic():
        Review.objects.select_for_update().filter(pk=review.pk).values_list("pk", flat=True).first()
        last = ReviewEvent.objects.filter(review_id=review.pk).aggregate(last=Max("seq"))["last"] or 0
        event = ReviewEvent.objects.create(review_id=review.pk, seq=last + 1, type=type, payload=payload)
    live.send_after_commit(live.review_group(review.pk), {"type": "review.event", "event": event_message(event)})
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
    messages = [(live.review_group(e.review_id), {"type": "review.event", "event": event_message(e)}) for e in events]
    transaction.on_commit(lambda: live.send_many(messages))
    return events


# Payload keys that say who (an expert, an assignment, a user present): left out of what a reader
# who may not see the panel receives (``rules.can_see_panel``, 名单保密).
PANEL_KEYS = ("users", "expert", "assignment")


def without_panel(message):
    """``message`` (``event_message``) as a reader who may not see the review's panel receives it,
    on the socket and from the catch-up endpoint alike: no expert, assignment or user id, and
    ``presence`` as a number (``count``) instead of who is here."""
    shown = {key: value for key, value in message.items() if key not in PANEL_KEYS}
    if message.get("type") == "presence":
        shown["count"] = len(message.get("users") or [])
    return shown
