"""Schemathesis against the served OpenAPI schema, in-process through the ASGI application:
no 500, no undocumented status or content type, every response body as the schema says, and a
schema-valid request accepted (where the schema can say what valid is: see POSITIVE_EXEMPT).

Runs anonymously, as an expert on the panel and as the secretariat (bearer tokens), over a world
with a closed review. In ``make test`` it is bounded: 8 examples per operation, one seed
(``SCHEMATHESIS_EXAMPLES`` and ``SCHEMATHESIS_SEEDS`` change them). The full run, 30 examples and
two seeds with every check including negative data, is ``make api-check`` against a real daphne
serving the demo (tests/security/api_check.py; in CI, docs/api.md section 5).

Text is generated without the NUL character: Django refuses it in every text field (a 400).
"""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import second_factor_code
from tests.factories import PASSWORD
from tests.security.schema_exemptions import POSITIVE_EXEMPT, SIGNS_OUT
from tests.security.world import CLOSED, PANEL, SECRETARIAT, build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "8"))
SEEDS = [int(value) for value in os.environ.get("SCHEMATHESIS_SEEDS", "20261207").split(",")]


def check(operation, headers, seed_value):
    """One operation's Hypothesis test: every response checked against the schema."""
    excluded = [positive_data_acceptance] if operation.label in POSITIVE_EXEMPT else []

    @seed(seed_value)
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        response = case.call(headers=headers)
        case.validate_response(response, excluded_checks=excluded, headers=headers)

    return run


def fuzz(headers, seed_value):
    from config.asgi import application

    schema = schemathesis.openapi.from_asgi("/api/schema/", application)
    schema.config.generation.update(allow_x00=False)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if headers and operation.label == SIGNS_OUT:
            continue
        operations += 1
        try:
            check(operation, headers, seed_value)()
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(error)[:1500]}")
    return operations, failures


def bearer(api, user, **extra):
    credentials = {"username": user.username, "password": PASSWORD, **extra}
    response = api.post("/api/v1/auth/token/", credentials, format="json")
    assert response.status_code == 201, response.content
    return {"Authorization": f"Bearer {response.json()['token']}"}


@pytest.mark.parametrize("seed_value", SEEDS)
def test_schemathesis_finds_nothing(api, seed_value):
    world = build_world(CLOSED)
    secretariat = world.users[SECRETARIAT]
    callers = {
        "anonymous": {},
        "expert": bearer(api, world.users[PANEL]),
        "secretariat": bearer(api, secretariat, otp=second_factor_code(secretariat)),
    }
    found = []
    for name, headers in callers.items():
        operations, failures = fuzz(headers, seed_value)
        assert operations > 50
        found += [f"as {name}: {failure}" for failure in failures]
    assert not found, "\n\n".join(found)
