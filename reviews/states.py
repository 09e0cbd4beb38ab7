"""A review's state machine: the table of allowed moves and the one function that makes them.

``transition`` is a step of other services (a draw moves its review to drawing and inviting, a
confirmed group opinion to consolidated); ``change_state`` is the secretariat's move by hand (open,
close, archive) and checks the actor itself.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from core.errors import StateConflict
from reviews import events, rules
from reviews.history import save_with_history
from reviews.models import Assignment, Review

TRANSITIONS = {
    Review.State.DRAFT: {Review.State.DRAWING, Review.State.ARCHIVED},
    Review.State.DRAWING: {Review.State.INVITING, Review.State.DRAFT},
    Review.State.INVITING: {Review.State.OPEN, Review.State.ARCHIVED},
    Review.State.OPEN: {Review.State.CLOSED},
    Review.State.CLOSED: {Review.State.CONSOLIDATED},
    Review.State.CONSOLIDATED: {Review.State.RESPONDED},
    Review.State.RESPONDED: {Review.State.ARCHIVED},
    Review.State.ARCHIVED: set(),
}
MANUAL_TARGETS = {Review.State.OPEN, Review.State.CLOSED, Review.State.ARCHIVED}  # the others have their own action


def _guard(review, to):
    if to == Review.State.OPEN:
        accepted = review.assignments.filter(state=Assignment.State.ACCEPTED).count()
        if accepted < review.panel_size:
            return _("The review opens once the whole panel has accepted ({accepted} of {size}).").format(
                accepted=accepted, size=review.panel_size
            )
    return ""


@transaction.atomic
def transition(review, to, *, by, reason=""):
    """The one way a review's state changes: checks the table and the guard, keeps history,
    tells the review's channel. Raises ``StateConflict`` when the move is not allowed."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if to not in TRANSITIONS.get(locked.state, set()):
        raise StateConflict(
            _("A review in state “{state}” cannot move to “{to}”.").format(
                state=locked.get_state_display(), to=Review.State(to).label
            )
        )
    problem = _guard(locked, to)
    if problem:
        raise StateConflict(problem)
    before = locked.state
    locked.state = to
    save_with_history(locked, by=by, reason=reason or f"{before} → {to}", update_fields=["state"])
    review.state = to
    events.emit_review_event(locked, "review.state_changed", state=to, previous=before)
    return locked


def change_state(review, to, *, by, reason=""):
    """The secretariat moves a review by hand: only to a state with no action of its own."""
    rules.require(rules.can_manage_review, by, review, message=_("Only the secretariat changes a review."))
    if to not in MANUAL_TARGETS:
        raise StateConflict(_("That state is reached through its own action, not by hand."))
    return transition(review, to, by=by, reason=reason)


def transition_many(reviews, to, *, by, reason=""):
    """``transition`` for many reviews at once (a batch draw): the same table, one bulk update with
    history, one event per review. All or nothing: one refused move refuses them all."""
    reviews = list(reviews)
    states = dict(Review.objects.select_for_update().filter(pk__in=[r.pk for r in reviews]).values_list("pk", "state"))
    for review in reviews:
        if to not in TRANSITIONS.get(states[review.pk], set()) or _guard(review, to):
            raise StateConflict(_("Review {review} cannot move to “{to}”.").format(review=review, to=to))
    previous = {review.pk: states[review.pk] for review in reviews}
    for review in reviews:
        review.state = to
    bulk_update_with_history(reviews, Review, ["state"], default_user=by, default_change_reason=reason or to)
    events.emit_review_events(
        [(review, "review.state_changed", {"state": to, "previous": previous[review.pk]}) for review in reviews]
    )
    return reviews
