"""Live proposals: the secretariat's board hears of a new proposal after commit; others are
refused; the expert's own channel hears when a suggestion of theirs is answered."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from consultations.proposals import services as proposals
from consultations.responses import services as responses
from tests.consultations.proposal_setup import build_setting, submit

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def cookie_for(user):
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


async def connect(path, user_cookie):
    communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, (b"cookie", user_cookie)])
    connected, code = await communicator.connect()
    return communicator, connected, code


def test_board_hears_a_new_proposal_after_commit():
    setting = build_setting()
    cookie = cookie_for(setting.secretariat)

    async def scenario():
        communicator, connected, _ = await connect("/ws/board/", cookie)
        assert connected
        proposal = await database_sync_to_async(submit)(setting.expert)
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return proposal, message

    proposal, message = async_to_sync(scenario)()
    assert message == {"type": "proposal.submitted", "proposal": proposal.pk, "state": "submitted"}


@pytest.mark.parametrize("who", ["expert", "commission", "department"])
def test_board_refuses_everyone_but_the_secretariat(who):
    setting = build_setting()
    user = {
        "expert": setting.expert.user,
        "commission": setting.commission,
        "department": setting.industry_staff,
    }[who]
    cookie = cookie_for(user)

    async def scenario():
        communicator, connected, code = await connect("/ws/board/", cookie)
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


def test_expert_hears_on_their_channel_when_a_suggestion_is_answered():
    setting = build_setting()
    proposal = submit(setting.expert)
    proposals.route_proposal(proposal, by=setting.secretariat, organizations=[setting.industry.pk])
    point = proposal.points.order_by("position").first()
    cookie = cookie_for(setting.expert.user)

    async def scenario():
        communicator, connected, _ = await connect("/ws/notifications/", cookie)
        assert connected
        await database_sync_to_async(responses.answer_point)(point, by=setting.industry_staff, status="adopted")
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()
    assert (message["type"], message["kind"], message["url"]) == (
        "notification.created",
        "response",
        f"/portal/proposals/{proposal.pk}/",
    )
