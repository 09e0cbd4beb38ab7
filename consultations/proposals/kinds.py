"""A proposal's suggestions as a kind of point to answer (``responses.kinds``): whoever may see
the proposal sees them; the commission or the department a suggestion was routed to answers it
while the proposal is routed or answered and not yet published. Registered on import (the
app's ``ready``)."""

from consultations.proposals.rules import can_answer_proposal_point, can_see_proposal
from consultations.proposals.services import answer_proposal_point
from consultations.responses.kinds import PointKind, register_point_kind


def is_proposal_point(point):
    return point.proposal_id is not None


def can_see_proposal_point(user, point):
    return can_see_proposal(user, point.proposal)


PROPOSAL_POINT = register_point_kind(
    PointKind(
        name="proposal",
        applies=is_proposal_point,
        can_see=can_see_proposal_point,
        can_answer=can_answer_proposal_point,
        answer=answer_proposal_point,
    )
)
