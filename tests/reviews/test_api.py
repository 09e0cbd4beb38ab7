from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from reviews import invitations
from reviews.draw import services as draw_services
from reviews.models import Assignment, Draw, Plan, Review, default_rules
from reviews.services import assignments
from reviews.services import plans as plan_services
from tests.conftest import make_user
from tests.queries import assert_constant_queries
from tests.reviews.conftest import docx_bytes, schedule


def invited(review):
    return list(review.assignments.filter(state=Assignment.State.INVITED).select_related("expert__user"))


def test_secretariat_schedules_a_review_over_the_api(api_as, secretariat_user, plan, roster):
    now = timezone.now()
    body = {
        "plan": plan.pk,
        "mode": "written",
        "opens_at": (now + timedelta(days=3)).isoformat(),
        "due_at": (now + timedelta(days=17)).isoformat(),
        "panel_size": 5,
        "required_domains": ["2.1"],
        "blind": "until_closed",
    }

    response = api_as(secretariat_user).post("/api/v1/reviews/", body, format="json")

    assert response.status_code == 201
    review = Review.objects.get(pk=response.json()["id"])
    assert (review.state, review.plan_version.number, review.blind) == ("draft", 1, "until_closed")
    assert response.json()["required_domains"] == ["2.1"]


def test_scheduling_with_bad_dates_is_400_and_changes_nothing(api_as, secretariat_user, plan):
    now = timezone.now()
    body = {"plan": plan.pk, "opens_at": now.isoformat(), "due_at": (now - timedelta(days=1)).isoformat()}

    response = api_as(secretariat_user).post("/api/v1/reviews/", body, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["due_at"]
    assert not Review.objects.exists()


def test_a_review_moment_before_1901_is_400_and_changes_nothing(api_as, secretariat_user, plan):
    # Asia/Shanghai before 1901 is local mean time, +08:05:43: not writable back as RFC 3339.
    body = {"plan": plan.pk, "opens_at": "0054-01-01T00:00:00Z", "due_at": "2000-01-21T00:00:00Z"}
    api = api_as(secretariat_user)

    created = api.post("/api/v1/reviews/", body, format="json")
    review = schedule(plan, secretariat_user)
    patched = api.patch(f"/api/v1/reviews/{review.pk}/", {"meeting_at": "1899-12-31T23:00:00Z"}, format="json")

    assert (created.status_code, list(created.json()["errors"])) == (400, ["opens_at"])
    assert (patched.status_code, list(patched.json()["errors"])) == (400, ["meeting_at"])
    assert list(Review.objects.values_list("pk", "meeting_at")) == [(review.pk, None)]


def test_expert_cannot_schedule_a_review(api_as, plan):
    expert = make_user("expert", username="e-x")

    response = api_as(expert).post("/api/v1/reviews/", {"plan": plan.pk}, format="json")

    assert response.status_code == 403


def test_draw_endpoint_answers_201_with_the_record(api_as, secretariat_user, review):
    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/", {}, format="json")

    body = response.json()
    assert response.status_code == 201
    assert (body["seed_source"], body["seed"]) == ("unwitnessed", Draw.objects.get().seed)
    assert len(body["selected"]) == 5
    assert body["pool_hash"] == Draw.objects.get().pool_hash
    assert body["excluded"] == []


def test_second_draw_is_409(api_as, secretariat_user, drawn):
    response = api_as(secretariat_user).post(f"/api/v1/reviews/{drawn.pk}/draw/", {}, format="json")

    assert response.status_code == 409


def test_infeasible_draw_is_409_naming_the_rule(api_as, secretariat_user, plan):
    review = schedule(plan, secretariat_user)

    response = api_as(secretariat_user).post(f"/api/v1/reviews/{review.pk}/draw/", {}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Only 0 eligible experts for a panel of 5: 5 short")
    assert response.json()["rule"] == "pool"


def test_verify_endpoint_replays(api_as, secretariat_user, drawn):
    response = api_as(secretariat_user).post(f"/api/v1/draws/{drawn.draw.pk}/verify/")

    assert response.status_code == 200
    assert response.json()["verified"] is True


def test_draw_record_lists_exclusions_with_reasons(api_as, secretariat_user, drawn, plan):
    excluded_expert = drawn.draw.selected[0]
    second = schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1})
    draw = draw_services.draw_for_review(second, by=secretariat_user, seed="x")

    response = api_as(secretariat_user).get(f"/api/v1/draws/{draw.pk}/")

    rows = {row["expert"]: (row["rule"], row["reason"]) for row in response.json()["excluded"]}
    assert rows[excluded_expert] == ("load_cap", "Reached the load cap for the quarter")


def test_expert_accepts_over_the_api_with_declarations(api_as, drawn):
    assignment = invited(drawn)[0]
    client = api_as(assignment.expert.user)

    refused = client.post(f"/api/v1/assignments/{assignment.pk}/accept/", {"no_conflict": True}, format="json")
    accepted = client.post(
        f"/api/v1/assignments/{assignment.pk}/accept/", {"no_conflict": True, "confidentiality": True}, format="json"
    )

    assert refused.status_code == 400
    assert list(refused.json()["errors"]) == ["confidentiality"]
    assert accepted.status_code == 200
    assert accepted.json()["state"] == "accepted"


def test_expert_declines_over_the_api_and_the_next_is_invited(api_as, drawn):
    assignment = invited(drawn)[0]

    response = api_as(assignment.expert.user).post(
        f"/api/v1/assignments/{assignment.pk}/decline/", {"reason": "出国访问"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["state"] == "declined"
    assert drawn.assignments.filter(state="invited").count() == 5


def test_another_experts_assignment_is_404(api_as, drawn):
    mine, theirs = invited(drawn)[:2]

    response = api_as(mine.expert.user).post(
        f"/api/v1/assignments/{theirs.pk}/accept/", {"no_conflict": True, "confidentiality": True}, format="json"
    )

    assert response.status_code == 404


def test_mine_lists_invitations_with_the_review_summary(api_as, drawn):
    assignment = invited(drawn)[0]

    response = api_as(assignment.expert.user).get("/api/v1/assignments/?mine=1")

    results = response.json()["results"]
    assert [row["id"] for row in results] == [assignment.pk]
    assert results[0]["review_summary"]["plan_title"] == "机器人产业三年行动计划"


def test_unassigned_expert_gets_404_on_every_path(api_as, client, drawn):
    outsider = make_user("expert", username="outsider")
    invitee = invited(drawn)[0].expert.user  # invited, not yet accepted: no access either
    api = api_as(outsider)
    paths = [
        f"/api/v1/reviews/{drawn.pk}/",
        f"/api/v1/reviews/{drawn.pk}/assignments/",
        f"/api/v1/reviews/{drawn.pk}/events/",
        f"/api/v1/plans/{drawn.plan_id}/versions/",
        f"/api/v1/draws/{drawn.draw.pk}/",
    ]
    pages = [
        f"/portal/reviews/{drawn.pk}/",
        f"/portal/plans/{drawn.plan_id}/v1/",
        f"/portal/plans/{drawn.plan_id}/v1/document/",
    ]

    api_codes = [api.get(path).status_code for path in paths]
    client.force_login(outsider)
    page_codes = [client.get(path).status_code for path in pages]
    client.force_login(invitee)
    invitee_codes = [client.get(path).status_code for path in pages]

    assert api_codes == [404] * 5
    assert page_codes == [404] * 3
    assert invitee_codes == [404] * 3
    assert api.get("/api/v1/reviews/").json()["count"] == 0
    assert api.get("/api/v1/plans/").json()["count"] == 0


def test_accepted_expert_reads_the_review_plan_and_document(api_as, client, drawn):
    assignment = invited(drawn)[0]
    assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)
    client.force_login(assignment.expert.user)

    assert api_as(assignment.expert.user).get(f"/api/v1/reviews/{drawn.pk}/").status_code == 200
    assert client.get(f"/portal/reviews/{drawn.pk}/").status_code == 200
    reader = client.get(f"/portal/plans/{drawn.plan_id}/v1/")
    document = client.get(f"/portal/plans/{drawn.plan_id}/v1/document/")
    assert reader.status_code == 200
    assert 'id="s1"' in reader.content.decode()
    assert document.status_code == 200
    assert b"".join(document.streaming_content)[:2] == b"PK"


def test_patch_state_moves_or_answers_409(api_as, secretariat_user, drawn):
    api = api_as(secretariat_user)

    refused = api.patch(f"/api/v1/reviews/{drawn.pk}/", {"state": "open"}, format="json")
    for assignment in invited(drawn):
        assignments.accept_assignment(assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True)
    opened = api.patch(f"/api/v1/reviews/{drawn.pk}/", {"state": "open"}, format="json")
    closed = api.patch(f"/api/v1/reviews/{drawn.pk}/", {"state": "closed"}, format="json")

    assert refused.status_code == 409
    assert opened.json()["state"] == "open"
    assert closed.json()["state"] == "closed"


def test_events_after_seq(api_as, secretariat_user, drawn):
    response = api_as(secretariat_user).get(f"/api/v1/reviews/{drawn.pk}/events/?after=2")

    results = response.json()["results"]
    assert [event["seq"] for event in results] == list(range(3, 3 + len(results)))
    assert set(results[0]) >= {"type", "review", "seq", "at"}


def test_events_after_garbage_is_400(api_as, secretariat_user, drawn):
    assert api_as(secretariat_user).get(f"/api/v1/reviews/{drawn.pk}/events/?after=x").status_code == 400


def test_department_submits_a_plan_for_its_own_organisation(api_as, department_staff, submitter, domain):
    api = api_as(department_staff)

    created = api.post(
        "/api/v1/plans/", {"title": "新材料专项规划", "kind": "special_plan", "domains": ["2.1"]}, format="json"
    )
    upload = SimpleUploadedFile("plan.docx", docx_bytes())
    version = api.post(f"/api/v1/plans/{created.json()['id']}/versions/", {"document": upload}, format="multipart")

    assert created.status_code == 201
    assert created.json()["submitted_by"] == submitter.pk
    assert version.status_code == 201
    assert version.json()["number"] == 1


def test_department_cannot_submit_for_another_organisation(api_as, department_staff):
    from tests.factories import OrganizationFactory

    other = OrganizationFactory(name="别的委办局")

    response = api_as(department_staff).post(
        "/api/v1/plans/", {"title": "x", "kind": "special_plan", "submitted_by": other.pk}, format="json"
    )

    assert response.status_code == 403
    assert not Plan.objects.exists()


def test_fake_docx_is_400(api_as, secretariat_user, plan):
    upload = SimpleUploadedFile("plan.docx", b"not a zip")

    response = api_as(secretariat_user).post(
        f"/api/v1/plans/{plan.pk}/versions/", {"document": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert plan.versions.count() == 1


def test_version_upload_records_its_drafters(api_as, secretariat_user, plan, roster):
    upload = SimpleUploadedFile("plan-v2.docx", docx_bytes())

    response = api_as(secretariat_user).post(
        f"/api/v1/plans/{plan.pk}/versions/",
        {"document": upload, "drafters": [roster[0].pk, roster[2].pk]},
        format="multipart",
    )

    assert response.status_code == 201
    version = plan.versions.get(number=2)
    assert sorted(version.drafters.values_list("pk", flat=True)) == sorted([roster[0].pk, roster[2].pk])


def test_version_upload_with_an_unknown_drafter_is_400_and_stores_nothing(api_as, secretariat_user, plan):
    upload = SimpleUploadedFile("plan-v2.docx", docx_bytes())

    response = api_as(secretariat_user).post(
        f"/api/v1/plans/{plan.pk}/versions/", {"document": upload, "drafters": [999999]}, format="multipart"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["drafters"]
    assert plan.versions.count() == 1


def test_department_sees_its_plans_reviews_but_not_others(api_as, department_staff, drawn, secretariat_user):
    from tests.factories import OrganizationFactory

    foreign = plan_services.create_plan(
        by=secretariat_user, title="外单位规划", kind="special_plan", submitted_by=OrganizationFactory(name="外单位")
    )

    plans = api_as(department_staff).get("/api/v1/plans/").json()["results"]
    reviews = api_as(department_staff).get("/api/v1/reviews/").json()["results"]

    assert [p["id"] for p in plans] == [drawn.plan_id]
    assert [r["id"] for r in reviews] == [drawn.pk]
    assert foreign.pk not in [p["id"] for p in plans]


# ---------------------------------------------------------------- query counts at 1 and 20 rows


def test_review_list_queries_are_constant(api_as, secretariat_user, plan):
    api = api_as(secretariat_user)

    def make_rows(n):
        while Review.objects.count() < n:
            schedule(plan, secretariat_user)

    assert_constant_queries(make_rows, lambda: api.get("/api/v1/reviews/?page_size=50"))


def test_plan_list_queries_are_constant(api_as, secretariat_user, submitter):
    api = api_as(secretariat_user)

    def make_rows(n):
        while Plan.objects.count() < n:
            plan_services.create_plan(by=secretariat_user, title="p", kind="special_plan", submitted_by=submitter,
                                 domains=["2.1"])  # fmt: skip

    assert_constant_queries(make_rows, lambda: api.get("/api/v1/plans/?page_size=50"))


def test_assignment_lists_queries_are_constant(api_as, secretariat_user, plan, domain):
    from tests.reviews.conftest import add_expert

    experts = [add_expert(n, domain=domain) for n in range(1, 22)]
    review = schedule(plan, secretariat_user)
    api = api_as(secretariat_user)

    def make_rows(n):
        while review.assignments.count() < n:
            expert = experts[review.assignments.count()]
            invitations.invite(review, expert, draw=None, by=secretariat_user)

    assert_constant_queries(make_rows, lambda: api.get(f"/api/v1/reviews/{review.pk}/assignments/"))
    assert_constant_queries(make_rows, lambda: api.get("/api/v1/assignments/"))


def test_mine_and_portal_invitations_queries_are_constant(api_as, client, secretariat_user, plan, domain):
    from tests.reviews.conftest import add_expert

    expert = add_expert(1, domain=domain)
    api = api_as(expert.user)
    client.force_login(expert.user)

    def make_rows(n):
        while expert.assignments.count() < n:
            invitations.invite(schedule(plan, secretariat_user), expert, draw=None, by=secretariat_user)

    assert_constant_queries(make_rows, lambda: api.get("/api/v1/assignments/?mine=1"))
    assert_constant_queries(make_rows, lambda: client.get("/portal/invitations/"))


def test_events_queries_are_constant(api_as, secretariat_user, drawn):
    from reviews.events import emit_review_event

    api = api_as(secretariat_user)

    def make_rows(n):
        while drawn.events.count() < n:
            emit_review_event(drawn, "presence")

    assert_constant_queries(make_rows, lambda: api.get(f"/api/v1/reviews/{drawn.pk}/events/"), small=7, large=27)


def test_department_plans_page_queries_are_constant(client, department_staff, submitter, secretariat_user):
    client.force_login(department_staff)

    def make_rows(n):
        while Plan.objects.count() < n:
            plan = plan_services.create_plan(
                by=secretariat_user, title="p", kind="special_plan", submitted_by=submitter
            )
            plan_services.add_plan_version(plan, upload=SimpleUploadedFile("p.docx", docx_bytes()), by=secretariat_user)

    assert_constant_queries(make_rows, lambda: client.get("/portal/plans/"))


def test_scheduling_with_malformed_rules_is_400_and_changes_nothing(api_as, secretariat_user, plan):
    now = timezone.now()
    base = {"plan": plan.pk, "opens_at": now.isoformat(), "due_at": (now + timedelta(days=14)).isoformat()}
    malformed = [
        "none",
        ["exclude_drafters"],
        {"exclude_drafters": "no"},
        {"one_per_organization": 1},
        {"load_cap_per_quarter": "four"},
        {"load_cap_per_quarter": -1},
        {"alternates": 10**9},
        {"minimum_panel_size": "five"},
        {"government_share_max": [1, 0]},
        {"government_share_max": "1/3"},
        {"panel_size": 3},
        {"what": True},
    ]

    answers = [
        api_as(secretariat_user).post("/api/v1/reviews/", {**base, "rules": rules}, format="json")
        for rules in malformed
    ]

    assert [(a.status_code, list(a.json().get("errors", {}))) for a in answers] == [(400, ["rules"])] * len(malformed)
    assert not Review.objects.exists()


def test_scheduling_with_rules_keeps_the_defaults_it_does_not_name(api_as, secretariat_user, plan):
    now = timezone.now()
    body = {
        "plan": plan.pk,
        "opens_at": now.isoformat(),
        "due_at": (now + timedelta(days=14)).isoformat(),
        "rules": {"exclude_drafters": False, "load_cap_per_quarter": None, "government_share_max": [2, 5]},
    }

    response = api_as(secretariat_user).post("/api/v1/reviews/", body, format="json")

    assert response.status_code == 201
    assert Review.objects.get().rules == {
        **default_rules(),
        "exclude_drafters": False,
        "load_cap_per_quarter": None,
        "government_share_max": [2, 5],
    }
