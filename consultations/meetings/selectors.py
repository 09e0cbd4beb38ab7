"""Reads about a review's meeting."""

from consultations.meetings.models import Attendance


def attended_days(review):
    """``{expert_id: days}`` for each member present at the review's meeting (the honoraria's basis)."""
    return dict(Attendance.objects.filter(review=review).values_list("expert_id", "days"))
