"""Who may see and do what with plans and reviews.

This is the only module that grants or revokes guardian object permissions. An expert holds
``view_review`` on a review and ``view_plan`` on its plan from the moment they accept until they
decline, are replaced or withdraw. The ``can_*`` predicates combine that with the role and the
review's stage; views, the API and the consumer answer 404 (or close 4403) when they say no.
"""

from guardian.shortcuts import assign_perm, remove_perm

from experts import roles

from .models import Assignment, DepartmentStaff, Review

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


def revoke_review_access(assignment):
    """Called when an assignment ends (declined, replaced, withdrawn, no answer). The plan stays
    readable if the expert still holds an accepted place on another review of the same plan."""
    user = assignment.expert.user
    if user is None:
        return
    remove_perm("view_review", user, assignment.review)
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
    return user.has_perm(VIEW_REVIEW, review)


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
