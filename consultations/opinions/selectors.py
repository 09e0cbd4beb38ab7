"""Reads for opinions: the caller's own, those they may see, versions, the discussion, the
secretariat's progress board."""

from datetime import timedelta

from django.db.models import Max, Prefetch
from django.utils import timezone

from consultations.opinions.models import Comment, Discussion, Opinion, Point, Presence
from consultations.opinions.rules import opinion_filter
from reviews.models import Assignment, ReviewEvent


def _opinions():
    return Opinion.objects.select_related("expert", "review").prefetch_related(
        Prefetch("points", queryset=Point.objects.filter(removed=False).order_by("position", "id"), to_attr="live")
    )


def opinions_visible_to(user, review):
    """The opinions of ``review`` that ``user`` may see: the one rule, ``rules.opinion_filter``."""
    return _opinions().filter(review=review).filter(opinion_filter(user, review)).order_by("expert__name", "id")


def own_opinion(user, review):
    """The caller's own opinion on ``review`` if they accepted a place on its panel, else ``None``."""
    return _opinions().filter(review=review, expert__user=user, assignment__state="accepted").first()


def own_assignment(user, review):
    return Assignment.objects.filter(review=review, expert__user=user, state=Assignment.State.ACCEPTED).first()


def versions_of(opinion):
    return opinion.versions.select_related("by").order_by("number")


def comments_for(review, *, after=None):
    comments = Comment.objects.filter(review=review).select_related("expert", "author").order_by("created_at", "id")
    if after:
        comments = comments.filter(id__gt=after)
    return comments


def discussion_section(review):
    return Discussion.objects.filter(review=review).values_list("section", flat=True).first() or ""


WRITING_WINDOW_MINUTES = 5


def _progress_row(assignment, *, here, now):
    opinion = getattr(assignment, "opinion", None)
    submitted = bool(opinion and opinion.submitted_at)
    recent = bool(opinion and opinion.saved_at and now - opinion.saved_at < timedelta(minutes=WRITING_WINDOW_MINUTES))
    return {
        "expert": assignment.expert,
        "opinion": opinion,
        "submitted": submitted,
        "writing": not submitted and (recent or assignment.expert.user_id in here),
        "online": assignment.expert.user_id in here,
    }


def progress_board(review, *, now=None):
    """For the secretariat: each accepted panel member, whether they submitted, whether they are
    writing now (a save in the last few minutes, or on the review's channel with a draft)."""
    now = now or timezone.now()
    here = set(Presence.objects.filter(review=review).values_list("user_id", flat=True))
    panel = (
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED)
        .select_related("expert", "opinion")
        .order_by("expert__name", "id")
    )
    return [_progress_row(assignment, here=here, now=now) for assignment in panel]


def last_seq(review):
    """The review's latest event number: live pages start listening from here."""
    return ReviewEvent.objects.filter(review=review).aggregate(last=Max("seq"))["last"] or 0
