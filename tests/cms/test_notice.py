"""A meeting notice announces its review without revealing the panel."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cms.models import MeetingNoticePage
from reviews import services as review_services
from tests.cms.conftest import publish
from tests.reviews.conftest import add_expert, docx_upload, schedule


@pytest.fixture
def plan(secretariat_user):
    from tests.factories import DomainFactory, OrganizationFactory

    DomainFactory(code="2.1", name="智能制造装备")
    plan = review_services.create_plan(
        by=secretariat_user,
        title="机器人产业三年行动计划",
        kind="action_plan",
        submitted_by=OrganizationFactory(name="沈阳市经济和信息化委员会"),
        domains=["2.1"],
    )
    review_services.add_plan_version(plan, upload=docx_upload(), by=secretariat_user)
    return plan


@pytest.fixture
def drawn_meeting(plan, secretariat_user, django_capture_on_commit_callbacks):
    from experts.models import Domain

    domain = Domain.objects.get(code="2.1")
    for number in range(1, 13):
        add_expert(number, domain=domain)
    meeting_at = timezone.now() + datetime.timedelta(days=10)
    review = schedule(
        plan, secretariat_user, mode="meeting", meeting_at=meeting_at, location="第一会议室", panel_size=5
    )
    with django_capture_on_commit_callbacks(execute=True):
        review_services.draw_for_review(review, by=secretariat_user, seed="notice-test")
    review.refresh_from_db()
    return review


def test_notice_for_a_drawn_review_names_the_plan_and_not_the_panel(notice_index, drawn_meeting, client_zh):
    page = publish(
        notice_index,
        MeetingNoticePage(
            title="机器人论证会通知",
            slug="robots",
            meeting_at=drawn_meeting.meeting_at,
            location="第一会议室",
            review=drawn_meeting,
        ),
    )
    panel = [assignment.expert.name for assignment in drawn_meeting.assignments.select_related("expert")]

    html = client_zh.get(page.url).content.decode()

    assert len(panel) >= 5
    assert "机器人产业三年行动计划" in html
    assert [name for name in panel if name in html] == []


def test_notice_refuses_a_written_review(notice_index, plan, secretariat_user):
    written = schedule(plan, secretariat_user, mode="written", required_domains=[])
    page = MeetingNoticePage(title="通知", slug="n", meeting_at=timezone.now(), location="第一会议室", review=written)

    with pytest.raises(ValidationError) as error:
        page.clean()

    assert list(error.value.message_dict) == ["review"]
