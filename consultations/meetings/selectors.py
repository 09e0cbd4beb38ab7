"""Reads about a review's meeting: its agenda, who is present, the votes and their tally."""

from collections import Counter

from consultations.meetings.models import AgendaItem, Attendance, Meeting, Minutes, Vote
from experts.models import Expert
from reviews.models import Assignment


def attended_days(review):
    """``{expert_id: days}`` for each member present at the review's meeting (the honoraria's basis)."""
    return dict(Attendance.objects.filter(review=review).values_list("expert_id", "days"))


def meeting_of(review):
    """The review's ``Meeting`` row (unsaved, with the defaults, if nobody has touched it yet)."""
    return Meeting.objects.filter(review=review).select_related("current_item").first() or Meeting(review=review)


def agenda(review):
    return list(AgendaItem.objects.filter(review=review).order_by("position", "id"))


def attendance(review):
    """Who is present, earliest first, with the expert and who recorded it."""
    return list(
        Attendance.objects.filter(review=review).select_related("expert", "recorded_by").order_by("checked_in_at", "id")
    )


def is_present(review, expert):
    return Attendance.objects.filter(review=review, expert=expert).exists()


def group_opinion(review):
    """The review's group opinion (its ``Consolidation``), or ``None`` before anyone wrote it.
    Read through the review's relation: the consolidation builds on the meetings, not the reverse."""
    try:
        return type(review).objects.select_related("consolidation").get(pk=review.pk).consolidation
    except type(review).consolidation.RelatedObjectDoesNotExist:
        return None


def current_version(review):
    consolidation = group_opinion(review)
    return consolidation.version if consolidation is not None else 0


def votes(review, version):
    return list(Vote.objects.filter(review=review, version=version).select_related("expert").order_by("at", "id"))


def tally(rows):
    """``{"agree": n, "against": n, "abstain": n}`` of ``rows`` (votes)."""
    counts = Counter(row.vote for row in rows)
    return {choice: counts.get(choice, 0) for choice in Vote.Choice.values}


def minutes_of(review):
    return Minutes.objects.filter(review=review).first() or Minutes(review=review)


def minutes_filed(review):
    return Minutes.objects.filter(review=review, filed_at__isnull=False).exists()


def attendance_row(review, expert_id):
    return Attendance.objects.select_related("expert", "recorded_by").get(review=review, expert_id=expert_id)


def panel(review):
    """The panel's accepted members (experts), by key."""
    return list(
        Expert.objects.filter(assignments__review=review, assignments__state=Assignment.State.ACCEPTED).order_by("key")
    )
