"""What an outside Schemathesis run found (issue 16), one test each: the answers match the served
schema, bodies are JSON only (multipart where an upload is taken), ids out of range are a 400,
OPTIONS is not a 500, and what the HTTP layer refuses before Django still has the API's shape."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from consultations.proposals.models import Proposal
from tests.consultations.proposal_setup import build_setting, submit
from tests.experts.conftest import new_expert
from tests.factories import DomainFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def schema(api):
    return api.get("/api/schema/?format=json").json()


def component(schema, name):
    return schema["components"]["schemas"][name]


def request_types(schema, path, method):
    return sorted(schema["paths"][path][method]["requestBody"]["content"])


def test_options_on_a_view_without_a_pk_answers_200_without_a_form_description(api_as, secretariat_user):
    response = api_as(secretariat_user).options("/api/v1/consultations/1/answer/")

    assert response.status_code == 200
    assert "actions" not in response.json()


def test_route_naming_an_organisation_id_beyond_64_bits_is_400_and_routes_nothing(api_as):
    setting = build_setting()
    proposal = submit(setting.expert)

    response = api_as(setting.secretariat).post(
        f"/api/v1/proposals/{proposal.pk}/route/", {"organizations": [2**63]}, format="json"
    )

    assert (response.status_code, list(response.json()["errors"])) == (400, ["organizations"])
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"


def test_ids_in_request_bodies_say_their_range(schema):
    route = component(schema, "RouteRequest")["properties"]["organizations"]["items"]
    assert (route["minimum"], route["maximum"]) == (1, 2**63 - 1)


def test_expert_record_answers_photo_and_username_as_the_schema_says(api_as, secretariat_user, schema):
    from tests.reviews.conftest import add_expert

    expert = add_expert(1, domain=DomainFactory(code="2.1"))

    body = api_as(secretariat_user).get(f"/api/v1/experts/{expert.pk}/").json()

    record = component(schema, "ExpertRecord")
    assert (body["photo"], body["username"], "photo_url" in body) == (None, expert.user.username, False)
    assert record["properties"]["photo"] == {"type": "string", "format": "uri", "nullable": True}
    assert record["properties"]["username"]["nullable"] is True
    assert record["required"] == ["id", "name"]  # the rest as the caller may read it
    assert "photo" not in component(schema, "ExpertJsonRequest")["properties"]
    assert component(schema, "ExpertRequest")["properties"]["photo"]["format"] == "binary"


def test_nullable_fields_are_declared_nullable(schema):
    assert component(schema, "Domain")["properties"]["parent"]["nullable"] is True
    assert component(schema, "Conflict")["properties"]["declared_by"]["nullable"] is True
    conclusion = component(schema, "Opinion")["properties"]["conclusion"]["oneOf"]
    assert {"$ref": "#/components/schemas/BlankEnum"} in conclusion  # a draft's conclusion is ""


def test_stale_saves_declare_the_409_they_answer(schema):
    put = schema["paths"]["/api/v1/reviews/{review_id}/opinion/"]["put"]["responses"]["409"]
    assert put["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/StaleOpinion"}
    assert set(component(schema, "StaleOpinion")["properties"]) == {"detail", "errors", "version", "current"}


def test_scores_and_points_have_types(schema):
    opinion = component(schema, "OpinionWriteRequest")["properties"]
    assert opinion["scores"]["additionalProperties"]["type"] == "integer"
    assert opinion["points"]["items"]["properties"]["text"]["type"] == "string"
    answer = component(schema, "AnswerWriteRequest")["properties"]["points"]["items"]
    assert answer["required"] == ["question", "text"]
    suggestions = component(schema, "ProposalWriteRequest")["properties"]["points"]
    assert suggestions["minItems"] == 1


def test_bodies_are_json_and_multipart_only_where_an_upload_is_taken(schema):
    uploads = {
        ("/api/v1/experts/", "post"): ["application/json", "multipart/form-data"],
        ("/api/v1/experts/{id}/", "patch"): ["application/json", "multipart/form-data"],
        ("/api/v1/proposals/", "post"): ["application/json", "multipart/form-data"],
        ("/api/v1/plans/{plan_id}/versions/", "post"): ["multipart/form-data"],
    }
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if "requestBody" in operation:
                expected = uploads.get((path, method), ["application/json"])
                assert (path, method, request_types(schema, path, method)) == (path, method, expected)


def test_a_form_post_of_a_proposal_is_415_and_no_null_suggestion_is_made(api_as):
    setting = build_setting()
    body = "title=t&problem=p&points=null"

    response = api_as(setting.expert.user).generic(
        "POST", "/api/v1/proposals/", body, content_type="application/x-www-form-urlencoded"
    )

    assert (response.status_code, set(response.json())) == (415, {"detail", "errors"})
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("query", ["page_size=null", "page_size=0", "page_size=1.5"])
def test_a_page_size_that_is_not_a_whole_number_from_1_is_400(api_as, secretariat_user, query):
    response = api_as(secretariat_user).get(f"/api/v1/domains/?{query}")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["page_size"])


def test_a_page_size_above_200_is_still_cut_to_200(api_as, secretariat_user):
    response = api_as(secretariat_user).get("/api/v1/domains/?page_size=500")

    assert response.status_code == 200


def test_a_flag_that_is_not_yes_or_no_is_400(api_as, secretariat_user):
    response = api_as(secretariat_user).get("/api/v1/assignments/?mine=null")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["mine"])


def query_schema(schema, path, name):
    return next(p["schema"] for p in schema["paths"][path]["get"]["parameters"] if p["name"] == name)


def test_an_empty_query_value_is_taken_as_absent_and_the_schema_says_so(api_as, secretariat_user, schema):
    api = api_as(secretariat_user)
    empty = {"type": "string", "enum": [""]}

    new_expert(name="王芳")  # no term end: ``ending_within=0`` leaves her out, an empty one does not
    queries = ("", "ending_within=", "status=", "ending_within=0")

    answers = [api.get(f"/api/v1/experts/?{query}").json()["count"] for query in queries]

    assert answers == [1, 1, 1, 0] and api.get("/api/v1/assignments/?mine=").status_code == 200
    assert empty in query_schema(schema, "/api/v1/experts/", "ending_within")["anyOf"]
    assert empty in query_schema(schema, "/api/v1/reviews/{review_id}/events/", "after")["anyOf"]
    assert "" in query_schema(schema, "/api/v1/experts/", "status")["enum"]
    assert "anyOf" not in query_schema(schema, "/api/v1/experts/", "page_size")  # empty is a 400 there


def test_a_multipart_body_without_any_part_is_400_not_an_empty_change(api_as, secretariat_user):
    from tests.reviews.conftest import add_expert

    expert = add_expert(1, domain=DomainFactory(code="2.1"))
    body = b"--b\r\nNone--b--\r\n"  # what Schemathesis sent for a null body

    response = api_as(secretariat_user).generic(
        "PATCH", f"/api/v1/experts/{expert.pk}/", body, content_type="multipart/form-data; boundary=b"
    )

    assert (response.status_code, set(response.json())) == (400, {"detail", "errors"})


def test_a_moment_before_1901_is_400_not_stored_to_be_answered_with_a_seconds_offset(api_as, secretariat_user):
    body = {"title": "征询", "questions": [{"text": "问题"}], "closes_at": "1273-11-02T02:10:17Z"}

    response = api_as(secretariat_user).post("/api/v1/consultations/", body, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["closes_at"])


def test_a_return_reason_sent_as_a_number_is_400(api_as):
    setting = build_setting()
    proposal = submit(setting.expert)

    response = api_as(setting.secretariat).post(f"/api/v1/proposals/{proposal.pk}/return/", {"reason": 0})

    assert (response.status_code, list(response.json()["errors"])) == (400, ["reason"])
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"


# ---------------------------------------------------------------- through daphne


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def daphne(tmp_path_factory):
    """A real daphne serving config.asgi, as ``make run`` does (its database is not needed here:
    these requests are refused before any query)."""
    port = free_port()
    env = {**os.environ, "DJANGO_VAR_DIR": str(tmp_path_factory.mktemp("daphne-var"))}
    server = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "config.asgi:application"],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(1200):  # until it answers HTTP (the application is loaded)
            try:
                head, _ = raw_http(port, b"GET /api/v1/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                if head.startswith("HTTP/1.1"):
                    break
            except OSError:
                pass
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def raw_http(port, request):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return head.decode("latin-1"), body


def test_an_empty_multipart_body_reaches_django_through_daphne(daphne):
    request = (
        b"POST /api/v1/proposals/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\nConnection: close\r\n"
        b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 7\r\n\r\n--b--\r\n"
    )

    head, body = raw_http(daphne, request)

    # Twisted no longer parses it first (a bare 400 without a body): Django answers, as the API does.
    assert head.startswith("HTTP/1.1 401")
    assert set(json.loads(body)) == {"detail", "errors"}


def test_headers_over_the_servers_limit_get_a_json_400_through_daphne(daphne):
    big = b"X-Big: " + b"a" * 20000 + b"\r\n"
    request = b"GET /api/v1/domains/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: en\r\n" + big + b"\r\n"

    head, body = raw_http(daphne, request)

    assert head.startswith("HTTP/1.1 400")
    assert "Content-Type: application/json" in head
    # Refused before its headers are read: in the default language (zh-hans), whatever it asked for.
    assert json.loads(body) == {"detail": "无法读取该请求。", "errors": {}}
