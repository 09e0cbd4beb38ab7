"""名单保密 on the review's socket: the plan's department and the commission, let into the review's
channel, hear that something changed (an assignment's new state, how many are present) but never
which assignment, which expert or which user; the secretariat hears it all; after the close the
commission does too (``reviews.rules.can_see_panel``, ``reviews.events.without_panel``)."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from reviews.draw import services as draw_services
from reviews.models import Assignment
from reviews.services import assignments
from reviews.states import transition
from tests.reviews.conftest import add_expert, schedule

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")
PANEL_KEYS = {"assignment", "expert", "users"}


def cookie_for(user):
    client = Client()  # one each: signing another user in on the same client ends the first session
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


@pytest.fixture
def inviting(secretariat_user, plan, domain):
    for n in range(1, 9):
        add_expert(n, domain=domain)
    review = schedule(plan, secretariat_user, panel_size=3, rules={"minimum_panel_size": 1})
    draw_services.draw_for_review(review, by=secretariat_user)
    return review


def invited(review):
    return list(review.assignments.filter(state=Assignment.State.INVITED).select_related("expert__user"))


def listen(review, listeners, activity):
    """Each of ``listeners`` (name → user) opens the review's socket; then ``activity()``; then
    every message each received until a quiet spell longer than the presence window, read one
    socket after another in the order given (each hangs up once read)."""
    path = f"/ws/reviews/{review.pk}/"
    cookies = {name: cookie_for(user) for name, user in listeners.items()}

    async def drain(communicator):
        messages = []
        while not await communicator.receive_nothing(timeout=1.5):
            messages.append(await communicator.receive_json_from())
        await communicator.disconnect()
        return messages

    async def scenario():
        sockets = {}
        for name, cookie in cookies.items():
            communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
            connected, _code = await communicator.connect()
            assert connected, name
            sockets[name] = communicator
        await asyncio.sleep(1.2)  # past the presence window: the joins are announced before the activity
        await database_sync_to_async(activity)()
        drained = [await drain(communicator) for communicator in sockets.values()]
        return dict(zip(sockets, drained, strict=True))

    return async_to_sync(scenario)()


def test_department_and_commission_hear_an_inviting_review_without_who(
    inviting, department_staff, commission_user, secretariat_user
):
    first, second, *_ = invited(inviting)

    def activity():
        assignments.accept_assignment(first, by=first.expert.user, no_conflict=True, confidentiality=True)
        assignments.decline_assignment(second, by=second.expert.user, reason="出差")

    heard = listen(
        inviting,
        {"department": department_staff, "commission": commission_user, "secretariat": secretariat_user},
        activity,
    )

    for outsider in ("department", "commission"):
        changes = [m["state"] for m in heard[outsider] if m["type"] == "assignment.changed"]
        presence = [m for m in heard[outsider] if m["type"] == "presence"]
        assert changes == ["accepted", "declined", "invited"], outsider
        assert 3 in [m["count"] for m in presence], outsider  # all three listening (they leave one by one)
        assert [sorted(m) for m in heard[outsider] if PANEL_KEYS & set(m)] == [], outsider
    secretariat_changes = [m["assignment"] for m in heard["secretariat"] if m["type"] == "assignment.changed"]
    assert secretariat_changes[:2] == [first.pk, second.pk]
    everyone = sorted([department_staff.pk, commission_user.pk, secretariat_user.pk])
    assert everyone in [m["users"] for m in heard["secretariat"] if m["type"] == "presence"]


def test_commission_hears_who_once_the_review_closes(inviting, commission_user, secretariat_user):
    for assignment in invited(inviting):
        assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)
    transition(inviting, "open", by=secretariat_user)
    member = inviting.assignments.select_related("expert__user").first()

    def activity():
        transition(inviting, "closed", by=secretariat_user)
        assignments_after = list(inviting.assignments.values_list("pk", flat=True))
        assert assignments_after  # the panel stays; the commission may now see it

    # The member hangs up first (sockets close in this order): the commission then hears who is left.
    heard = listen(inviting, {"member": member.expert.user, "commission": commission_user}, activity)

    closed_at = next(i for i, m in enumerate(heard["commission"]) if m["type"] == "review.state_changed")
    before = [m for m in heard["commission"][:closed_at] if m["type"] == "presence"]
    assert before and "users" not in before[-1]
    after = [m for m in heard["commission"][closed_at:] if m["type"] == "presence"]
    assert after and [m["users"] for m in after][-1] == [commission_user.pk]


def test_a_new_socket_after_the_close_gives_the_commission_the_full_presence(
    inviting, commission_user, secretariat_user
):
    for assignment in invited(inviting):
        assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)
    transition(inviting, "open", by=secretariat_user)
    transition(inviting, "closed", by=secretariat_user)

    heard = listen(inviting, {"commission": commission_user}, lambda: None)

    assert [m["users"] for m in heard["commission"] if m["type"] == "presence"][-1] == [commission_user.pk]
