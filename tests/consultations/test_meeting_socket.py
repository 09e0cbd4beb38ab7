"""The meeting live on the review's channel: a check-in, the chair moving along the agenda and a
vote reach the sockets in seq order; the plan's department hears the vote as counts, never who."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from consultations.meetings import checkin, services
from reviews.models import ReviewEvent
from tests.consultations.consolidation_setup import staff_of
from tests.consultations.meeting_setup import check_in_all, meeting_review, members
from tests.consultations.test_live import ORIGIN, session_cookie, until
from tests.consultations.test_meetings import close_with_group_opinion


def without_time(message):
    return {k: v for k, v in message.items() if k != "at"}


@pytest.mark.django_db(transaction=True)
def test_checkin_and_agenda_moves_reach_the_panel_in_seq_order(secretariat_user):
    review = meeting_review(secretariat_user)
    services.set_agenda(review, by=secretariat_user, items=[{"title": "总体要求", "section": ""}])
    chair, member, _third = members(review)
    cookie = session_cookie(member)

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/reviews/{review.pk}/", headers=[ORIGIN, cookie])
        assert (await communicator.connect())[0]
        await until(communicator, "presence")
        await database_sync_to_async(services.check_in)(review, by=member, code=checkin.make_code(review)[0])
        attendance = (await until(communicator, "attendance.changed"))[-1]
        await database_sync_to_async(services.move_agenda)(review, by=chair, step=1)
        moved = (await until(communicator, "agenda.moved"))[-1]
        await communicator.disconnect()
        return attendance, moved

    attendance, moved = async_to_sync(scenario)()

    seq = dict(ReviewEvent.objects.filter(review=review).values_list("type", "seq").order_by("seq"))
    expected = {"type": "attendance.changed", "review": review.pk, "seq": seq["attendance.changed"]}
    assert without_time(attendance) == {**expected, "expert": member.expert.pk, "present": 1}
    assert moved["seq"] == attendance["seq"] + 1
    assert (moved["item"], moved["section"], moved["items"]) == (review.agenda.get().pk, "", 1)


@pytest.mark.django_db(transaction=True)
def test_the_department_hears_a_vote_as_counts_without_who(secretariat_user):
    review = meeting_review(secretariat_user)
    check_in_all(review)
    close_with_group_opinion(review, secretariat_user)
    voter = members(review)[1]
    cookie = session_cookie(staff_of(review.plan.submitted_by, "dept-staff"))

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/reviews/{review.pk}/", headers=[ORIGIN, cookie])
        assert (await communicator.connect())[0]
        await until(communicator, "presence")
        await database_sync_to_async(services.cast_vote)(review, by=voter, vote="against")
        message = (await until(communicator, "vote.cast"))[-1]
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()

    assert {k: v for k, v in without_time(message).items() if k != "seq"} == {
        "type": "vote.cast", "review": review.pk, "version": 1, "agree": 0, "against": 1, "abstain": 0}  # fmt: skip
