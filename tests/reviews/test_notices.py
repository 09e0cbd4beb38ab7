"""A review's notices: the invitations' text messages and mails recorded per expert, shown on the
invitation board and at ``GET /api/v1/notices/?review={id}`` for the secretariat only, failed
ones on the secretariat's home; each expert's preferred channel respected by the invitations."""

import pytest
from django.core import mail
from django.test import Client

from core.models import SmsMessage
from experts.notices import services as notice_services
from experts.notices.models import Notice
from reviews.draw import services as draw_services
from tests.queries import assert_constant_queries
from tests.reviews.conftest import add_expert, schedule

pytestmark = pytest.mark.django_db


def notices_of(api, review):
    return api.get(f"/api/v1/notices/?review={review.pk}")


def test_the_secretariat_reads_each_notice_of_the_review_with_its_status(drawn, secretariat_user, api_as):
    response = notices_of(api_as(secretariat_user), drawn)
    assert response.status_code == 200
    rows = response.json()["results"]
    panel = set(drawn.assignments.values_list("expert_id", flat=True))
    assert sorted((r["channel"], r["kind"], r["status"]) for r in rows) == sorted(
        [("sms", "invitation", "sent")] * 5 + [("email", "invitation", "sent")] * 5
    )
    assert {r["expert"] for r in rows} == panel
    sms = next(r for r in rows if r["channel"] == "sms")
    mobile = Notice.objects.get(pk=sms["id"]).to
    assert sms["to"] == f"{mobile[:3]}****{mobile[-4:]}"  # masked
    assert set(sms) >= {"expert", "channel", "kind", "status", "provider_reason"}
    assert sms["provider_reason"] == ""


def test_notices_are_the_secretariats_only_and_name_a_review(drawn, api, api_as, roster, commission_user):
    assert notices_of(api, drawn).status_code == 401
    assert notices_of(api_as(roster[0].user), drawn).status_code == 403
    assert notices_of(api_as(commission_user), drawn).status_code == 403


def test_a_missing_or_unknown_review_is_400_or_404(drawn, secretariat_user, api_as):
    client = api_as(secretariat_user)
    missing = client.get("/api/v1/notices/")
    assert missing.status_code == 400 and "review" in missing.json()["errors"]
    assert client.get("/api/v1/notices/?review=abc").status_code == 400
    assert client.get("/api/v1/notices/?review=999999").status_code == 404


def test_the_notices_list_costs_the_same_queries_for_1_and_20(review, roster, secretariat_user, api_as):
    client = api_as(secretariat_user)
    experts = roster * 2

    def make_rows(n):
        while Notice.objects.count() < n:
            expert = experts[Notice.objects.count() % len(experts)]
            notice_services.new_sms(expert, kind="reminder", params={"plan": "规划", "date": "-"}, about=review)

    assert_constant_queries(make_rows, lambda: notices_of(client, review))
    assert notices_of(client, review).json()["count"] == 20


def test_the_board_shows_each_experts_notices_with_the_failure_and_the_phone_call(drawn, secretariat_user):
    notice = Notice.objects.filter(about_id=drawn.pk, channel="sms").select_related("expert").first()
    notice.status = "sent"
    notice_services.fail(notice, reason="DELIVRD:MK:0001 空号")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(secretariat_user)
    html = client.get(f"/admin/reviews/{drawn.pk}/board/").content.decode()
    assert html.count('data-testid="notice-status"') == 10
    assert "DELIVRD:MK:0001 空号" in html
    assert html.count('data-testid="phone-call"') == 1
    assert notice.expert.name in html
    assert notice.masked_to in html and notice.to not in html  # the mobile is masked


def test_experts_who_prefer_text_messages_are_not_mailed_and_those_who_prefer_mail_not_texted(
    plan, secretariat_user, domain, django_capture_on_commit_callbacks
):
    for number in range(20, 25):
        add_expert(number, domain=domain, preferred_channel="email" if number == 20 else "sms")
    review = schedule(plan, secretariat_user, panel_size=5)
    with django_capture_on_commit_callbacks(execute=True):
        draw_services.draw_for_review(review, by=secretariat_user, seed="channels")
    invited = review.assignments.select_related("expert")
    by_mail = [a.expert.email for a in invited if a.expert.preferred_channel == "email"]
    assert sorted(m.to[0] for m in mail.outbox) == sorted(by_mail)
    assert SmsMessage.objects.count() == len(invited) - len(by_mail)


def test_a_failed_notice_is_on_the_secretariats_home_with_its_reason_and_links_to_the_board(drawn, secretariat_user):
    notice = Notice.objects.filter(about_id=drawn.pk, channel="sms").select_related("expert").first()
    notice_services.fail(notice, reason="isv.MOBILE_NUMBER_ILLEGAL: 非法手机号")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(secretariat_user)
    html = client.get("/admin/week/notices/").content.decode()
    assert html.count("<tr data-week-row") == 1
    assert "isv.MOBILE_NUMBER_ILLEGAL: 非法手机号" in html and notice.expert.name in html
    assert f'href="/admin/reviews/{drawn.pk}/board/#notices"' in html


def test_a_review_named_by_a_digit_that_is_not_ascii_is_a_400(secretariat_user):
    from rest_framework.test import APIClient

    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(secretariat_user)

    response = client.get("/api/v1/notices/", {"review": "²"})

    assert (response.status_code, list(response.json()["errors"])) == (400, ["review"])


def test_accepting_a_meeting_review_texts_its_time_and_place_a_written_one_does_not(
    plan, secretariat_user, roster, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    from reviews.services import assignments
    from tests.reviews.conftest import schedule

    meeting_at = timezone.now() + timedelta(days=10)
    meeting = schedule(plan, secretariat_user, mode="meeting", meeting_at=meeting_at, location="市政府 302 会议室")
    written = schedule(plan, secretariat_user)
    for review in (meeting, written):
        with django_capture_on_commit_callbacks(execute=True):
            draw_services.draw_for_review(review, by=secretariat_user, seed=f"meeting-{review.pk}")
    for review in (meeting, written):
        assignment = review.assignments.select_related("expert__user").first()
        with django_capture_on_commit_callbacks(execute=True):
            assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)

    sent = Notice.objects.filter(kind="meeting", channel="sms")
    (notice,) = sent
    when = timezone.localtime(meeting_at).strftime("%Y-%m-%d %H:%M")
    assert (notice.about_id, notice.params) == (
        meeting.pk,
        {"plan": plan.title, "when": when, "place": "市政府 302 会议室"},
    )
    assert notice.status == "sent"


def test_an_invitation_whose_text_is_refused_at_once_is_mailed_once_not_twice(
    review, secretariat_user, settings, django_capture_on_commit_callbacks
):
    """The immediate task backend sends the text inside the commit hooks: the mail's hook runs
    first, so the refusal's fallback finds the invitation already mailed."""
    from tests.experts.sms_fakes import FakeAliyun, refuse_aliyun
    from tests.experts.test_notices import provider_settings

    with FakeAliyun() as fake:
        provider_settings(settings, "aliyun", fake)
        fake.answer("SendSms", refuse_aliyun("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"))
        with django_capture_on_commit_callbacks(execute=True):
            draw_services.draw_for_review(review, by=secretariat_user, seed="refused-texts")

    panel = list(review.assignments.values_list("expert__email", flat=True))
    texts = Notice.objects.filter(channel="sms", kind="invitation")
    assert set(texts.values_list("status", "needs_phone_call")) == {("failed", True)}
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(panel)
