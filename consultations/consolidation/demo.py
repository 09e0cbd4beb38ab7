"""Demo for issue 6: a review of the new-materials plan with five sealed opinions (one dissenting),
the group opinion answered by the panel (the dissenting member with reservations), every point
answered, the package finalised and turned into a conclusion page waiting for approval.
Everything through the real services. Idempotent: skipped once the plan has a review."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

PLAN = "沈阳市新材料产业发展专项规划"
OPINIONS = [
    ("agree", {"necessity": 9, "feasibility": 8, "soundness": 8}, "规划定位准确，重点突出。",
     "建议补充新材料中试平台建设的具体安排。"),
    ("agree_with_revisions", {"necessity": 8, "feasibility": 6, "soundness": 7}, "总体可行，目标需进一步量化。",
     "发展目标中产值指标应分年度列出。"),
    ("agree", {"necessity": 9, "feasibility": 7, "soundness": 8}, "同意该规划。", "建议明确龙头企业培育名单。"),
    ("agree_with_revisions", {"necessity": 8, "feasibility": 7, "soundness": 6}, "资金保障措施偏弱。",
     "产业基金规模和投向应明确。"),
    ("disagree", {"necessity": 6, "feasibility": 3, "soundness": 4},
     "本人不同意按现稿实施：产能布局与周边园区重复，用地指标测算缺乏依据，建议调整后重新论证。",
     "园区布局应避免与浑南区现有园区同质竞争。"),
]  # fmt: skip
GROUP_OPINION = (
    "专家组认为，《沈阳市新材料产业发展专项规划》定位准确，重点任务基本可行，同意修改完善后按程序报批。\n"
    "建议：一是分年度量化发展目标；二是明确产业基金规模与投向；三是优化园区布局，避免同质竞争。\n"
    "一位专家持不同意见，详见附件。"
)


def load(password=None):
    """The demo review, from the draw to the conclusion page (see the module's docstring)."""
    from core.errors import StateConflict
    from reviews import services as review_services
    from reviews.models import Plan, Review
    from reviews.services import DrawInfeasible

    plan = Plan.objects.filter(title=PLAN).first()
    if plan is None or Review.objects.filter(plan=plan).exists():
        return None
    users = get_user_model().objects
    secretariat = users.filter(username="secretariat").first()
    commission = users.filter(username="commission").first()
    if secretariat is None or commission is None:
        return None
    now = timezone.now()
    review = review_services.create_review(
        plan,
        by=secretariat,
        opens_at=now - timedelta(days=10),
        due_at=now - timedelta(days=1) + timedelta(days=12),
        panel_size=5,
        rules={"minimum_panel_size": 1},
    )
    try:
        review_services.draw_for_review(review, by=secretariat, seed="demo-consolidation")
    except (DrawInfeasible, StateConflict):  # a roster too small for a panel: the review stays a draft
        return review
    accepted = _seat_panel(review)
    if len(accepted) < review.panel_size:
        return review  # the demo roster could not seat a whole panel: leave it inviting
    review_services.transition(review, "open", by=secretariat)
    _write_opinions(review, accepted)
    review_services.transition(review, "closed", by=secretariat)
    review_services.set_chair(review, accepted[0].expert, by=secretariat)
    review.refresh_from_db()
    _confirm_group_opinion(review, accepted)
    _answer_and_publish(review, commission=commission, secretariat=secretariat)
    return review


def _seat_panel(review):
    """Every drawn expert with an account accepts; the accepted assignments."""
    from reviews import services as review_services
    from reviews.models import Assignment

    for assignment in Assignment.objects.filter(review=review).select_related("expert__user"):
        if assignment.expert.user_id:
            review_services.accept_assignment(
                assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True
            )
    return list(Assignment.objects.filter(review=review, state="accepted").select_related("expert__user"))


def _write_opinions(review, accepted):
    from consultations.opinions import services as opinion_services

    sections = opinion_services.plan_sections(review)
    criteria = {c["key"] for c in review.criteria}
    for assignment, (conclusion, scores, summary, point) in zip(accepted, OPINIONS, strict=False):
        opinion = opinion_services.ensure_opinion(assignment)
        user = assignment.expert.user
        opinion = opinion_services.save_opinion(
            opinion,
            by=user,
            data={
                "conclusion": conclusion,
                "scores": {k: v for k, v in scores.items() if k in criteria},
                "summary": summary,
                "points": [{"section": sections[min(3, len(sections) - 1)] if sections else "", "text": point}],
            },
            expected_version=opinion.version,
        )
        opinion_services.submit_opinion(opinion, by=user)


RESERVATION = "本人同意专家组意见，但对产能布局持保留意见：应先与浑南区现有园区错位定位，再报批。"


def _confirm_group_opinion(review, accepted):
    """The chair puts the group opinion up with a three-day deadline; the dissenting member
    confirms with reservations, the others confirm, and the last answer seals it."""
    from consultations.consolidation import confirmations
    from consultations.consolidation import services as consolidation

    chair = accepted[0].expert.user
    saved = consolidation.save_group_opinion(review, by=chair, text=GROUP_OPINION, expected_version=0)
    confirmations.set_confirmation_deadline(review, by=chair, confirm_by=timezone.now() + timedelta(days=3))
    conclusions = [opinion[0] for opinion in OPINIONS]
    for index, assignment in enumerate(accepted):
        dissenting = index < len(conclusions) and conclusions[index] == "disagree"
        kind, text = ("reservation", RESERVATION) if dissenting else ("confirm", "")
        confirmations.answer_group_opinion(
            review, by=assignment.expert.user, kind=kind, text=text, version=saved.version
        )
    review.refresh_from_db()


def _answer_and_publish(review, *, commission, secretariat):
    from consultations.consolidation import package as packages
    from consultations.opinions.models import Point
    from consultations.responses import services as responses
    from core.errors import StateConflict

    answers = [("adopted", ""), ("adopted", ""), ("partly_adopted", "龙头企业名单将在年度计划中明确。"),
               ("adopted", ""), ("not_adopted", "园区布局已经市政府批复，另行研究差异化定位。")]  # fmt: skip
    for point, (status, reason) in zip(
        Point.objects.filter(opinion__review=review).order_by("opinion__assignment_id", "id"), answers, strict=False
    ):
        responses.answer_point(point, by=commission, status=status, reason=reason)
    package = packages.finalise_package(review, by=commission)
    try:
        packages.publish_conclusion(package, by=secretariat, show_names=False)
    except StateConflict:  # the committee site has no conclusions section: the package stands alone
        pass
