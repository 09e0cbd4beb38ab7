"""Roles x routes x review states, from the one table in matrix.py.

A route the table does not cover fails ``test_every_route_is_in_the_matrix``; a rule the code
does not keep fails ``test_permission_matrix_holds`` with the list of every disagreement.
"""

import json
import os

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from experts import roles
from tests.conftest import make_user
from tests.security import matrix
from tests.security.routes import fill, http_routes, socket_routes
from tests.security.world import AUDITOR, ROLES, SECRETARIAT, STATES, build_world

DENIED = {401, 403, 404}


class _Rollback(Exception):
    pass


def test_every_route_is_in_the_matrix():
    served = set(http_routes())
    covered = set(matrix.MATRIX) | set(matrix.EXEMPT)
    assert sorted(served - covered, key=str) == []


def test_matrix_names_no_route_that_does_not_exist():
    assert sorted(set(matrix.MATRIX) - set(http_routes())) == []


def test_every_socket_route_is_in_the_matrix():
    assert sorted(socket_routes()) == sorted(matrix.SOCKETS)


def clients_for(world):
    clients = {}
    for role in ROLES:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        if world.users[role] is not None:
            client.force_login(world.users[role])
        clients[role] = client
    return clients


def refused(response):
    if response.status_code in DENIED:
        return True
    location = response.get("Location", "")
    return response.status_code in (301, 302) and "/login" in location and "next=" in location


def request(client, method, path):
    """One request whose effects are rolled back, so every role meets the same world (the
    client's cookies too: signing out must not sign the client out for the next route)."""
    cookies = client.cookies
    client.cookies = type(cookies)(cookies)
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(path)
            else:
                response = client.generic(method, path, json.dumps({}), content_type="application/json")
            raise _Rollback
    except _Rollback:
        pass
    finally:
        client.cookies = cookies
    return response


def verdict(response, expected):
    """``None`` when the answer keeps the rule, else what went wrong."""
    if response.status_code >= 500 or response.status_code == 405:
        return f"{response.status_code}"
    if expected and refused(response):
        return f"refused ({response.status_code}), table allows"
    if not expected and not refused(response):
        return f"passed ({response.status_code}), table refuses"
    return None


def is_known(name, method, role, state):
    return any(key in matrix.KNOWN_DIVERGENCES for key in ((name, method, role, state), (name, method, role, "*")))


def disagreements(world):
    routes = http_routes()
    values = world.kwargs()
    clients = clients_for(world)
    found = []
    for name, methods in matrix.MATRIX.items():
        overrides = matrix.ROUTE_KWARGS.get(name, lambda world: {})(world)
        path = fill(routes[name], {**values, **overrides}) if name != "wagtail_serve" else "/"
        for method, rule in methods.items():
            for role in ROLES:
                response = request(clients[role], method, path)
                problem = verdict(response, rule(role, world.state, world))
                if problem and not is_known(name, method, role, world.state):
                    found.append(f"{method} {path} as {role}: {problem}")
                elif not problem and (name, method, role, world.state) in matrix.KNOWN_DIVERGENCES:
                    found.append(f"{method} {path} as {role}: keeps the table now; delete its KNOWN_DIVERGENCES entry")
    return found


@pytest.mark.timeout(1200)
@pytest.mark.django_db
@pytest.mark.parametrize("state", STATES)
def test_permission_matrix_holds(state):
    world = build_world(state)
    found = disagreements(world)
    if os.environ.get("MATRIX_DUMP"):
        with open(f"{os.environ['MATRIX_DUMP']}-{state}.txt", "w") as dump:
            dump.write("\n".join(found))
    assert found == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("role", "reaches"),
    [
        (roles.SECRETARIAT, True),
        (roles.AUDITOR, True),
        (roles.EXPERT, False),
        (roles.COMMISSION, False),
        (roles.DEPARTMENT, False),
    ],
)
def test_wagtail_admin_only_for_secretariat_and_auditor(client, role, reaches):
    client.force_login(make_user(role, username=f"adm-{role}"))
    response = client.get("/admin/")
    assert (response.status_code == 200) is reaches


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*roles.ALL, None])
def test_django_admin_only_for_superusers(client, role):
    client.force_login(make_user(role, username=f"dj-{role}"))
    assert client.get("/django-admin/").status_code == 302
    superuser = make_user(username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.django_db
def test_anonymous_reaches_neither_admin(client):
    assert client.get("/admin/").status_code == 302
    assert client.get("/django-admin/").status_code == 302


ORIGIN = (b"origin", b"http://localhost")


def _handshake(path, cookie):
    async def scenario():
        headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
        communicator = WebsocketCommunicator(__import__("config.asgi").asgi.application, path, headers=headers)
        connected, _code = await communicator.connect()
        await communicator.disconnect()
        return connected

    return async_to_sync(scenario)()


@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", STATES)
def test_socket_matrix_holds(state):
    world = build_world(state)
    values = world.kwargs()
    found = []
    for template, rule in matrix.SOCKETS.items():
        path = fill(template, values)
        for role in ROLES:
            cookie = None
            if world.users[role] is not None:
                client = Client()
                client.force_login(world.users[role])
                cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
            connected = _handshake(path, cookie)
            if connected != rule(role, state, world):
                found.append(f"{path} as {role}: {'connected' if connected else 'refused'}")
    assert found == []


assert SECRETARIAT in ROLES and AUDITOR in ROLES
