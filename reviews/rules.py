"""Who may see and do what with plans, reviews, draws and assignments: every "may X" of reviews,
once. Pages, the API, the socket, the admin screens and the services ask these; an object the
caller may not see answers 404 (or closes the socket with 4403), the same as one that does not
exist. The guardian grants these read are made and taken back by ``reviews.permissions`` alone.
"""

from django.core.exceptions import PermissionDenied

from experts import roles
from reviews.models import DepartmentStaff, Review, ReviewUserObjectPermission

VIEW_REVIEW = "reviews.view_review"
VIEW_PLAN = "reviews.view_plan"
CLOSED_STATES = (Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED, Review.State.ARCHIVED)


def require(rule, user, *args, message):
    """For services: raise ``PermissionDenied(message)`` unless ``rule(user, *args)``. The system
    (``user`` is ``None``: a task, the demo loader) and an operator (a superuser, let into the
    admin's review screens by ``can_use_review_admin``) pass."""
    if user is None or getattr(user, "is_superuser", False) or rule(user, *args):
        return
    raise PermissionDenied(message)


# ---------------------------------------------------------------- roles


def is_secretariat(user):
    return roles.has_role(user, roles.SECRETARIAT)


def is_expert(user):
    return roles.has_role(user, roles.EXPERT)


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


def is_department_staff(user):
    """A department user tied to an organisation: "our plans" in the portal."""
    return staff_organization_id(user) is not None


def can_use_review_admin(user):
    """The review screens of the Wagtail admin: the secretariat, and an operator (a superuser)."""
    return is_secretariat(user) or (user.is_authenticated and user.is_superuser)


# ---------------------------------------------------------------- plans


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


def can_list_plans(user):
    """The plans page of the portal: a department's own plans, or every plan for those who see
    every review."""
    return is_department_staff(user) or sees_every_review(user)


# ---------------------------------------------------------------- reviews and draws


def holds_review_access(user, review):
    """Whether the guardian grant of ``grant_review_access`` is in place (read from the direct
    foreign-key table, as ``selectors.reviews_visible_to`` does)."""
    return ReviewUserObjectPermission.objects.filter(
        user=user, content_object=review, permission__codename="view_review"
    ).exists()


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


def can_view_draw(user, draw=None):
    """A draw's record (pool, exclusions, seed, panel, alternates) names the panel: the secretariat
    always; the commission once the draw's review is closed (名单保密, ``can_see_panel``)."""
    if is_secretariat(user):
        return True
    return draw is not None and roles.has_role(user, roles.COMMISSION) and draw.review.state in CLOSED_STATES


# ---------------------------------------------------------------- assignments


def sees_every_assignment(user):
    return is_secretariat(user)


def can_see_assignment(user, assignment):
    return is_secretariat(user) or (user.is_authenticated and assignment.expert.user_id == user.id)


def is_invitee(user, assignment):
    """Only the invited expert answers an invitation (accepts, declines)."""
    return user.is_authenticated and assignment.expert.user_id == user.id


def can_withdraw(user, assignment):
    """An expert steps down from a panel themselves, or the secretariat records it for them."""
    return is_invitee(user, assignment) or can_manage_review(user, assignment.review)


# ---------------------------------------------------------------- the panel


def is_panel_member(user, review):
    """An expert who has accepted a place on the panel (and holds the review's permission)."""
    return user.is_authenticated and roles.has_role(user, roles.EXPERT) and holds_review_access(user, review)


def can_see_panel(user, review):
    """Who was drawn, invited, accepted, declined or held as an alternate on ``review`` (名单保密):
    the secretariat; an expert on the panel (accepted); once the review is closed, the commission.
    Everyone else, the plan's department included, sees progress as numbers only
    (``selectors.panel_progress``) and reads the panel where the conclusion is published (the
    consolidation, whose ``blind_to_department`` decides names or letters for the department). An
    invited expert who has not answered sees their own invitation only. Pages, the API, the
    review's socket and event log, documents and counters all ask this."""
    if not user.is_authenticated:
        return False
    if is_secretariat(user):
        return True
    if review.state in CLOSED_STATES and roles.has_role(user, roles.COMMISSION):
        return True
    return is_panel_member(user, review)
