"""Schemathesis against the served OpenAPI schema, in-process through the ASGI application:
no 500, no undocumented status or content type, every response body as the schema says.

Runs once anonymously and once as the secretariat (bearer token) over a world with a closed
review, so operations reach their real answers and not only 401/404.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import second_factor_code
from tests.factories import PASSWORD
from tests.security.world import CLOSED, SECRETARIAT, build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]

EXAMPLES = 8
# A schema-valid request may rightly be refused: credentials that are well-formed but wrong,
# an id that does not exist, a state that forbids the action.
EXCLUDED = [positive_data_acceptance]


def fuzz(headers):
    from config.asgi import application

    schema = schemathesis.openapi.from_asgi("/api/schema/", application)
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case):
            response = case.call(headers=headers)
            case.validate_response(response, excluded_checks=EXCLUDED, headers=headers)

        try:
            run()
        except BaseException as error:
            if isinstance(error, KeyboardInterrupt):
                raise
            failures.append(f"{operation.label}: {str(error)[:600]}")
    return operations, failures


def test_schemathesis_finds_nothing_anonymously():
    operations, failures = fuzz({})
    assert operations > 0
    assert failures == []


def test_schemathesis_finds_nothing_as_the_secretariat(api):
    world = build_world(CLOSED)
    user = world.users[SECRETARIAT]
    credentials = {"username": user.username, "password": PASSWORD, "otp": second_factor_code(user)}
    token = api.post("/api/v1/auth/token/", credentials, format="json").json()
    operations, failures = fuzz({"Authorization": f"Bearer {token['token']}"})
    assert operations > 0
    assert failures == []
