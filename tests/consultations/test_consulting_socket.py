"""The consultation's live board (/ws/consultations/{id}/): a submitted answer reaches those
who pose consultations, by id only, after commit; everyone else is refused with 4403."""

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from config.asgi import application
from consultations.inquiries import services as consulting
from consultations.opinions import services
from tests.consultations.consulting_setup import build_committee, pose

ORIGIN = (b"origin", b"http://localhost")


def session_cookie(user):
    client = Client()
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def until(communicator, wanted):
    messages = []
    while not messages or messages[-1]["type"] != wanted:
        messages.append(await communicator.receive_json_from(timeout=5))
    return messages


@pytest.mark.django_db(transaction=True)
def test_consultation_board_hears_a_submitted_answer_by_id(commission_user, secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    questions = list(consultation.questions.order_by("position"))
    draft = consulting.ensure_answer(consultation, e["child"])
    draft = services.save_opinion(
        draft, by=e["child"].user, data={"points": [{"question": q.pk, "text": "建议"} for q in questions]},
        expected_version=0,
    )  # fmt: skip
    cookie = session_cookie(commission_user)

    async def scenario():
        path = f"/ws/consultations/{consultation.pk}/"
        communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
        assert (await communicator.connect())[0]
        await database_sync_to_async(services.submit_opinion)(draft, by=e["child"].user)
        messages = await until(communicator, "answer.submitted")
        await communicator.disconnect()
        return messages[-1]

    message = async_to_sync(scenario)()

    assert {k: v for k, v in message.items() if k != "at"} == {
        "type": "answer.submitted",
        "consultation": consultation.pk,
        "answer": draft.pk,
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["child", "suspended", "other", "department"])
def test_consultation_board_refuses_experts_and_others_with_4403(secretariat_user, who):
    committee = build_committee()
    consultation = pose(secretariat_user)
    user = committee["department"] if who == "department" else committee["experts"][who].user
    cookie = session_cookie(user)

    async def scenario():
        path = f"/ws/consultations/{consultation.pk}/"
        communicator = WebsocketCommunicator(application, path, headers=[ORIGIN, cookie])
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


@pytest.mark.django_db(transaction=True)
def test_consultation_board_of_a_missing_consultation_is_4403(secretariat_user):
    cookie = session_cookie(secretariat_user)

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/consultations/999999/", headers=[ORIGIN, cookie])
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


@pytest.mark.django_db(transaction=True)
def test_consultation_opening_notifies_the_recipient_on_their_socket(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user, open_it=False)
    cookie = session_cookie(e["child"].user)

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/notifications/", headers=[ORIGIN, cookie])
        assert (await communicator.connect())[0]
        await database_sync_to_async(consulting.open_consultation)(consultation, by=secretariat_user)
        message = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return message

    message = async_to_sync(scenario)()

    assert (message["type"], message["kind"], message["url"]) == (
        "notification.created",
        "consultation",
        f"/portal/consultations/{consultation.pk}/answer/",
    )
