"""Who may do what with a review's consolidated opinion: read it, write the group opinion,
confirm it, read the experts' names, answer the review's points and finalise its package,
publish the conclusion. Pages, the API, the documents and the services ask these."""

from consultations.opinions import rules as opinion_rules
from experts import roles
from reviews import rules as review_rules
from reviews.models import Assignment


def can_view(user, review):
    """Once the review is closed: the secretariat, the commission, the panel, and the staff of the
    department whose plan it is. Callers first narrow to ``reviews_visible_to(user)``."""
    if not user.is_authenticated or review.state not in review_rules.CLOSED_STATES:
        return False
    if review_rules.sees_every_review(user):
        return True
    own = review_rules.staff_organization_id(user)
    if own is not None and own == review.plan.submitted_by_id:
        return True
    return review_rules.is_panel_member(user, review)


def can_edit(user, review):
    """The chair drafts the group opinion with the secretariat."""
    return opinion_rules.can_move_marker(user, review)


def panel_expert(user, review):
    """The caller's ``Expert`` if they sit on the review's panel (accepted), else ``None``."""
    if not user.is_authenticated:
        return None
    assignment = (
        Assignment.objects.filter(review=review, expert__user=user, state=Assignment.State.ACCEPTED)
        .select_related("expert")
        .first()
    )
    return assignment.expert if assignment else None


def can_confirm(user, review):
    """Every panel member answers the group opinion (confirms, with reservations, or refuses)."""
    return bool(panel_expert(user, review))


def can_seal(user, review):
    """The chair or the secretariat sets the confirmation deadline and seals the group opinion."""
    return can_edit(user, review)


def sees_names(user, consolidation):
    """The department whose plan it is reads letters where the consolidation is blind to it."""
    if not consolidation.blind_to_department:
        return True
    if review_rules.sees_every_review(user) or review_rules.is_panel_member(user, consolidation.review):
        return True
    return not roles.has_role(user, roles.DEPARTMENT)


def can_respond(user, review):
    """Answer the points of the review's opinions and finalise its package: the commission for
    every plan, a department's staff for their own plans."""
    if review is None or not user.is_authenticated:
        return False
    if roles.has_role(user, roles.COMMISSION):
        return True
    own = review_rules.staff_organization_id(user)
    return own is not None and own == review.plan.submitted_by_id


def can_set_answers_due(user, review):
    """The commission sets (or clears) the due date of the answers to a review's points; callers
    first answer 404 to whoever may not read the consolidation."""
    return review is not None and user.is_authenticated and roles.has_role(user, roles.COMMISSION)


def may_chase_answers(user):
    """The list of answers overdue (督办): the commission chases them; the secretariat's home
    shows the same list."""
    return user.is_authenticated and (roles.has_role(user, roles.COMMISSION) or roles.has_role(user, roles.SECRETARIAT))


def can_publish_conclusion(user):
    """The secretariat turns a finalised package into a conclusion page."""
    return review_rules.is_secretariat(user)


def may_use_workspace(user):
    """The workspace of consolidated opinions: the commission, the departments, the secretariat."""
    return (
        roles.has_role(user, roles.COMMISSION)
        or roles.has_role(user, roles.DEPARTMENT)
        or roles.has_role(user, roles.SECRETARIAT)
    )


def can_download_archive(user, review):
    """A review's whole record as one archive (§33): the secretariat and the commission. The
    department and the panel see the review but not its archive (declarations, audit records);
    callers first answer 404 to whoever may not see the review at all."""
    return user.is_authenticated and review_rules.sees_every_review(user)
