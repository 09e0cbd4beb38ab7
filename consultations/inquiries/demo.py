"""Demo consultations (issue 8), through the services: the commission asks the robot experts how
to follow up the robot industry's three-year action plan (open, with answers submitted and one
still a draft), and the whole committee about land-use rules for new industries (closed, answers
shown as Expert A, B, C). Idempotent: nothing is added once they exist."""

from django.contrib.auth import get_user_model

from consultations.inquiries import services as consulting
from consultations.inquiries.models import Consultation
from consultations.opinions import services

ROBOTS = {
    "title": "机器人产业三年行动计划落实情况征询：如何支持整机企业的中小配套企业",
    "background": (
        "《沈阳市机器人产业发展三年行动计划》实施过半。整机企业的减速器、伺服电机等核心零部件本地配套率不足三成，"
        "中小配套企业技术改造资金不足、与整机企业对接渠道少。请各位专家就后续支持措施提出意见。"
    ),
    "questions": [
        "如何支持机器人整机企业的中小配套企业提升配套能力？",
        "行动计划后半程的目标和保障措施应如何调整？",
    ],
    "addressed_domains": ["2.1"],
}
ROBOT_ANSWERS = [
    ("设立配套企业技术改造专项补贴，按设备投资额的一定比例给予支持。", "将本地配套率列为年度考核指标，分年度量化。"),
    ("组织整机企业与本地配套企业常态化对接，建立供需清单。", "保障措施应明确牵头单位和资金来源。"),
    ("依托中德装备园建设共性技术检测认证平台。", "建议增加首台（套）保险补偿的覆盖范围。"),
]
LAND = {
    "title": "战略性新兴产业用地规则修订征询",
    "background": "市规划国土局拟修订新兴产业项目用地规则，征求专家顾问委员会意见。",
    "questions": ["新兴产业项目用地的准入标准应考虑哪些因素？"],
    "addressed_domains": [],
    "anonymous": True,
}
LAND_ANSWERS = [("以亩均税收和研发投入强度作为主要准入指标。",), ("对中小企业宜推行标准厂房租赁，减少零散供地。",)]


def load(password=None):
    User = get_user_model()
    commission = User.objects.filter(username="commission").first()
    secretariat = User.objects.filter(username="secretariat").first()
    if commission is None or secretariat is None:
        return
    if Consultation.objects.filter(title__in=[ROBOTS["title"], LAND["title"]]).exists():
        return
    robots = consulting.create_consultation(by=commission, data=ROBOTS)
    consulting.open_consultation(robots, by=commission)
    _answer(robots, ROBOT_ANSWERS, draft_last=True)
    land = consulting.create_consultation(by=secretariat, data=LAND)
    consulting.open_consultation(land, by=secretariat)
    _answer(land, LAND_ANSWERS)
    consulting.close_consultation(land, by=secretariat)


def _answer(consultation, texts, *, draft_last=False):
    """The first recipients answer every question; with ``draft_last`` the last one keeps a draft."""
    questions = list(consultation.questions.order_by("position"))
    recipients = list(consultation.recipients.filter(user__isnull=False).select_related("user").order_by("key"))
    for index, (expert, answers) in enumerate(zip(recipients, texts, strict=False)):
        answer = consulting.ensure_answer(consultation, expert)
        points = [{"question": q.pk, "text": t} for q, t in zip(questions, answers, strict=False)]
        answer = services.save_opinion(answer, by=expert.user, data={"points": points}, expected_version=0)
        if not (draft_last and index == len(texts) - 1):
            services.submit_opinion(answer, by=expert.user)
