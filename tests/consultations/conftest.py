"""Fixtures for opinions: an open review of a plan with five sections and a panel of three who
accepted through the real services (draw, accept, open)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews import services as review_services
from reviews.models import Assignment
from tests.factories import DomainFactory, OrganizationFactory
from tests.reviews.conftest import add_expert, docx_upload

PARAGRAPHS = (
    "一、总体要求",
    "（一）指导思想。推动产业集聚。",
    "二、重点任务",
    "（一）提升自主创新能力。",
    "三、保障措施",
)


def build_open_review(by, *, panel=3, blind="until_own_submission", mode="written", roster_size=9, start=100):
    domain = DomainFactory(code="2.1", name="智能制造装备")
    submitter = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    for number in range(start, start + roster_size):
        add_expert(number, domain=domain)
    plan = review_services.create_plan(
        by=by, title="机器人产业三年行动计划", kind="action_plan", submitted_by=submitter, domains=["2.1"]
    )
    review_services.add_plan_version(plan, upload=docx_upload(paragraphs=PARAGRAPHS), by=by)
    now = timezone.now()
    extra = {"meeting_at": now + timedelta(days=2), "location": "online"} if mode == "meeting" else {}
    review = review_services.create_review(
        plan,
        by=by,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=14),
        required_domains=["2.1"],
        panel_size=panel,
        blind=blind,
        mode=mode,
        rules={"minimum_panel_size": 1},
        **extra,
    )
    review_services.draw_for_review(review, by=by, seed="opinions")
    for assignment in Assignment.objects.filter(review=review).select_related("expert__user"):
        review_services.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)
    review_services.transition(review, "open", by=by)
    review.refresh_from_db()
    return review


def panel_of(review):
    """The accepted experts' opinions, in a fixed order."""
    return list(review.opinions.select_related("expert__user").order_by("expert__key"))


@pytest.fixture
def review(secretariat_user):
    return build_open_review(secretariat_user)


@pytest.fixture
def opinions(review):
    return panel_of(review)


def sections(review):
    return [b["section"] for b in review.plan_version.blocks]
