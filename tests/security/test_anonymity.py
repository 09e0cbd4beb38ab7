"""The anonymity crawl: unique markers in an opinion, then every page, API answer, export,
history view and channel message each role can reach, in each state, searched for them.

Who may read the panel expert's opinion (summary and points) — everyone else must never meet
the markers, not in a count, a history, a document or an event:
- the secretariat, always; the author, always;
- in a closed review, the rest of the panel, the commission, and (points only, through the
  consolidation) the plan's department.
Names are public (the committee site lists the members); what must not leak is who wrote what.
"""

import html
import io
import itertools
import logging
import zipfile

import pytest

from core.models import Notification
from reviews.events import event_message
from tests.security import matrix
from tests.security.routes import fill, http_routes, route_kwargs
from tests.security.test_permission_matrix import clients_for, request
from tests.security.world import (
    CHAIR,
    CLOSED,
    COMMISSION,
    DEPT_PLAN,
    OPEN,
    PANEL,
    ROLES,
    SECRETARIAT,
    build_world,
)

MARKERS = {"opinion": "OPINIONMARKER7f3a", "point": "POINTMARKER9c2e"}


def may_read(role, state, marker):
    if role in (SECRETARIAT, PANEL):
        return True
    if state != CLOSED:
        return False
    if role in (CHAIR, COMMISSION):
        return True
    return role == DEPT_PLAN and marker == "point"


def texts(response):
    """The response's text, with zipped documents (.docx, .xlsx) opened and their character
    references read (openpyxl writes "专家" as "&#19987;&#23478;")."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [body.decode("utf-8", "replace")]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts += [html.unescape(archive.read(name).decode("utf-8", "replace")) for name in archive.namelist()]
    return "\n".join(parts)


def paths(world, variants=()):
    """Every GET path of the matrix, with the world's values and once more per value of each
    group of ``variants`` whose keywords the route names (``World.variants``)."""
    routes = http_routes()
    values = world.kwargs()
    found = []
    for name, methods in matrix.MATRIX.items():
        if "GET" not in methods:
            continue
        if name == "wagtail_serve":
            found.append("/")
            continue
        overrides = matrix.ROUTE_KWARGS.get(name, lambda world: {})(world)
        named = set(route_kwargs(routes[name]))
        groups = [[{}, *group] for group in variants if group and named & set(group[0])]
        for combination in itertools.product(*groups):
            chosen = dict(values)
            for part in combination:
                chosen.update(part)
            found.append(fill(routes[name], {**chosen, **overrides}))
    return list(dict.fromkeys(found))


def crawl(world, markers=MARKERS, *, variants=(), extra=()):
    """``{role: {(marker key, path): text}}``: every path (``paths`` and ``extra``) fetched as
    every role, and the markers each answer carried, with the answer's text."""
    clients = clients_for(world)
    seen = {role: {} for role in ROLES}
    for path in [*paths(world, variants), *extra]:
        for role in ROLES:
            text = texts(request(clients[role], "GET", path))
            for key, marker in markers.items():
                if marker in text:
                    seen[role][(key, path)] = text
    return seen


@pytest.mark.timeout(1200)
@pytest.mark.django_db
@pytest.mark.parametrize("state", [OPEN, CLOSED])
def test_no_role_meets_a_marker_it_may_not_read(state):
    world = build_world(state, markers=MARKERS)
    seen = crawl(world)
    leaks = sorted(
        f"{role} saw the {key} marker at {path}"
        for role, hits in seen.items()
        for key, path in hits
        if not may_read(role, state, key)
    )
    assert leaks == []
    assert {key for key, _path in seen[SECRETARIAT]} == {"opinion", "point"}  # the crawl does reach them


@pytest.mark.django_db
@pytest.mark.parametrize("state", [OPEN, CLOSED])
def test_channel_messages_and_notifications_carry_no_opinion_text(state):
    world = build_world(state, markers=MARKERS)
    messages = [str(event_message(event)) for event in world.review.events.all()]
    messages += list(Notification.objects.values_list("text", flat=True))
    assert messages
    assert [m for m in messages if any(marker in m for marker in MARKERS.values())] == []


SOCKET_MARKERS = {"opinion": "SOCKETOPINION5d1b", "point": "SOCKETPOINT8e4f", "comment": "SOCKETCOMMENT2a6c"}
TEXT_KEYS = {"text", "summary", "points", "group_opinion", "reason", "name", "title", "username"}
ORIGIN = (b"origin", b"http://localhost")


def _socket_activity(world):
    """What makes the review's channel speak while every role listens: in an open review the
    chair saves an opinion and the panel expert comments, both with fresh markers (a closed
    review takes neither; its channel still tells who is present)."""
    from consultations.opinions import services as opinion_services

    if world.state != OPEN:
        return
    chair_opinion = world.review.opinions.get(expert=world.experts[CHAIR])
    section = (world.review.plan_version.blocks or [{}])[0].get("section", "")
    data = {
        "conclusion": "agree_with_revisions",
        "scores": {criterion["key"]: 3 for criterion in world.review.criteria or []},
        "summary": SOCKET_MARKERS["opinion"],
        "points": [{"section": section, "text": SOCKET_MARKERS["point"]}],
    }
    opinion_services.save_opinion(
        chair_opinion, by=world.users[CHAIR], data=data, expected_version=chair_opinion.version
    )
    opinion_services.add_comment(world.review, by=world.users[PANEL], text=SOCKET_MARKERS["comment"])


def listen(world, paths, activity):
    """Every role's session opens each socket of ``paths``; then ``activity(world)``; then what
    each connection received. Returns ``{path: {role: [message, ...]}}`` for the roles let in."""
    import asyncio

    from asgiref.sync import async_to_sync
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.test import Client

    from config.asgi import application

    cookies = {}
    for role in ROLES:
        if world.users[role] is not None:
            client = Client()
            client.force_login(world.users[role])
            cookies[role] = f"sessionid={client.cookies['sessionid'].value}".encode()

    async def drain(communicator):
        messages = []
        # Silence longer than the presence window (1 s): presence is coalesced, its last event
        # comes when the window ends (consultations.opinions.presence).
        while not await communicator.receive_nothing(timeout=1.5):
            messages.append(await communicator.receive_json_from())
        await communicator.disconnect()
        return messages

    async def scenario():
        sockets = {}
        for path in paths:
            for role in ROLES:
                headers = [ORIGIN] + ([(b"cookie", cookies[role])] if role in cookies else [])
                communicator = WebsocketCommunicator(application, path, headers=headers)
                connected, _code = await communicator.connect()
                if connected:
                    sockets[(path, role)] = communicator
        await database_sync_to_async(activity)(world)
        drained = await asyncio.gather(*(drain(communicator) for communicator in sockets.values()))
        received = {path: {} for path in paths}
        for (path, role), messages in zip(sockets, drained, strict=True):
            received[path][role] = messages
        return received

    return async_to_sync(scenario)()


@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", [OPEN, CLOSED])
def test_review_socket_brings_no_marker_to_any_role(state):
    """Channel messages carry ids only: whoever is let into the review's channel (the matrix
    decides who; test_permission_matrix checks it) never receives a marker, old or new, nor a
    text field, and those the matrix keeps out receive nothing at all."""
    world = build_world(state, markers=MARKERS)
    path = f"/ws/reviews/{world.review.pk}/"
    received = listen(world, [path], _socket_activity)[path]
    markers = list(MARKERS.values()) + list(SOCKET_MARKERS.values())

    leaks = sorted(
        f"{role} received {message}"
        for role, messages in received.items()
        for message in messages
        if any(marker in str(message) for marker in markers) or TEXT_KEYS & set(message)
    )
    let_in = sorted(received)
    rule = matrix.SOCKETS["ws/reviews/<int:review_id>/"]

    assert leaks == []
    assert let_in == sorted(role for role in ROLES if rule(role, state, world))
    types = {message["type"] for message in received[SECRETARIAT]}
    expected = {"presence", "opinion.saved", "comment.created"} if state == OPEN else {"presence"}
    assert expected <= types  # the channel did speak while every role listened


@pytest.mark.timeout(1200)
@pytest.mark.django_db
def test_no_personal_data_in_the_log(caplog):
    """A representative flow (roster, draw, invitations, acceptance, opinions, every page) with
    logging at DEBUG: no expert's mobile number or email appears in the log output."""
    caplog.set_level(logging.DEBUG)
    world = build_world(CLOSED, markers=MARKERS)
    crawl(world)
    experts = [world.experts[role] for role in world.experts]
    personal = [expert.mobile for expert in experts] + [expert.email for expert in experts]
    assert all(personal)
    assert [value for value in personal if value in caplog.text] == []
