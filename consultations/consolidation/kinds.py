"""The points of a review's opinions as a kind of point to answer (``responses.kinds``):
whoever may read the review's consolidation sees a sealed opinion's point; the commission or
the plan's department answers it while the review is closed or consolidated and its package is
not final; the review's group hears ``response.saved``. Registered on import (the app's
``ready``)."""

from django.utils.translation import gettext as _

from consultations.consolidation.rules import can_respond, can_view
from consultations.consolidation.services import WORKING_STATES, has_package
from consultations.responses.kinds import PointKind, register_point_kind, write_response
from core.errors import StateConflict
from reviews import events as review_events


def is_review_point(point):
    return point.opinion_id is not None and point.opinion.review_id is not None


def can_see_review_point(user, point):
    return point.opinion.submitted_at is not None and can_view(user, point.opinion.review)


def can_answer_review_point(user, point):
    return can_respond(user, point.opinion.review)


def answer_review_point(point, *, by, status, reason):
    review = point.opinion.review
    if review.state not in WORKING_STATES:
        raise StateConflict(_("Points are answered after the review closes and before the package is final."))
    if has_package(review):
        raise StateConflict(_("The response package is final: its answers no longer change."))
    response = write_response(point, by=by, status=status, reason=reason)
    review_events.emit_review_event(review, "response.saved", point=point.pk, status=status)
    return response


REVIEW_POINT = register_point_kind(
    PointKind(
        name="review",
        applies=is_review_point,
        can_see=can_see_review_point,
        can_answer=can_answer_review_point,
        answer=answer_review_point,
    )
)
