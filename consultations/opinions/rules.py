"""Who may see and do what with opinions and a review's discussion: every predicate once, asked
by pages, the API, the sockets, exports and counts. Pages answer 404 (the API 403/404, a socket
4403) when they say no; the services ask the same predicates before they write.

Who may see the review itself, and who holds a place on its panel, are the review's rules
(``reviews.rules``); these build on them.
"""

from django.db.models import Q
from django.utils.translation import gettext as _

from consultations.opinions.models import Opinion
from experts import roles
from reviews.models import Assignment, Review
from reviews.rules import CLOSED_STATES, holds_review_access, is_panel_member, is_secretariat


def opinion_filter(user, review):
    """The one visibility rule for the opinions of ``review``, as a filter on its ``Opinion`` rows.

    The secretariat sees every opinion row, drafts included, but a draft's *content* is its
    author's alone (``shows_content``): the secretariat sees that a draft exists and when it was
    last saved. An expert on the panel sees their own, and others' *submitted* opinions only once
    the review's blindness allows (``others_open_to``); never another's draft. The commission sees
    submitted opinions once the review is closed (it works from the consolidation); everyone else
    sees none. Pages, the API, exports and counts all filter through this; channel messages carry
    ids only.
    """
    nothing = Q(pk__in=[])
    if not user.is_authenticated:
        return nothing
    if is_secretariat(user):
        return Q()
    closed = review.state in CLOSED_STATES
    if not holds_review_access(user, review):
        if roles.has_role(user, roles.COMMISSION) and closed:
            return Q(submitted_at__isnull=False)
        return nothing
    own = Q(expert__user=user)
    return own | Q(submitted_at__isnull=False) if others_open_to(user, review) else own


def others_open_to(user, review):
    """Whether a panel member may read the others' submitted opinions of ``review`` now, by the
    review's blindness: after their own submission (``until_own_submission``) or once the review
    is closed (``until_closed``)."""
    if review.blind == Review.Blind.UNTIL_CLOSED:
        return review.state in CLOSED_STATES
    return Opinion.objects.filter(review=review, expert__user=user, submitted_at__isnull=False).exists()


def may_read_others(user, opinion):
    """Whether the author ``user`` of the review opinion ``opinion`` may read the others' sealed
    opinions now, by any path: the opinions list (``others_open_to``), or, once the review is
    closed, the consolidation, which lists every sealed point with its author to the panel
    (``consolidation.rules.can_view``). The meeting's discussion thread is not a path: it carries
    comments, not opinions (docs/opinions.md, "Independence"). The independence record
    (``services.note_readable_others``) asks this."""
    review = opinion.review
    if review.state in CLOSED_STATES and is_panel_member(user, review):
        return True
    return holds_review_access(user, review) and others_open_to(user, review)


# ---------------------------------------------------------------- drafts are the author's alone


def is_author(user, opinion):
    return bool(user is not None and user.is_authenticated and opinion.expert.user_id == user.id)


def shows_content(user, opinion):
    """THE draft rule: an opinion's content (conclusion, scores, summary, points, kept versions)
    is shown to ``user`` only if it is sealed or ``user`` is its author. Everyone else who may see
    the row at all (``opinion_filter``), the secretariat included, sees that a draft exists and
    when it was last saved, nothing of what it says. The API, the pages, the versions and the
    independence record all ask this; the socket carries ids only and documents use sealed
    opinions only."""
    return opinion.submitted_at is not None or is_author(user, opinion)


def can_see_opinion(user, opinion):
    return Opinion.objects.filter(pk=opinion.pk).filter(opinion_filter(user, opinion.review)).exists()


def can_see_opinion_history(user, opinion):
    """The versions page: the author's (every kept version) and the secretariat's, who see the
    versions from the seal on (``shows_content``: before it, the versions are drafts)."""
    if is_author(user, opinion):
        return True
    return is_secretariat(user) and shows_content(user, opinion)


def refusal_to_write(opinion, *, by):
    """Why ``by`` may not write ``opinion`` now, or ``None``: its author writes it while still on
    the panel and the review is open (after that it is read-only)."""
    if opinion.expert.user_id != getattr(by, "id", None):
        return _("Only its author writes an opinion.")
    if opinion.assignment.state != Assignment.State.ACCEPTED:
        return _("You are no longer on this panel.")
    if opinion.review.state != Review.State.OPEN:
        if opinion.review.state in CLOSED_STATES:
            return _("The review is closed: the opinion is read-only.")
        return _("Opinions are written once the review is open.")
    return None


def can_write_opinion(user, opinion):
    return refusal_to_write(opinion, by=user) is None


def is_closed(review):
    """Closed and after: opinions are read-only and visible as the review's blindness allows."""
    return review.state in CLOSED_STATES


# ---------------------------------------------------------------- the discussion and the board


def can_discuss(user, review):
    """The discussion thread is the panel's and the secretariat's."""
    return is_secretariat(user) or is_panel_member(user, review)


def discussion_is_open(review):
    """Comments are added while the review is open."""
    return review.state == Review.State.OPEN


def can_move_marker(user, review):
    """The chair (or the secretariat running the meeting) moves "now discussing"."""
    if is_secretariat(user):
        return True
    return bool(user.is_authenticated and review.chair_id and review.chair.user_id == user.id)


def can_watch_progress(user, review):
    """The progress board (who has submitted, who is writing) is the secretariat's."""
    return is_secretariat(user)
