import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from config.asgi import application
from reviews.draw import services as draw_services
from reviews.services import assignments
from tests.conftest import make_user
from tests.reviews.conftest import add_expert, schedule

pytestmark = pytest.mark.django_db(transaction=True)

ORIGIN = (b"origin", b"http://localhost")


def cookie_for(client, user):
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


async def handshake(path, headers):
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.fixture
def drawn_review(secretariat_user, plan, domain):
    for n in range(1, 9):
        add_expert(n, domain=domain)
    review = schedule(plan, secretariat_user)
    draw_services.draw_for_review(review, by=secretariat_user, seed="socket")
    return review


def test_unassigned_expert_handshake_is_closed_4403(client, drawn_review):
    outsider = make_user("expert", username="outsider")
    cookie = cookie_for(client, outsider)

    async def scenario():
        communicator, connected, code = await handshake(f"/ws/reviews/{drawn_review.pk}/", [ORIGIN, cookie])
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


def test_missing_review_handshake_is_closed_4403(client, secretariat_user):
    cookie = cookie_for(client, secretariat_user)

    async def scenario():
        communicator, connected, code = await handshake("/ws/reviews/999999/", [ORIGIN, cookie])
        await communicator.disconnect()
        return connected, code

    assert async_to_sync(scenario)() == (False, 4403)


def test_foreign_origin_is_refused(client, secretariat_user, drawn_review):
    cookie = cookie_for(client, secretariat_user)

    async def scenario():
        communicator, connected, _code = await handshake(
            f"/ws/reviews/{drawn_review.pk}/", [(b"origin", b"http://evil.example"), cookie]
        )
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is False


def test_secretariat_hears_a_decline_and_the_next_invitation(client, secretariat_user, drawn_review):
    cookie = cookie_for(client, secretariat_user)
    leaving = drawn_review.assignments.select_related("expert__user").first()

    async def scenario():
        communicator, connected, _code = await handshake(f"/ws/reviews/{drawn_review.pk}/", [ORIGIN, cookie])
        assert connected
        assert (await communicator.receive_json_from(timeout=5))["type"] == "presence"  # the join's, sent apart
        last = await database_sync_to_async(lambda: drawn_review.events.order_by("-seq").first().seq)()
        await database_sync_to_async(assignments.decline_assignment)(leaving, by=leaving.expert.user, reason="有事")
        messages = []
        while len(messages) < 2:  # presence messages (who is here) come and go alongside
            message = await communicator.receive_json_from(timeout=3)
            if message["type"] != "presence":
                messages.append(message)
        await communicator.disconnect()
        return last, messages

    last_seq, (first, second) = async_to_sync(scenario)()

    incoming = drawn_review.assignments.get(expert_id=drawn_review.draw.changes.get().expert_in_id)
    assert first == {
        "type": "assignment.changed", "review": drawn_review.pk, "seq": last_seq + 1, "at": first["at"],
        "assignment": leaving.pk, "state": "declined",
    }  # fmt: skip
    assert (second["type"], second["seq"], second["assignment"], second["state"]) == (
        "assignment.changed", last_seq + 2, incoming.pk, "invited",
    )  # fmt: skip


def test_accepted_expert_joins_the_channel(client, drawn_review):
    assignment = drawn_review.assignments.select_related("expert__user").first()
    assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)
    cookie = cookie_for(client, assignment.expert.user)

    async def scenario():
        communicator, connected, _code = await handshake(f"/ws/reviews/{drawn_review.pk}/", [ORIGIN, cookie])
        await communicator.disconnect()
        return connected

    assert async_to_sync(scenario)() is True
