"""Helpers for the meeting tests: a meeting-mode review on today's date, open, with a panel who
accepted through the real services, and its chair."""

from django.utils import timezone

from consultations.meetings import checkin, services
from reviews.models import Review
from tests.consultations.conftest import build_open_review, panel_of
from tests.consultations.consolidation_setup import set_chair


def meeting_review(by, *, panel=3, roster_size=9, when=None):
    """An open meeting review whose meeting is now (``when`` to move it), with a chair."""
    review = build_open_review(by, panel=panel, mode="meeting", roster_size=roster_size)
    Review.objects.filter(pk=review.pk).update(meeting_at=when or timezone.now(), location="市发改委三楼会议室")
    review.refresh_from_db()
    set_chair(review, by)
    return review


def members(review):
    """The panel's users, the chair first."""
    return [opinion.expert.user for opinion in panel_of(review)]


def check_in_all(review, users=None):
    for user in users or members(review):
        services.check_in(review, by=user, code=checkin.make_code(review)[0])
