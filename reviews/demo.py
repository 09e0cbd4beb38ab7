"""Demo plans from the source document (items 三 and 十七), each with a generated .docx."""

import io
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.errors import StateConflict
from experts.demo_data import FIRST_EXPERT
from experts.models import Expert, Organization
from reviews import states
from reviews.draw.services import DrawInfeasible, draw_for_review
from reviews.models import Assignment, DepartmentStaff, Plan, Review
from reviews.services import assignments as assignment_services
from reviews.services import plans, scheduling

NDRC = "沈阳市发展和改革委员会"
EIC = "沈阳市经济和信息化委员会"
# fmt: off
PLANS = [
    (
        "沈阳市机器人产业三年行动计划（2017—2019年）",
        Plan.Kind.ACTION_PLAN,
        EIC,
        ["2.1", "1.5"],
        ["中德装备园", "沈阳智造机器人有限公司"],
    ),
    (
        "沈阳市信息服务产业三年行动计划（2017—2019年）",
        Plan.Kind.ACTION_PLAN,
        EIC,
        ["1.3", "1.4"],
        ["浑河信息服务有限公司"],
    ),
    (
        "沈阳市民用航空产业三年行动计划（2017—2019年）",
        Plan.Kind.ACTION_PLAN,
        NDRC,
        ["2.2"],
        ["法库通用航空产业园", "北方通航装备股份有限公司"],
    ),
    ("沈阳市新材料产业发展专项规划", Plan.Kind.SPECIAL_PLAN, NDRC, ["3.1", "3.2", "3.3"], ["辽沈新材料科技有限公司"]),
    ("沈阳市生物医药产业发展专项规划", Plan.Kind.SPECIAL_PLAN, NDRC, ["4.1", "4.2"], ["盛京生物医药有限公司"]),
    (
        "沈阳市新能源汽车产业发展专项规划",
        Plan.Kind.SPECIAL_PLAN,
        NDRC,
        ["5.1", "5.2"],
        ["沈北新能源汽车有限公司", "沈北新区人民政府"],
    ),
    (
        "沈阳市节能环保产业发展专项规划",
        Plan.Kind.SPECIAL_PLAN,
        NDRC,
        ["7.1", "7.2", "7.3"],
        ["沈阳节能环保产业园", "东陵节能环保集团"],
    ),
    ("沈阳市战略性新兴产业园区认定办法", Plan.Kind.POLICY_MEASURE, NDRC, ["9.1"], ["铁西区人民政府", "浑南区人民政府"]),
]
# fmt: off
SECTIONS = [
    (
        "一、总体要求",
        [
            "（一）指导思想。深入实施创新驱动发展战略，推动产业集聚、错位发展。",
            "（二）发展目标。到2019年，产业规模和创新能力显著提升。",
        ],
    ),
    (
        "二、重点任务",
        [
            "（一）提升自主创新能力。建设工程研究中心和企业技术中心。",
            "（二）培育龙头企业。支持骨干企业兼并重组、做大做强。",
            "（三）建设特色园区。推动园区专业化、差异化发展。",
        ],
    ),
    (
        "三、保障措施",
        [
            "（一）加强组织领导。建立联席会议制度。",
            "（二）加大资金支持。发挥新兴产业发展基金引导作用。",
            "（三）强化人才支撑。落实人才引进和培养政策。",
        ],
    ),
]
# fmt: on


def plan_docx(title):
    from docx import Document

    document = Document()
    document.add_heading(title, level=0)
    for heading, paragraphs in SECTIONS:
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def load(password=None, *, by=None):
    _load_plans(by=by)
    _load_department_staff()
    _load_reviews()


def _load_plans(*, by=None):
    organizations = {org.name: org for org in Organization.objects.all()}
    for title, kind, submitter, domains, related in PLANS:
        if Plan.objects.filter(title=title).exists():
            continue
        plan = plans.create_plan(
            by=by,
            title=title,
            kind=kind,
            submitted_by=organizations[submitter],
            domains=domains,
            related_organizations=[organizations[name] for name in related],
        )
        upload = SimpleUploadedFile(
            f"{title}.docx",
            plan_docx(title),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
        plans.add_plan_version(plan, upload=upload, by=by)


# One review in each state, each drawn (where a draw belongs) with a seed that verify replays.
# The new-materials plan is left to the consolidation demo (consultations/consolidation_demo.py).
REVIEWS = [
    ("沈阳市战略性新兴产业园区认定办法", Review.State.DRAFT, 20),
    ("沈阳市信息服务产业三年行动计划（2017—2019年）", Review.State.DRAWING, 18),
    ("沈阳市机器人产业三年行动计划（2017—2019年）", Review.State.INVITING, 10),
    ("沈阳市民用航空产业三年行动计划（2017—2019年）", Review.State.OPEN, -3),
    ("沈阳市生物医药产业发展专项规划", Review.State.CLOSED, -30),
    ("沈阳市新能源汽车产业发展专项规划", Review.State.CONSOLIDATED, -45),
    ("沈阳市节能环保产业发展专项规划", Review.State.RESPONDED, -60),
    ("沈阳市信息服务产业三年行动计划（2017—2019年）", Review.State.ARCHIVED, -90),
]
HAND_REPLACEMENT = "原抽中专家同期另有评审任务，秘书处改请本领域专家。"
AFTER_OPEN = [Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED, Review.State.ARCHIVED]


def _load_department_staff():
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username="department").first()
    organization = Organization.objects.filter(name=EIC).first()
    if user and organization and not DepartmentStaff.objects.filter(user=user).exists():
        DepartmentStaff.objects.create(user=user, organization=organization)


def _load_reviews():
    from django.contrib.auth import get_user_model

    secretariat = get_user_model().objects.filter(username="secretariat").first()
    if secretariat is None or Review.objects.filter(plan__title__in=[t for t, _s, _d in REVIEWS]).exists():
        return
    for title, state, days in REVIEWS:
        plan = Plan.objects.filter(title=title).first()
        if plan is not None and plan.versions.exists():
            _review_in_state(plan, state, days, by=secretariat)


def _review_in_state(plan, state, days, *, by):
    opens = timezone.now() + timedelta(days=days)
    mode = Review.Mode.MEETING if state == Review.State.OPEN else Review.Mode.WRITTEN
    review = scheduling.create_review(
        plan, by=by, mode=mode, opens_at=opens, due_at=opens + timedelta(days=14),
        meeting_at=opens + timedelta(days=10) if mode == Review.Mode.MEETING else None,
        location="沈阳市政府 3 楼 302 会议室" if mode == Review.Mode.MEETING else "",
        required_domains=[d.code for d in plan.domains.all()],
    )  # fmt: skip
    if state == Review.State.DRAFT:
        return review
    if state == Review.State.DRAWING:  # a draw in progress: the state only, as a draw would leave it mid-way
        return states.transition(review, Review.State.DRAWING, by=by, reason="demo")
    try:
        draw_for_review(review, by=by, seed=f"demo-{plan.pk}-{state}")
    except DrawInfeasible:  # too few demo experts in the plan's fields: draw from everyone
        review = scheduling.update_review(review, by=by, required_domains=[])
        draw_for_review(review, by=by, seed=f"demo-{plan.pk}-{state}")
    journey = state in (Review.State.INVITING, Review.State.OPEN)  # the newcomer's invitation and opinion
    assignments = _seat_first_expert(review, by=by) if journey else _active(review)
    others = [a for a in assignments if not _is_first_expert(a)]
    if state == Review.State.INVITING:  # the first expert's invitation is left for the newcomer to answer
        first, second = others[:2]
        assignment_services.accept_assignment(first, by=first.expert.user, no_conflict=True, confidentiality=True)
        assignment_services.decline_assignment(second, by=second.expert.user, reason="同期在外地出差，无法参加。")
        return review
    for assignment in assignments:
        assignment_services.accept_assignment(
            assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True
        )
    scheduling.set_chair(review, others[0].expert, by=by)
    states.transition(review, Review.State.OPEN, by=by, reason="demo")
    steps = AFTER_OPEN[: AFTER_OPEN.index(state) + 1] if state in AFTER_OPEN else []
    for target in steps:
        try:
            states.transition(review, target, by=by, reason="demo")
        except StateConflict:  # a later stage may require its own work (a consolidation)
            break
    return review


def _is_first_expert(assignment):
    return assignment.expert.user_id is not None and assignment.expert.user.username == FIRST_EXPERT


def _active(review):
    active = review.assignments.filter(state__in=Assignment.ACTIVE_STATES).select_related("expert__user")
    return list(active.order_by("id"))


def _seat_first_expert(review, *, by):
    """The first expert (``expert01``, the account a newcomer tries first) on the panel of the
    inviting and the open review: drawn, or put by the secretariat in the seat of the last drawn
    member it can take within the rules (a hand replacement, recorded on the draw with its
    reason). The panel's active assignments, in order."""
    assignments = _active(review)
    expert = Expert.objects.filter(user__username=FIRST_EXPERT).first()
    review.refresh_from_db(fields=["state"])
    if expert is None or review.state != Review.State.INVITING or any(map(_is_first_expert, assignments)):
        return assignments
    for seat in reversed(assignments):
        try:
            assignment_services.replace_assignment(seat, by=by, reason=HAND_REPLACEMENT, expert=expert)
        except ValidationError:  # the first expert would break a rule in this seat: try the next
            continue
        return _active(review)
    return assignments
