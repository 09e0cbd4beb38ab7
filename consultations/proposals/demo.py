"""Demo proposals (issue 8), one in each state, from the demo experts, through the services:
submitted, routed to two departments (the commission answers for the one without an account),
merged into the submitted one, returned with a reason, and answered (adopted and partly adopted,
waiting for the expert's consent to publish). Idempotent: nothing is added once they exist."""

from django.contrib.auth import get_user_model

from consultations.proposals import services as proposals
from consultations.proposals.models import Proposal
from consultations.responses import services as responses
from experts.models import Expert, Organization

EIC = "沈阳市经济和信息化委员会"
SCIENCE = "沈阳市科学技术局"
PROBLEM = (
    "我市机器人整机企业的减速器、伺服电机等核心零部件多从外地采购，本地配套率不足三成，中小配套企业技术改造资金不足。"
)
PROPOSALS = [
    (
        "关于支持机器人整机企业本地配套的建议",
        ["设立配套企业技术改造专项补贴", "组织整机企业与本地配套企业对接会"],
        ["2.1"],
    ),
    ("关于建设机器人共性技术服务平台的建议", ["依托中德装备园建设检测认证平台", "设立首台（套）保险补偿"], ["2.1"]),
    ("关于机器人零部件本地化采购的建议", ["整机企业本地采购给予奖励"], ["2.1"]),
    ("关于新能源汽车充电设施的建议", ["加快老旧小区充电桩建设"], ["5"]),
    ("关于智能制造人才培养的建议", ["支持职业院校开设工业机器人专业", "企业新型学徒制给予补贴"], ["2.1"]),
]


def load(password=None):
    User = get_user_model()
    secretariat = User.objects.filter(username="secretariat").first()
    commission = User.objects.filter(username="commission").first()
    department = User.objects.filter(username="department").first()
    eic, science = Organization.objects.filter(name=EIC).first(), Organization.objects.filter(name=SCIENCE).first()
    experts = list(Expert.objects.filter(status=Expert.Status.ACTIVE, user__isnull=False).order_by("key")[:5])
    ready = all((secretariat, commission, department, eic, science)) and len(experts) == len(PROPOSALS)
    if not ready or Proposal.objects.filter(title__in=[title for title, _p, _d in PROPOSALS]).exists():
        return
    made = [_submit(expert, *spec) for expert, spec in zip(experts, PROPOSALS, strict=True)]
    submitted, routed, merged, returned, answered = made
    first, second = routed.points.order_by("position")
    proposals.route_proposal(routed, by=secretariat, organizations=[eic.pk, science.pk],
                             point_organizations={first.pk: eic.pk, second.pk: science.pk})  # fmt: skip
    responses.answer_point(
        first, by=department, status="partly_adopted", reason="检测平台纳入2018年园区建设计划，认证部分需国家批准。"
    )
    proposals.merge_proposal(merged, into=submitted, by=secretariat)
    proposals.return_proposal(
        returned, by=secretariat, reason="充电设施不属于本委员会的战略性新兴产业咨询范围，请向市发展改革委能源处反映。"
    )
    proposals.route_proposal(answered, by=secretariat, organizations=[eic.pk])
    one, two = answered.points.order_by("position")
    responses.answer_point(one, by=department, status="adopted")
    responses.answer_point(
        two, by=commission, status="partly_adopted", reason="学徒制补贴按省级政策执行，市级不再另设。"
    )


def _submit(expert, title, points, domains):
    return proposals.submit_proposal(expert, by=expert.user, title=title, problem=PROBLEM, points=points,
                                     domains=domains)  # fmt: skip
