"""What the questions put to the committee add to the kinds below them, registered when the app is
ready (``ConsultationsConfig.ready`` calls ``register``): an answer is a kind of opinion, and its
points are a kind of point the commission answers. The opinion and response code asks these
registries and never imports this package."""

from consultations.inquiries import cleaning, rules, services
from consultations.opinions.kinds import OpinionKind, register_opinion_kind
from consultations.responses.kinds import PointKind, register_point_kind

ANSWER = OpinionKind(
    name="consultation-answer",
    applies=lambda opinion: opinion.consultation_id is not None,
    check_writable=services.check_answer_writable,
    clean=cleaning.clean_answer,
    check_complete=services.check_answer_complete,
    tell=services.tell_answer,
    may_read_others=lambda user, answer: rules.others_visible(user, answer.consultation),
)

ANSWER_POINT = PointKind(
    name="consultation-answer",
    applies=lambda point: bool(point.opinion_id and point.opinion.consultation_id),
    can_see=rules.can_see_answer_point,
    can_answer=rules.can_answer_answer_point,
    answer=services.answer_answer_point,
)


def register():
    register_opinion_kind(ANSWER)
    register_point_kind(ANSWER_POINT)
