"""Demo plans from the source document (items 三 and 十七), each with a generated .docx."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from experts.models import Organization

from . import services
from .models import Plan

NDRC = "沈阳市发展和改革委员会"
EIC = "沈阳市经济和信息化委员会"
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
    organizations = {org.name: org for org in Organization.objects.all()}
    for title, kind, submitter, domains, related in PLANS:
        if Plan.objects.filter(title=title).exists():
            continue
        plan = services.create_plan(
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
        services.add_plan_version(plan, upload=upload, by=by)
