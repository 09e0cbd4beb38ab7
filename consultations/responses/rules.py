"""Who may see and who may answer a point: the rules of the point's kind (``kinds``), asked
through one door by pages, the API and the services alike."""

from consultations.responses.kinds import kind_of


def can_see_point(user, point):
    """Whoever may read what the point belongs to: a review's consolidation (once the opinion is
    sealed), a consultation's answer, a proposal."""
    return kind_of(point).can_see(user, point)


def can_answer(user, point):
    """The commission, or the department concerned: the plan's, or the one a proposal's suggestion
    was routed to (each kind says which, and in which state)."""
    return kind_of(point).can_answer(user, point)
