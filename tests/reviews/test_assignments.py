from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultations.opinions import reminders
from core.errors import StateConflict
from core.models import Notification, SmsMessage
from reviews import states
from reviews.draw import services as draw_services
from reviews.models import Assignment, DrawChange, Review, ReviewEvent
from reviews.services import assignments, scheduling
from tests.reviews.conftest import add_expert, schedule


def invited(review):
    return list(review.assignments.filter(state=Assignment.State.INVITED).select_related("expert__user"))


def accept(assignment):
    return assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)


def test_drawn_experts_are_invited_in_portal_mail_and_sms(drawn):
    assert Notification.objects.filter(kind="invitation").count() == 5
    assert SmsMessage.objects.count() == 5
    assert len(mail.outbox) == 5
    assert sorted(m.to[0] for m in mail.outbox) == sorted(a.expert.email for a in invited(drawn))


def test_meeting_invitation_carries_an_ics_with_stable_uid(
    plan, secretariat_user, roster, django_capture_on_commit_callbacks
):
    review = schedule(
        plan, secretariat_user, mode="meeting", meeting_at=timezone.now() + timedelta(days=10), location="市政府302"
    )
    with django_capture_on_commit_callbacks(execute=True):
        draw_services.draw_for_review(review, by=secretariat_user, seed="m")
    first = mail.outbox[0].attachments[0]
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        scheduling.update_review(review, by=secretariat_user, meeting_at=review.meeting_at + timedelta(hours=2))

    moved = mail.outbox[0].attachments[0]
    assert first.mimetype == "text/calendar"
    assert f"UID:review-{review.pk}@committee.local" in first.content
    assert "SEQUENCE:0" in first.content
    assert f"UID:review-{review.pk}@committee.local" in moved.content
    assert "SEQUENCE:1" in moved.content


def test_accept_requires_both_declarations(drawn):
    assignment = invited(drawn)[0]

    with pytest.raises(ValidationError) as raised:
        assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=False)

    assert list(raised.value.message_dict) == ["confidentiality"]
    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.INVITED
    assert not assignment.expert.user.has_perm("reviews.view_review", drawn)


def test_accept_keeps_texts_and_time_and_grants_reading(drawn):
    assignment = accept(invited(drawn)[0])

    user = assignment.expert.user
    assert assignment.state == Assignment.State.ACCEPTED
    assert "no interest in the plan" in assignment.no_conflict_text
    assert "confidential" in assignment.confidentiality_text
    assert assignment.responded_at is not None
    assert user.has_perm("reviews.view_review", drawn)
    assert user.has_perm("reviews.view_plan", drawn.plan)


def test_decline_requires_a_reason(drawn):
    assignment = invited(drawn)[0]

    with pytest.raises(ValidationError):
        assignments.decline_assignment(assignment, by=assignment.expert.user, reason="  ")

    assignment.refresh_from_db()
    assert assignment.state == Assignment.State.INVITED


def test_decline_invites_the_next_alternate_without_anyone_acting(drawn):
    draw = drawn.draw
    leaving = invited(drawn)[0]

    assignments.decline_assignment(leaving, by=leaving.expert.user, reason="出差")

    active = set(drawn.assignments.filter(state__in=Assignment.ACTIVE_STATES).values_list("expert_id", flat=True))
    change = DrawChange.objects.get(draw=draw)
    assert change.kind == DrawChange.Kind.DECLINED
    assert change.expert_out_id == leaving.expert_id
    assert change.expert_in_id in draw.alternates
    assert active == (set(draw.selected) - {leaving.expert_id}) | {change.expert_in_id}
    assert len(active) == 5


def test_declining_after_accepting_revokes_access(drawn):
    assignment = accept(invited(drawn)[0])

    assignments.decline_assignment(assignment, by=assignment.expert.user, reason="发现利益冲突")

    user = type(assignment.expert.user).objects.get(pk=assignment.expert.user_id)
    assert not user.has_perm("reviews.view_review", drawn)
    assert not user.has_perm("reviews.view_plan", drawn.plan)


def test_replacement_by_hand_is_recorded_with_its_reason(drawn, secretariat_user, domain):
    newcomer = add_expert(50, domain=domain)
    leaving = accept(invited(drawn)[0])

    assignments.replace_assignment(leaving, by=secretariat_user, reason="健康原因", expert=newcomer)

    change = DrawChange.objects.get(draw=drawn.draw)
    assert (change.kind, change.expert_out_id, change.expert_in_id, change.reason, change.by) == (
        DrawChange.Kind.REPLACED,
        leaving.expert_id,
        newcomer.pk,
        "健康原因",
        secretariat_user,
    )
    assert drawn.assignments.get(expert=newcomer).state == Assignment.State.INVITED


def test_replacement_by_an_ineligible_expert_is_refused(drawn, secretariat_user, domain):
    suspended = add_expert(51, domain=domain, status="suspended")
    leaving = invited(drawn)[0]

    with pytest.raises(ValidationError) as raised:
        assignments.replace_assignment(leaving, by=secretariat_user, reason="x", expert=suspended)

    assert raised.value.message_dict == {"expert": ["Not an active member"]}
    leaving.refresh_from_db()
    assert leaving.state == Assignment.State.INVITED


def test_no_answer_gets_a_reminder_then_the_next_alternate(drawn):
    silent = invited(drawn)[0]
    later = silent.reply_by + timedelta(minutes=1)

    first = assignments.chase_unanswered(now=later)
    silent.refresh_from_db()
    reminded_state = silent.state
    second = assignments.chase_unanswered(now=later + timedelta(days=1, minutes=1))

    silent.refresh_from_db()
    assert first == (5, 0)
    assert reminded_state == Assignment.State.INVITED
    assert second == (0, 5)
    assert silent.state == Assignment.State.EXPIRED
    assert DrawChange.objects.filter(draw=drawn.draw, kind=DrawChange.Kind.NO_ANSWER).count() == 5


def test_events_have_consecutive_seq_per_review(drawn):
    leaving = invited(drawn)[0]
    assignments.decline_assignment(leaving, by=leaving.expert.user, reason="忙")

    events = list(ReviewEvent.objects.filter(review=drawn).values_list("seq", "type"))

    assert [seq for seq, _type in events] == list(range(1, len(events) + 1))
    assert events[0] == (1, "review.state_changed")
    assert events[-2:] == [(len(events) - 1, "assignment.changed"), (len(events), "assignment.changed")]


def test_review_opens_only_when_the_panel_has_accepted(drawn, secretariat_user):
    with pytest.raises(StateConflict):
        states.transition(drawn, Review.State.OPEN, by=secretariat_user)

    for assignment in invited(drawn):
        accept(assignment)
    states.transition(drawn, Review.State.OPEN, by=secretariat_user)

    drawn.refresh_from_db()
    assert drawn.state == Review.State.OPEN


def test_transition_table_refuses_skipping_states(drawn, secretariat_user):
    with pytest.raises(StateConflict):
        states.transition(drawn, Review.State.CONSOLIDATED, by=secretariat_user)

    drawn.refresh_from_db()
    assert drawn.state == Review.State.INVITING


def test_chair_is_named_from_accepted_experts(drawn, secretariat_user):
    first, second = invited(drawn)[:2]
    accept(first)

    with pytest.raises(ValidationError):
        scheduling.set_chair(drawn, second.expert, by=secretariat_user)
    scheduling.set_chair(drawn, first.expert, by=secretariat_user)

    drawn.refresh_from_db()
    assert drawn.chair == first.expert


def test_due_reminders_go_three_days_and_one_day_before(drawn, secretariat_user):
    for assignment in invited(drawn):
        accept(assignment)
    states.transition(drawn, Review.State.OPEN, by=secretariat_user)
    due = drawn.due_at
    Notification.objects.all().delete()

    counts = [
        reminders.send_due_reminders(now=due - timedelta(days=4)),
        reminders.send_due_reminders(now=due - timedelta(days=2, hours=23)),
        reminders.send_due_reminders(now=due - timedelta(days=2)),
        reminders.send_due_reminders(now=due - timedelta(hours=20)),
    ]

    assert counts == [0, 5, 0, 5]
    assert Notification.objects.filter(kind="due_reminder").count() == 10
