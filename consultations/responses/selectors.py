"""Reads of points and their answers: one visible point, the open points of a review, each
expert's answered points and their adoption counts."""

from django.db.models import Count, Q

from consultations.opinions.models import Point
from consultations.responses.models import Response
from consultations.responses.rules import can_see_point


def visible_point(user, point_id):
    """The live point ``point_id`` if ``user`` may see it, else ``None`` (404 for the caller)."""
    related = ("opinion__review__plan", "opinion__consultation", "opinion__expert", "proposal__author", "response")
    point = Point.objects.select_related(*related).filter(pk=point_id).first()
    if point is None or point.removed or not can_see_point(user, point):
        return None
    return point


def open_points(review):
    """The live points of the review's sealed opinions that have no answer yet."""
    return Point.objects.filter(
        opinion__review=review, opinion__submitted_at__isnull=False, removed=False, response__isnull=True
    )


def answered_points_of(user):
    """The caller's own points whose review has a finalised package, with their answers."""
    return (
        Point.objects.filter(
            opinion__expert__user=user,
            removed=False,
            opinion__submitted_at__isnull=False,
            opinion__review__response_package__isnull=False,
        )
        .select_related("opinion__review__plan", "response")
        .order_by("-opinion__review__response_package__finalised_at", "position", "id")
    )


def adoption_counts(expert_ids):
    """``{expert_id: (points answered in finalised packages, adopted, partly adopted)}``."""
    rows = (
        Point.objects.filter(
            opinion__expert_id__in=list(expert_ids),
            removed=False,
            opinion__review__response_package__isnull=False,
            response__isnull=False,
        )
        .order_by()
        .values("opinion__expert_id")
        .annotate(
            points=Count("id"),
            adopted=Count("id", filter=Q(response__status=Response.Status.ADOPTED)),
            partly=Count("id", filter=Q(response__status=Response.Status.PARTLY_ADOPTED)),
        )
    )
    return {row["opinion__expert_id"]: (row["points"], row["adopted"], row["partly"]) for row in rows}
