"""Helpers for the honoraria tests: a closed meeting review with attendance recorded straight
on the model (the check-in service lives elsewhere), and payments in numbers."""

from decimal import Decimal

from consultations.meetings.models import Attendance
from reviews import services as review_services
from tests.consultations.conftest import build_open_review, panel_of


def closed_meeting(by, *, panel=3, roster_size=9, start=100):
    review = build_open_review(by, panel=panel, mode="meeting", roster_size=roster_size, start=start)
    review_services.transition(review, "closed", by=by)
    review.refresh_from_db()
    return review


def attend(review, expert, days):
    return Attendance.objects.create(review=review, expert=expert, how="hand", reason="签到表", days=Decimal(days))


def members(review):
    return [opinion.expert for opinion in panel_of(review)]
