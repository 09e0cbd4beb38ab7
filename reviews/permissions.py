"""Who may see and do what with plans and reviews.

This is the only module that grants or revokes guardian object permissions. An expert holds
``view_review`` on a review and ``view_plan`` on its plan from the moment they accept until they
decline, are replaced or withdraw. The ``can_*`` predicates combine that with the role and the
review's stage; views, the API and the consumer answer 404 (or close 4403) when they say no.
"""

from guardian.shortcuts import assign_perm, remove_perm

from experts import audit, roles
from reviews.models import Assignment, DepartmentStaff, Review

VIEW_REVIEW = "reviews.view_review"
VIEW_PLAN = "reviews.view_plan"


# ---------------------------------------------------------------- grants


def grant_review_access(assignment):
    """Called by ``services.accept_assignment``: the expert may now read the review and its plan."""
    user = assignment.expert.user
    if user is None:
        return
    assign_perm("view_review", user, assignment.review)
    assign_perm("view_plan", user, assignment.review.plan)
    audit.record(audit.PERMISSION_GRANT, actor=None, obj=assignment, outcome=audit.SUCCESS, user=user.pk)


def revoke_review_access(assignment):
    """Called when an assignment ends (declined, replaced, withdrawn, no answer). The plan stays
    readable if the expert still holds an accepted place on another review of the same plan."""
    user = assignment.expert.user
    if user is None:
        return
    remove_perm("view_review", user, assignment.review)
    audit.record(audit.PERMISSION_REVOKE, actor=None, obj=assignment, outcome=audit.SUCCESS, user=user.pk)
    still_on_plan = (
        Assignment.objects.filter(
            expert=assignment.expert, review__plan_id=assignment.review.plan_id, state=Assignment.State.ACCEPTED
        )
        .exclude(pk=assignment.pk)
        .exists()
    )
    if not still_on_plan:
        remove_perm("view_plan", user, assignment.review.plan)


# ---------------------------------------------------------------- roles


def is_secretariat(user):
    return roles.has_role(user, roles.SECRETARIAT)


def sees_every_review(user):
    """The secretariat runs reviews and the commission reads them all."""
    return roles.has_role(user, roles.SECRETARIAT) or roles.has_role(user, roles.COMMISSION)


def staff_organization_id(user):
    """The organisation a department user works for, or ``None`` (cached on the user)."""
    if not roles.has_role(user, roles.DEPARTMENT):
        return None
    if not hasattr(user, "_staff_organization_id"):
        user._staff_organization_id = (
            DepartmentStaff.objects.filter(user=user).values_list("organization_id", flat=True).first()
        )
    return user._staff_organization_id


# ---------------------------------------------------------------- predicates


def can_submit_plan(user, organization_id=None):
    """The secretariat for anyone; a department user for their own organisation."""
    if is_secretariat(user):
        return True
    own = staff_organization_id(user)
    return own is not None and (organization_id is None or organization_id == own)


def can_view_plan(user, plan):
    if not user.is_authenticated:
        return False
    if sees_every_review(user):
        return True
    if staff_organization_id(user) == plan.submitted_by_id and plan.submitted_by_id is not None:
        return True
    return user.has_perm(VIEW_PLAN, plan)


def can_add_version(user, plan):
    return can_submit_plan(user, plan.submitted_by_id) and can_view_plan(user, plan)


def can_view_review(user, review):
    if not user.is_authenticated:
        return False
    if sees_every_review(user):
        return True
    if staff_organization_id(user) == review.plan.submitted_by_id:
        return True
    return holds_review_access(user, review)


def can_manage_review(user, review=None):
    """Schedule, draw, replace, open, close: the secretariat."""
    return is_secretariat(user)


def can_see_assignment(user, assignment):
    return is_secretariat(user) or (user.is_authenticated and assignment.expert.user_id == user.id)


def can_answer_assignment(user, assignment):
    return (
        user.is_authenticated
        and assignment.expert.user_id == user.id
        and assignment.state == Assignment.State.INVITED
        and assignment.review.state in (Review.State.INVITING, Review.State.OPEN)
    )


# ---------------------------------------------------------------- opinions and the discussion (issue 5)

CLOSED_STATES = (Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED, Review.State.ARCHIVED)


def holds_review_access(user, review):
    """Whether the guardian grant of ``grant_review_access`` is in place (read from the direct
    foreign-key table, as ``selectors.reviews_visible_to`` does)."""
    from reviews.models import ReviewUserObjectPermission

    return ReviewUserObjectPermission.objects.filter(
        user=user, content_object=review, permission__codename="view_review"
    ).exists()


def opinion_filter(user, review):
    """The one visibility rule for the opinions of ``review``, as a filter on its ``Opinion`` rows.

    The secretariat sees every opinion, drafts included. An expert on the panel sees their own,
    and others' *submitted* opinions only once the review's blindness allows: after their own
    submission (``until_own_submission``) or once the review is closed (``until_closed``); never
    another's draft. The commission sees submitted opinions once the review is closed (it works
    from the consolidation); everyone else sees none. Pages, the API, exports and counts all
    filter through this; channel messages carry ids only.
    """
    from django.db.models import Q

    from consultations.opinions.models import Opinion

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
    if review.blind == Review.Blind.UNTIL_CLOSED:
        others = closed
    else:
        others = Opinion.objects.filter(review=review, expert__user=user, submitted_at__isnull=False).exists()
    return own | Q(submitted_at__isnull=False) if others else own


def can_see_opinion(user, opinion):
    return type(opinion).objects.filter(pk=opinion.pk).filter(opinion_filter(user, opinion.review)).exists()


def can_see_opinion_history(user, opinion):
    """Versions (drafts included) are the author's and the secretariat's only."""
    return is_secretariat(user) or (user.is_authenticated and opinion.expert.user_id == user.id)


def is_panel_member(user, review):
    """An expert who has accepted a place on the panel (and holds the review's permission)."""
    return user.is_authenticated and roles.has_role(user, roles.EXPERT) and holds_review_access(user, review)


def can_discuss(user, review):
    """The discussion thread is the panel's and the secretariat's."""
    return is_secretariat(user) or is_panel_member(user, review)


def can_move_marker(user, review):
    """The chair (or the secretariat running the meeting) moves "now discussing"."""
    if is_secretariat(user):
        return True
    return bool(user.is_authenticated and review.chair_id and review.chair.user_id == user.id)


def can_watch_progress(user, review):
    """The progress board (who has submitted, who is writing) is the secretariat's."""
    return is_secretariat(user)
