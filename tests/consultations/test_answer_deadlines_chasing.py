"""Chasing the answers to a consolidation's points (issue 15, part 6): the reminders before the
due date (three days before and on the day, each once, only while points are unanswered), the
cron command, and the answers overdue (督办): the one selector, the commission's page and the
year report."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from consultations.consolidation import answers_due
from consultations.consolidation import services as consolidation
from consultations.consolidation.models import AnswersReminder
from consultations.consolidation.selectors import overdue_answers
from consultations.opinions.models import Point
from consultations.responses import services as responses
from core.models import Notification
from experts import roles
from tests.conftest import make_user
from tests.consultations.consolidation_setup import closed_review, staff_of

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def review(secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    consolidation.save_group_opinion(review, by=secretariat_user, text="专家组意见。", expected_version=0)
    return review


@pytest.fixture
def staff(review):
    user = staff_of(review.plan.submitted_by, "plan-staff")
    user.email = "staff@example.gov.cn"
    user.save()
    return user


def reminders_of(user):
    return list(
        Notification.objects.filter(user=user, kind="answers_due").order_by("id").values_list("text", flat=True)
    )


def run(day, capture):
    with capture(execute=True):
        return answers_due.send_answer_reminders(today=day)


def answer(points, by):
    for point in points:
        responses.answer_point(point, by=by, status="adopted")


# ---------------------------------------------------------------- reminders


def test_reminders_go_three_days_before_and_on_the_day_each_once(
    review, staff, commission_user, django_capture_on_commit_callbacks
):
    due = TODAY + timedelta(days=5)
    answers_due.set_answers_due(review, by=commission_user, due_on=due)

    sent = [run(due - timedelta(days=d), django_capture_on_commit_callbacks) for d in (4, 3, 3, 2, 1)]
    before = reminders_of(staff)
    sent += [run(due, django_capture_on_commit_callbacks) for _ in range(2)]
    sent.append(run(due + timedelta(days=1), django_capture_on_commit_callbacks))

    assert sent == [0, 1, 0, 0, 0, 1, 0, 0]
    assert before == [
        f"Reminder: 6 of 6 point(s) on “{review.plan.title}” have no answer yet; the answers are due on "
        f"{due.isoformat()} (3 day(s) left)."
    ]
    assert reminders_of(staff)[1] == (
        f"Reminder: 6 of 6 point(s) on “{review.plan.title}” have no answer yet; the answers are due today, "
        f"{due.isoformat()}."
    )
    assert [(m.to, m.body) for m in mail.outbox] == [(["staff@example.gov.cn"], text) for text in reminders_of(staff)]
    assert sorted(AnswersReminder.objects.values_list("due_on", "days", "recipients")) == [(due, 0, 1), (due, 3, 1)]


def test_the_reminder_counts_only_the_points_still_unanswered(
    review, staff, commission_user, django_capture_on_commit_callbacks
):
    due = TODAY + timedelta(days=3)
    answers_due.set_answers_due(review, by=commission_user, due_on=due)
    answer(Point.objects.filter(opinion__review=review).order_by("id")[:4], staff)

    run(TODAY, django_capture_on_commit_callbacks)

    assert reminders_of(staff)[0].startswith(f"Reminder: 2 of 6 point(s) on “{review.plan.title}”")


def test_no_reminder_once_every_point_is_answered(review, staff, commission_user, django_capture_on_commit_callbacks):
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY + timedelta(days=1))
    answer(Point.objects.filter(opinion__review=review), staff)

    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    assert (reminders_of(staff), AnswersReminder.objects.count(), mail.outbox) == ([], 0, [])


def test_a_new_due_date_has_reminders_of_its_own(review, staff, commission_user, django_capture_on_commit_callbacks):
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY + timedelta(days=3))
    run(TODAY, django_capture_on_commit_callbacks)
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY + timedelta(days=2))

    again = run(TODAY, django_capture_on_commit_callbacks)

    assert again == 1
    assert len(reminders_of(staff)) == 2
    assert "(2 day(s) left)" in reminders_of(staff)[1]


def test_a_due_date_set_for_today_gets_one_reminder(review, staff, commission_user, django_capture_on_commit_callbacks):
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY)

    sent = [run(TODAY, django_capture_on_commit_callbacks) for _ in range(2)]

    assert sent == [1, 0]
    assert len(reminders_of(staff)) == 1
    assert sorted(AnswersReminder.objects.values_list("days", flat=True)) == [0, 3]


def test_no_reminder_without_a_due_date_or_to_other_departments(
    review, staff, commission_user, django_capture_on_commit_callbacks
):
    other = staff_of(type(review.plan.submitted_by).objects.create(name="某区发改局"), "other-staff")

    assert run(TODAY, django_capture_on_commit_callbacks) == 0
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY + timedelta(days=2))
    run(TODAY, django_capture_on_commit_callbacks)

    assert (len(reminders_of(staff)), reminders_of(other), reminders_of(commission_user)) == (1, [], [])


def test_a_department_without_staff_here_leaves_the_reminder_to_the_commission_member_who_set_the_date(
    review, commission_user, django_capture_on_commit_callbacks
):
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY + timedelta(days=1))

    run(TODAY, django_capture_on_commit_callbacks)

    assert len(reminders_of(commission_user)) == 1
    assert AnswersReminder.objects.get().recipients == 1


def test_the_cron_command_enqueues_the_reminders(review, staff, commission_user, django_capture_on_commit_callbacks):
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY + timedelta(days=2))
    out = io.StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("answer_reminders", stdout=out)
        call_command("answer_reminders", stdout=out)

    assert "remind_answers_due" in out.getvalue()
    assert len(reminders_of(staff)) == 1


# ---------------------------------------------------------------- the answers overdue


def overdue_by(review, commission_user, days):
    """A due date ``days`` ago, set as the commission would have then."""
    then = TODAY - timedelta(days=days + 1)
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY - timedelta(days=days), today=then)


def test_the_selector_lists_the_overdue_with_their_counts_until_every_point_is_answered(
    review, staff, commission_user, django_assert_num_queries
):
    overdue_by(review, commission_user, 2)
    points = list(Point.objects.filter(opinion__review=review).order_by("id"))

    with django_assert_num_queries(1):
        rows = overdue_answers()
    answer(points[:5], staff)
    one_left = overdue_answers()
    answer(points[5:], staff)

    assert rows == [
        {
            "review": review.pk,
            "plan": review.plan.title,
            "department_id": review.plan.submitted_by_id,
            "department": review.plan.submitted_by.name,
            "due_on": TODAY - timedelta(days=2),
            "days_overdue": 2,
            "unanswered": 6,
            "total": 6,
            "url": f"/portal/reviews/{review.pk}/consolidation/#points",
        }
    ]
    assert [(r["unanswered"], r["total"]) for r in one_left] == [(1, 6)]
    assert overdue_answers() == []


def test_due_today_or_later_or_cleared_is_not_overdue(review, commission_user):
    answers_due.set_answers_due(review, by=commission_user, due_on=TODAY)
    due_today = overdue_answers()
    answers_due.set_answers_due(review, by=commission_user, due_on=None)

    assert (due_today, overdue_answers(), overdue_answers(today=TODAY + timedelta(days=1))) == ([], [], [])


def test_the_selector_narrows_to_due_dates_in_a_range(review, commission_user):
    overdue_by(review, commission_user, 3)
    due = TODAY - timedelta(days=3)

    assert len(overdue_answers(due_from=due, due_until=due)) == 1
    assert overdue_answers(due_from=due + timedelta(days=1)) == []
    assert overdue_answers(due_until=due - timedelta(days=1)) == []


def page(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client.get("/portal/answers-overdue/")


@pytest.mark.parametrize("role", [roles.COMMISSION, roles.SECRETARIAT])
def test_the_overdue_page_lists_them_with_a_link_to_the_answers(review, commission_user, role):
    overdue_by(review, commission_user, 4)
    user = commission_user if role == roles.COMMISSION else make_user(role, username="sec2")

    response = page(user)
    body = response.content.decode()

    assert response.status_code == 200
    assert f'data-testid="overdue-row" data-review="{review.pk}"' in body
    assert (
        f"<td>{review.plan.submitted_by.name}</td><td>{(TODAY - timedelta(days=4)).isoformat()}</td><td>4</td>" in body
    )
    assert "<td>6 / 6</td>" in body
    assert f'href="/portal/reviews/{review.pk}/consolidation/#points"' in body


def test_the_overdue_page_says_when_none_is_overdue(commission_user):
    assert "No answers are overdue." in page(commission_user).content.decode()


@pytest.mark.parametrize("role", [roles.DEPARTMENT, roles.EXPERT, roles.AUDITOR])
def test_the_overdue_page_is_404_for_other_roles(review, commission_user, role):
    overdue_by(review, commission_user, 1)

    assert page(make_user(role, username=f"u-{role}")).status_code == 404


def test_the_overdue_page_sends_the_signed_out_to_sign_in():
    response = Client().get("/portal/answers-overdue/")

    assert response.status_code == 302 and "next=" in response["Location"]


def test_the_overdue_page_is_in_the_commissions_navigation_only(commission_user, department_user):
    from core.portal import nav_for

    assert "/portal/answers-overdue/" in [item["url"] for item in nav_for(commission_user)]
    assert "/portal/answers-overdue/" not in [item["url"] for item in nav_for(department_user)]


def test_the_reading_page_marks_the_answers_overdue(review, commission_user):
    overdue_by(review, commission_user, 2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(commission_user)

    body = client.get(f"/portal/reviews/{review.pk}/consolidation/").content.decode()

    assert '<span class="badge warn" data-testid="answers-overdue">2 days overdue</span>' in body


# ---------------------------------------------------------------- the year report


def report_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_year_report_lists_the_answers_overdue_of_its_year(review, commission_user):
    overdue_by(review, commission_user, 1)
    year = (TODAY - timedelta(days=1)).year
    client = report_client(commission_user)

    shown = client.get(f"/portal/year-report/?year={year}").content.decode()
    earlier = client.get(f"/portal/year-report/?year={year - 1}").content.decode()

    assert 'id="h-overdue"' in shown and f'data-testid="overdue-row" data-review="{review.pk}"' in shown
    assert 'id="h-overdue"' in earlier and 'data-testid="overdue-row"' not in earlier


def test_the_year_report_documents_carry_the_answers_overdue(review, commission_user):
    from docx import Document
    from openpyxl import load_workbook

    overdue_by(review, commission_user, 1)
    due = TODAY - timedelta(days=1)
    client = report_client(commission_user)
    expected = [review.plan.title, review.plan.submitted_by.name, due.isoformat(), 1, 6, 6]

    workbook = load_workbook(io.BytesIO(client.get(f"/portal/year-report/document.xlsx?year={due.year}").content))
    document = Document(io.BytesIO(client.get(f"/portal/year-report/document.docx?year={due.year}").content))
    last_table = [[cell.text for cell in row.cells] for row in document.tables[-1].rows]

    assert [list(row) for row in workbook["overdue"].iter_rows(min_row=2, values_only=True)] == [expected]
    assert last_table[0] == ["Plan", "Department", "Due on", "Days overdue", "Unanswered", "Points"]
    assert last_table[1:] == [[str(value) for value in expected]]


def test_the_year_report_chart_summary_is_one_translatable_sentence(db):
    from consultations.year_report.documents import _summary

    row = {"label": "某局", "adopted": 1, "partly_adopted": 0, "not_adopted": 1, "unanswered": 2, "adoption_rate": 0.5}
    labels = {"adopted": "A", "partly_adopted": "P", "not_adopted": "N", "unanswered": "U"}

    with translation.override("en"):
        summary = _summary(row, labels)

    assert summary == "某局: A 1, P 0, N 1, U 2; adoption rate 50.0%"
