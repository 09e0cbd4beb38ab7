"""The anonymity crawl: unique markers in an opinion, then every page, API answer, export,
history view and channel message each role can reach, in each state, searched for them.

Who may read the panel expert's opinion (summary and points) — everyone else must never meet
the markers, not in a count, a history, a document or an event:
- the secretariat, always; the author, always;
- in a closed review, the rest of the panel, the commission, and (points only, through the
  consolidation) the plan's department.
Names are public (the committee site lists the members); what must not leak is who wrote what.
"""

import io
import logging
import zipfile

import pytest

from consultations.models import Notification
from consultations.realtime import event_message
from tests.security import matrix
from tests.security.routes import fill, http_routes
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
    """The response's text, with zipped documents (.docx, .xlsx) opened."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    parts = [body.decode("utf-8", "replace")]
    if body[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            parts += [archive.read(name).decode("utf-8", "replace") for name in archive.namelist()]
    return "\n".join(parts)


def crawl(world):
    routes = http_routes()
    values = world.kwargs()
    clients = clients_for(world)
    seen = {role: set() for role in ROLES}
    for name, methods in matrix.MATRIX.items():
        if "GET" not in methods:
            continue
        overrides = matrix.ROUTE_KWARGS.get(name, lambda world: {})(world)
        path = fill(routes[name], {**values, **overrides}) if name != "wagtail_serve" else "/"
        for role in ROLES:
            text = texts(request(clients[role], "GET", path))
            for key, marker in MARKERS.items():
                if marker in text:
                    seen[role].add((key, path))
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
