"""名单保密: until a review closes, who was drawn, invited, accepted, declined or held as an
alternate is for the secretariat and the panel itself (``reviews.rules.can_see_panel``); the
plan's department and the commission see numbers only; after the close the commission sees the
panel. Every path here: the review page, the API (assignments, the review, the event log, the
draw), the invitations page, notifications and the calendar file. The socket is in
``test_confidential_panel_socket.py``; the crawl of every route in ``tests/security``."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.models import Notification
from experts.models import Expert
from reviews import selectors
from reviews.draw import services as draw_services
from reviews.models import Assignment
from reviews.services import assignments, scheduling
from reviews.states import transition
from tests.conftest import make_user
from tests.reviews.conftest import schedule


def invited(review):
    return list(review.assignments.filter(state=Assignment.State.INVITED).select_related("expert__user"))


def accept(assignment):
    return assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)


def panel_names(review):
    """Everyone the draw named: each invited expert (whatever became of the invitation) and every
    alternate."""
    ids = set(review.assignments.values_list("expert_id", flat=True)) | set(review.draw.alternates)
    return sorted(Expert.objects.filter(pk__in=ids).values_list("name", flat=True))


def named(text, review):
    return [name for name in panel_names(review) if name in text]


def page(client, user, review):
    client.force_login(user)
    response = client.get(f"/portal/reviews/{review.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def closed(drawn, secretariat_user):
    """``drawn`` with its whole panel accepted, a chair named, opened and closed."""
    for assignment in invited(drawn):
        accept(assignment)
    scheduling.set_chair(drawn, drawn.assignments.first().expert, by=secretariat_user)
    transition(drawn, "open", by=secretariat_user)
    transition(drawn, "closed", by=secretariat_user)
    drawn.refresh_from_db()
    return drawn


# ---------------------------------------------------------------- pages


def test_department_review_page_of_an_inviting_review_shows_numbers_and_no_name(client, drawn, department_staff):
    accept(invited(drawn)[0])
    mine, *others = invited(drawn)
    assignments.decline_assignment(mine, by=mine.expert.user, reason="出差")  # an alternate is invited

    text = page(client, department_staff, drawn)

    assert named(text, drawn) == []
    assert "5 seats: 1 accepted, 4 awaiting an answer." in text
    assert 'id="panel-board"' not in text


def test_commission_review_page_shows_numbers_before_the_close_and_names_after(
    client, drawn, commission_user, secretariat_user
):
    before = page(client, commission_user, drawn)
    for assignment in invited(drawn):
        accept(assignment)
    scheduling.set_chair(drawn, drawn.assignments.first().expert, by=secretariat_user)
    transition(drawn, "open", by=secretariat_user)
    while_open = page(client, commission_user, drawn)
    transition(drawn, "closed", by=secretariat_user)
    drawn.refresh_from_db()
    after = page(client, commission_user, drawn)

    members = sorted(a.expert.name for a in drawn.assignments.select_related("expert"))
    assert (named(before, drawn), named(while_open, drawn)) == ([], [])
    assert "5 seats: 0 accepted, 5 awaiting an answer." in before
    assert "5 seats: 5 accepted, 0 awaiting an answer." in while_open
    assert [name for name in members if name in after] == members


def test_department_review_page_after_the_close_still_names_nobody(client, closed, department_staff):
    """The department reads the panel where the conclusion is published (the consolidation,
    with letters while it is blind to the department), not on the review page."""
    text = page(client, department_staff, closed)

    assert named(text, closed) == []
    assert "The panel is named in the consolidated opinion." in text


def test_accepted_member_sees_the_panel_they_are_on(client, drawn):
    member = invited(drawn)[0]
    accept(member)

    text = page(client, member.expert.user, drawn)

    invited_names = sorted(a.expert.name for a in drawn.assignments.select_related("expert"))
    assert [name for name in invited_names if name in text] == invited_names


def test_invited_expert_sees_their_own_invitation_only(client, api_as, drawn):
    mine, *others = invited(drawn)
    client.force_login(mine.expert.user)

    review_page = client.get(f"/portal/reviews/{drawn.pk}/")
    invitations = client.get("/portal/invitations/").content.decode()
    listed = api_as(mine.expert.user).get("/api/v1/assignments/?mine=1").json()["results"]
    panel = api_as(mine.expert.user).get(f"/api/v1/reviews/{drawn.pk}/assignments/")

    assert review_page.status_code == 404
    assert [a.expert.name for a in others if a.expert.name in invitations] == []
    assert [row["id"] for row in listed] == [mine.pk]
    assert panel.status_code == 404


# ---------------------------------------------------------------- the API


def test_assignments_api_is_404_for_the_department_and_the_commission_until_the_close(
    api_as, drawn, department_staff, commission_user, secretariat_user
):
    path = f"/api/v1/reviews/{drawn.pk}/assignments/"
    member = invited(drawn)[0]
    accept(member)

    codes = {
        "department": api_as(department_staff).get(path).status_code,
        "commission": api_as(commission_user).get(path).status_code,
        "secretariat": api_as(secretariat_user).get(path).status_code,
        "member": api_as(member.expert.user).get(path).status_code,
    }

    assert codes == {"department": 404, "commission": 404, "secretariat": 200, "member": 200}


def test_assignments_api_after_the_close_names_the_panel_to_the_commission_not_the_department(
    api_as, closed, department_staff, commission_user
):
    path = f"/api/v1/reviews/{closed.pk}/assignments/"

    commission = api_as(commission_user).get(path)
    department = api_as(department_staff).get(path)

    expected = sorted(a.expert.name for a in closed.assignments.select_related("expert"))
    assert sorted(row["expert_name"] for row in commission.json()["results"]) == expected
    assert department.status_code == 404


def test_review_api_hides_the_chair_from_the_department_while_open(api_as, drawn, department_staff, secretariat_user):
    for assignment in invited(drawn):
        accept(assignment)
    chair = drawn.assignments.first().expert
    scheduling.set_chair(drawn, chair, by=secretariat_user)
    transition(drawn, "open", by=secretariat_user)

    department = api_as(department_staff)
    detail = department.get(f"/api/v1/reviews/{drawn.pk}/").json()
    listed = department.get("/api/v1/reviews/").json()["results"]
    secretariat = api_as(secretariat_user).get(f"/api/v1/reviews/{drawn.pk}/").json()

    assert (detail["chair"], [row["chair"] for row in listed]) == (None, [None])
    assert secretariat["chair"] == chair.pk


def test_event_log_carries_no_assignment_or_expert_to_the_department(api_as, drawn, department_staff, secretariat_user):
    first, second, *_ = invited(drawn)
    accept(first)
    assignments.decline_assignment(second, by=second.expert.user, reason="出差")
    path = f"/api/v1/reviews/{drawn.pk}/events/?page_size=200"

    department = api_as(department_staff).get(path).json()["results"]
    secretariat = api_as(secretariat_user).get(path).json()["results"]

    assert [e["state"] for e in department if e["type"] == "assignment.changed"][-3:] == [
        "accepted", "declined", "invited",
    ]  # fmt: skip
    assert [sorted(e) for e in department if {"assignment", "expert", "users"} & set(e)] == []
    assert {e["assignment"] for e in secretariat if e["type"] == "assignment.changed"} >= {first.pk, second.pk}


def test_draw_is_the_commissions_only_after_the_close(api_as, drawn, commission_user, secretariat_user):
    path = f"/api/v1/draws/{drawn.draw.pk}/"
    before = api_as(commission_user).get(path).status_code
    secretariat = api_as(secretariat_user).get(path).status_code
    for assignment in invited(drawn):
        accept(assignment)
    transition(drawn, "open", by=secretariat_user)
    transition(drawn, "closed", by=secretariat_user)

    after = api_as(commission_user).get(path).status_code

    assert (before, secretariat, after) == (404, 200, 200)


def test_department_gets_404_for_the_draw_before_and_after_the_close(api_as, closed, department_staff):
    assert api_as(department_staff).get(f"/api/v1/draws/{closed.draw.pk}/").status_code == 404


# ---------------------------------------------------------------- numbers only


def test_panel_progress_counts_seats_without_naming_anyone(drawn):
    first, second, *_ = invited(drawn)
    accept(first)
    drawn.panel_size = 6
    drawn.save(update_fields=["panel_size"])

    progress = selectors.panel_progress(drawn)

    assert progress == {"seats": 6, "accepted": 1, "awaiting": 4, "vacant": 1}


# ---------------------------------------------------------------- notifications and calendar files


def test_notifications_name_no_expert_and_reach_neither_department_nor_commission(
    drawn, department_staff, commission_user, django_capture_on_commit_callbacks
):
    first, second, *_ = invited(drawn)
    with django_capture_on_commit_callbacks(execute=True):
        accept(first)
        assignments.decline_assignment(second, by=second.expert.user, reason="出差")

    texts = list(Notification.objects.values_list("text", flat=True))
    texts += [m.body for m in mail.outbox] + [m.subject for m in mail.outbox]
    outsiders = Notification.objects.filter(user__in=[department_staff, commission_user]).count()

    assert texts
    assert [text for text in texts if named(text, drawn)] == []
    assert outsiders == 0


def test_meeting_calendar_file_names_no_attendee(plan, secretariat_user, roster, django_capture_on_commit_callbacks):
    review = schedule(
        plan, secretariat_user, mode="meeting", meeting_at=timezone.now() + timedelta(days=10), location="市政府302"
    )
    with django_capture_on_commit_callbacks(execute=True):
        draw_services.draw_for_review(review, by=secretariat_user)
    review.refresh_from_db()

    files = [a.content for m in mail.outbox for a in m.attachments if a.mimetype == "text/calendar"]

    assert len(files) == 5
    assert [f for f in files if "ATTENDEE" in f or "ORGANIZER" in f or named(f, review)] == []


def test_a_signed_in_stranger_gets_404_on_every_panel_path(api_as, client, drawn):
    stranger = make_user("commission", username="other-reader")
    stranger_dept = make_user("department", username="other-dept")  # staff of no organisation
    paths = [f"/api/v1/reviews/{drawn.pk}/assignments/", f"/api/v1/draws/{drawn.draw.pk}/"]

    codes = [api_as(user).get(path).status_code for user in (stranger, stranger_dept) for path in paths]

    assert codes == [404] * 4
