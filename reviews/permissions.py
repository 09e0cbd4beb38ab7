"""The one module that grants or revokes guardian object permissions on plans and reviews.

An expert holds ``view_review`` on a review and ``view_plan`` on its plan from the moment they
accept until they decline, are replaced or withdraw. Who may do what is ``reviews.rules``.
"""

from guardian.shortcuts import assign_perm, remove_perm

from experts import audit
from reviews.models import Assignment


def grant_review_access(assignment):
    """Called when an expert accepts: they may now read the review and its plan."""
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
