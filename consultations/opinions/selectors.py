"""Reads for opinions, consultations and notifications."""

from core.models import Notification


def notifications_for(user, *, unread_only=False):
    notifications = Notification.objects.filter(user=user)
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications


# ---------------------------------------------------------------- opinions (issue 5)


def _opinions():
    from django.db.models import Prefetch

    from consultations.opinions.models import Opinion, Point

    return Opinion.objects.select_related("expert", "review").prefetch_related(
        Prefetch("points", queryset=Point.objects.filter(removed=False).order_by("position", "id"), to_attr="live")
    )


def opinions_visible_to(user, review):
    """The opinions of ``review`` that ``user`` may see: the one rule of ``reviews.permissions``."""
    from reviews.permissions import opinion_filter

    return _opinions().filter(review=review).filter(opinion_filter(user, review)).order_by("expert__name", "id")


def own_opinion(user, review):
    """The caller's own opinion on ``review`` if they accepted a place on its panel, else ``None``."""
    return _opinions().filter(review=review, expert__user=user, assignment__state="accepted").first()


def own_assignment(user, review):
    from reviews.models import Assignment

    return Assignment.objects.filter(review=review, expert__user=user, state=Assignment.State.ACCEPTED).first()


def versions_of(opinion):
    return opinion.versions.select_related("by").order_by("number")


def comments_for(review, *, after=None):
    from consultations.opinions.models import Comment

    comments = Comment.objects.filter(review=review).select_related("expert", "author").order_by("created_at", "id")
    if after:
        comments = comments.filter(id__gt=after)
    return comments


def discussion_section(review):
    from consultations.opinions.models import Discussion

    return Discussion.objects.filter(review=review).values_list("section", flat=True).first() or ""


WRITING_WINDOW_MINUTES = 5


def progress_board(review, *, now=None):
    """For the secretariat: each accepted panel member, whether they submitted, whether they are
    writing now (a save in the last few minutes, or on the review's channel with a draft)."""
    from datetime import timedelta

    from django.utils import timezone

    from consultations.opinions.models import Presence
    from reviews.models import Assignment

    now = now or timezone.now()
    here = set(Presence.objects.filter(review=review).values_list("user_id", flat=True))
    rows = []
    panel = (
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED)
        .select_related("expert", "opinion")
        .order_by("expert__name", "id")
    )
    for assignment in panel:
        opinion = getattr(assignment, "opinion", None)
        submitted = bool(opinion and opinion.submitted_at)
        recent = bool(
            opinion and opinion.saved_at and now - opinion.saved_at < timedelta(minutes=WRITING_WINDOW_MINUTES)
        )
        rows.append(
            {
                "expert": assignment.expert,
                "opinion": opinion,
                "submitted": submitted,
                "writing": not submitted and (recent or assignment.expert.user_id in here),
                "online": assignment.expert.user_id in here,
            }
        )
    return rows


def last_seq(review):
    """The review's latest event number: live pages start listening from here."""
    from django.db.models import Max

    from reviews.models import ReviewEvent

    return ReviewEvent.objects.filter(review=review).aggregate(last=Max("seq"))["last"] or 0
