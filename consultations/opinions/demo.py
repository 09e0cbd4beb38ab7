"""Demo opinions (issue 5) for the demo reviews: in the open meeting review, drafts at different
stages, one submitted opinion with a named version and an addendum, a discussion thread with a
dissent and the chair's marker; in the closed and later reviews, every panel member's sealed
opinion. Idempotent: a review that already has a saved opinion is left alone.

The open review goes through the services. A closed review refuses writes, as it should, so its
past is seeded with the same helpers the services use (points, sealed version, digest)."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from consultations.opinions import services
from consultations.opinions.canonical import normalise_text
from consultations.opinions.models import Opinion, OpinionVersion
from consultations.opinions.services import _record_version, _write_points, ensure_opinion
from experts.demo_data import FIRST_EXPERT
from reviews.models import Review

SCORES = [
    {"necessity": 9, "feasibility": 8, "soundness": 8},
    {"necessity": 8, "feasibility": 6, "soundness": 7},
    {"necessity": 7, "feasibility": 7, "soundness": 6},
    {"necessity": 9, "feasibility": 5, "soundness": 7},
    {"necessity": 6, "feasibility": 4, "soundness": 5},
]
CONCLUSIONS = ["agree", "agree_with_revisions", "agree", "agree_with_revisions", "disagree"]
SUMMARIES = [
    "规划定位清晰，与国家战略性新兴产业分类衔接良好，同意实施。",
    "总体可行。发展目标应分年度量化，保障措施需明确责任单位。",
    "同意。建议加强与周边园区的错位发展。",
    "目标偏高，资金来源测算不足，修改完善后可实施。",
    "用地指标测算缺乏依据，产业布局与现有园区重复，建议调整后重新论证。",
]
POINTS = [
    "建议补充重点项目清单及年度投资计划。",
    "人才引进政策应与市级政策统一口径。",
    "应明确产业基金的规模、投向和退出机制。",
    "建议增加对中小企业创新能力建设的支持措施。",
    "园区布局应避免同质竞争。",
]


def load(password=None):
    for review in Review.objects.filter(state=Review.State.OPEN).select_related("plan_version", "chair__user"):
        _open_review(review)
    later = [Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED, Review.State.ARCHIVED]
    for review in Review.objects.filter(state__in=later).select_related("plan_version"):
        _sealed_past(review)


def _sections(review):
    return [b["section"] for b in review.plan_version.blocks or [] if b.get("section")]


def _opinions(review):
    return list(review.opinions.select_related("expert__user", "assignment", "review__plan_version").order_by("id"))


def _untouched(opinions):
    return opinions and all(o.version == 0 for o in opinions)


def _open_review(review):
    opinions = _opinions(review)
    if not _untouched(opinions):
        return
    # The first expert's draft is left empty: the newcomer's opinion to write.
    opinions = [o for o in opinions if not (o.expert.user_id and o.expert.user.username == FIRST_EXPERT)]
    sections = _sections(review) or [""]
    for index, opinion in enumerate(opinions[:4]):
        user = opinion.expert.user
        data = {
            "conclusion": CONCLUSIONS[index],
            "scores": SCORES[index],
            "summary": SUMMARIES[index][: 12 + 8 * index],
            "points": [{"section": sections[(index + 2) % len(sections)], "text": POINTS[index]}],
        }
        opinion = services.save_opinion(opinion, by=user, data=data, expected_version=0, label="初稿")
        if index == 0:
            data["summary"] = SUMMARIES[0]
            opinion = services.save_opinion(opinion, by=user, data=data, expected_version=1)
            opinion = services.submit_opinion(opinion, by=user)
            data["points"] = [*data["points"], {"section": "", "text": "补充：建议建立年度评估机制。"}]
            data["points"][0]["id"] = opinion.points.first().id
            services.save_opinion(
                opinion, by=user, data=data, expected_version=opinion.version, reason="会后补充一点评估建议"
            )
    chair = review.chair.user if review.chair_id and review.chair.user_id else opinions[0].expert.user
    services.add_comment(review, by=chair, text="请各位专家围绕重点任务部分发表意见。", section=sections[0])
    services.add_comment(review, by=opinions[1].expert.user, text="目标值建议分年度列出。", section=sections[-1])
    if len(opinions) > 3:  # the fifth member dissents, or the fourth when the fifth is the first expert
        dissenter = opinions[min(4, len(opinions) - 1)].expert.user
        services.add_comment(review, by=dissenter, text="本人对此节持保留意见。", section=sections[-1], dissent=True)
    services.move_discussion(review, by=chair, section=sections[min(1, len(sections) - 1)])


@transaction.atomic
def _sealed_past(review):
    for assignment in review.assignments.filter(state="accepted"):
        ensure_opinion(assignment)
    opinions = _opinions(review)
    if not _untouched(opinions):
        return
    sections = _sections(review) or [""]
    sealed_at = min(review.due_at, timezone.now()) - timedelta(days=1)
    for index, opinion in enumerate(opinions):
        slot = index % len(SUMMARIES)
        opinion.conclusion = CONCLUSIONS[slot]
        opinion.scores = {k: v for k, v in SCORES[slot].items() if k in {c["key"] for c in review.criteria}}
        opinion.summary = normalise_text(SUMMARIES[slot])
        opinion.version, opinion.saved_at, opinion.saved_by = 2, sealed_at, opinion.expert.user
        opinion.submitted_at = sealed_at
        opinion.save()
        _write_points(opinion, [{"id": None, "section": sections[slot % len(sections)], "text": POINTS[slot]}])
        version = _record_version(opinion, kind=OpinionVersion.Kind.SUBMITTED, by=opinion.expert.user, reason="")
        OpinionVersion.objects.filter(pk=version.pk).update(at=sealed_at)
        Opinion.objects.filter(pk=opinion.pk).update(digest=version.digest)
    if len(opinions) > 1:
        # The demo's past: the panel sealed together, so each could read the others from then on
        # (the independence record); no version was kept after it.
        Opinion.objects.filter(review=review).update(read_others_at=sealed_at)
