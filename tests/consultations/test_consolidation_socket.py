"""The review's channel and the consolidation: the plan's department hears consolidation.saved
(a version and a count, no names); another department's handshake is refused."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from consultations.consolidation import services as rules
from tests.consultations.consolidation_setup import closed_review, staff_of
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def cookie_for(user):
    from django.test import Client

    client = Client()  # one client per user: a second login on the same client ends the first session
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


def test_plan_department_hears_consolidation_saved_and_another_is_refused(secretariat_user):
    review = closed_review(secretariat_user, panel=3)
    own = cookie_for(staff_of(review.plan.submitted_by, "planner"))
    other = cookie_for(staff_of(OrganizationFactory(name="沈阳市科技局"), "other-dept"))
    path = f"/ws/reviews/{review.pk}/"

    async def scenario():
        refused = WebsocketCommunicator(application, path, headers=[ORIGIN, other])
        refused_connected, refused_code = await refused.connect()
        listener = WebsocketCommunicator(application, path, headers=[ORIGIN, own])
        connected, _ = await listener.connect()
        await database_sync_to_async(rules.save_group_opinion)(
            review, by=secretariat_user, text="专家组意见。", expected_version=0
        )
        seen = []
        while True:
            message = await listener.receive_json_from(timeout=15)
            seen.append(message)
            if message["type"] == "consolidation.saved":
                break
        await listener.disconnect()
        return refused_connected, refused_code, connected, seen[-1]

    refused_connected, refused_code, connected, message = async_to_sync(scenario)()

    assert (refused_connected, refused_code, connected) == (False, 4403, True)
    assert {k: message[k] for k in ("type", "review", "version", "sealed", "confirmed")} == {
        "type": "consolidation.saved",
        "review": review.pk,
        "version": 1,
        "sealed": False,
        "confirmed": 0,
    }
