"""A small committee for consultations: a domain tree (2 > 2.1 > 2.1.1, and 3 beside it), active
experts in each, a suspended one in 2.1, and a department user; built with the real services."""

from consultations.inquiries import services as consulting
from experts import roles
from tests.conftest import make_user
from tests.factories import DomainFactory
from tests.reviews.conftest import add_expert


def build_committee(start=500):
    top = DomainFactory(code="2", name="高端装备制造产业")
    child = DomainFactory(code="2.1", name="智能制造装备", parent=top)
    grandchild = DomainFactory(code="2.1.1", name="工业机器人", parent=child)
    other = DomainFactory(code="3", name="新材料产业")
    experts = {
        "child": add_expert(start, domain=child),
        "grandchild": add_expert(start + 1, domain=grandchild),
        "suspended": add_expert(start + 2, domain=child, status="suspended"),
        "other": add_expert(start + 3, domain=other),
    }
    department = make_user(roles.DEPARTMENT, username=f"dept{start}")
    return {"domains": {"top": top, "child": child, "grandchild": grandchild, "other": other},
            "experts": experts, "department": department}  # fmt: skip


QUESTIONS = ["如何支持机器人整机企业的中小配套企业？", "土地使用规则应如何调整？"]


def pose(by, *, domains=("2.1",), experts=(), open_it=True, **extra):
    consultation = consulting.create_consultation(
        by=by,
        data={
            "title": "机器人产业三年行动计划落实情况征询",
            "background": "三年行动计划实施过半。",
            "questions": [{"text": q} for q in QUESTIONS],
            "addressed_domains": list(domains),
            "addressed_experts": list(experts),
            **extra,
        },
    )
    if open_it:
        consulting.open_consultation(consultation, by=by)
    consultation.refresh_from_db()
    return consultation


def answer(consultation, expert, *, submit=True, texts=("扶持配套企业技术改造", "优先保障配套园区用地")):
    """The expert answers each question with one point (through the opinion services)."""
    from consultations.opinions import services

    draft = consulting.ensure_answer(consultation, expert)
    questions = list(consultation.questions.order_by("position"))
    points = [{"question": q.pk, "text": t} for q, t in zip(questions, texts, strict=False)]
    saved = services.save_opinion(draft, by=expert.user, data={"points": points}, expected_version=draft.version)
    if submit:
        saved = services.submit_opinion(saved, by=expert.user)
    return saved
