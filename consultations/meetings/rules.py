"""Who may do what at a review's meeting, and when the meeting is on: every predicate once, asked
by the pages, the API, the services and the documents.

Visibility first: whoever may not see the review gets 404 (``reviews.rules.can_view_review``).
Who is present and who voted how name the panel, so they follow ``reviews.rules.can_see_panel``
(名单保密): the secretariat, the accepted panel, the commission once the review is closed."""

import math
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.opinions.rules import can_move_marker
from reviews.models import Assignment, Review
from reviews.rules import can_manage_review, can_see_panel, can_view_review, is_secretariat

# The meeting runs while the review is open (the discussion) and closed (the group opinion is
# written after the review closes, and voted on); consolidated and after, it is over.
MEETING_STATES = (Review.State.OPEN, Review.State.CLOSED)


def sees_meeting(user, review):
    """The agenda and "now discussing" name no one: whoever may see the review."""
    return can_view_review(user, review)


def sees_attendance(user, review):
    """Who is present, and who voted how: whoever may see the panel (名单保密)."""
    return can_see_panel(user, review)


def prepares_meeting(user, review):
    """The agenda, a presence marked by hand, the days, the minutes: the secretariat."""
    return can_manage_review(user, review)


def shows_checkin_code(user, review):
    """The room's QR code: the secretariat and the chair."""
    return can_move_marker(user, review)


def moves_agenda(user, review):
    """The chair (or the secretariat running the meeting) moves along the agenda."""
    return can_move_marker(user, review)


def panel_assignment(user, review):
    """The caller's accepted ``Assignment`` on ``review`` (with its expert), or ``None``."""
    if not user.is_authenticated or is_secretariat(user):
        return None
    return (
        Assignment.objects.filter(review=review, expert__user=user, state=Assignment.State.ACCEPTED)
        .select_related("expert")
        .first()
    )


def meeting_days(review):
    """The local dates of the meeting: from ``meeting_at``'s day, as many days as it lasts."""
    if review.meeting_at is None:
        return None, None
    first = timezone.localdate(review.meeting_at)
    length = getattr(getattr(review, "meeting", None), "length", None) or 1
    return first, first + timedelta(days=max(math.ceil(length), 1) - 1)


def meeting_problem(review, *, minutes_filed=False, today=None):
    """Why the meeting of ``review`` is not on now (a message), or ``""``: it must be a meeting
    review, open or closed (not consolidated), on its day(s) in Asia/Shanghai, its minutes not
    yet filed. Check-in and the vote ask it; the meeting's day over means after midnight."""
    if review.mode != Review.Mode.MEETING:
        return _("This review is written (书面函审): it has no meeting.")
    if review.state not in MEETING_STATES:
        if review.state in (Review.State.DRAFT, Review.State.DRAWING, Review.State.INVITING):
            return _("The meeting has not started: the review is not open yet.")
        return _("The meeting is over: the group opinion is consolidated.")
    if minutes_filed:
        return _("The meeting is over: its minutes are filed.")
    first, last = meeting_days(review)
    today = today or timezone.localdate()
    if first is None:
        return _("The meeting has no date yet.")
    if today < first:
        return _("Check-in opens on the day of the meeting, {day}.").format(day=first.isoformat())
    if today > last:
        return _("The meeting is over: its day ended on {day}.").format(day=last.isoformat())
    return ""
