"""The roster's API: who sees what, who changes what, search, history, conflicts, query counts."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from experts import roles
from experts.models import Domain, Expert, Organization
from tests.experts.conftest import jpeg_bytes, new_expert
from tests.queries import assert_constant_queries


def test_experts_list_secretariat_sees_masked_contacts_even_when_asking(api_as, secretariat_user):
    expert = new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    response = api_as(secretariat_user).get("/api/v1/experts/?unmask=1")

    assert response.status_code == 200
    row = response.json()["results"][0]
    assert (row["id"], row["mobile"], row["email"]) == (expert.pk, "138****5678", "z***@example.cn")


def test_experts_list_commission_sees_public_fields_and_masked_contacts(api_as, commission_user):
    new_expert(
        name="张三",
        title="教授",
        position="院长",
        mobile="13812345678",
        email="zhangsan@example.cn",
        public_fields=["title"],
    )

    response = api_as(commission_user).get("/api/v1/experts/")

    row = response.json()["results"][0]
    assert sorted(row) == ["email", "id", "mobile", "name", "title", "title_level"]
    assert (row["mobile"], row["email"], row["title"]) == ("138****5678", "z***@example.cn", "教授")


def test_experts_list_expert_sees_only_self(api_as, expert_user, other_expert_user):
    user, expert = expert_user

    response = api_as(user).get("/api/v1/experts/")

    assert [row["id"] for row in response.json()["results"]] == [expert.pk]
    assert response.json()["results"][0]["mobile"] == "13812345678"


def test_expert_detail_other_expert_is_404_on_every_path(api_as, expert_user, other_expert_user):
    user, _mine = expert_user
    _other_user, other = other_expert_user
    client = api_as(user)

    statuses = [
        client.get(f"/api/v1/experts/{other.pk}/").status_code,
        client.patch(f"/api/v1/experts/{other.pk}/", {"mobile": "13700000000"}, format="json").status_code,
        client.get(f"/api/v1/experts/{other.pk}/history/").status_code,
        client.get(f"/api/v1/experts/{other.pk}/conflicts/").status_code,
    ]

    assert statuses == [404, 404, 404, 404]
    other.refresh_from_db()
    assert other.mobile == "13900001111"


def test_expert_detail_department_user_gets_404(api_as, department_user):
    expert = new_expert()

    response = api_as(department_user).get(f"/api/v1/experts/{expert.pk}/")

    assert response.status_code == 404


def test_expert_detail_anonymous_gets_401(api, db):
    expert = new_expert()

    response = api.get(f"/api/v1/experts/{expert.pk}/")

    assert response.status_code == 401


def test_expert_patch_own_contact_changes_it_with_history(api_as, expert_user):
    user, expert = expert_user

    response = api_as(user).patch(
        f"/api/v1/experts/{expert.pk}/", {"mobile": "+86 139 0000 2222", "biography": "简介"}, format="json"
    )

    assert response.status_code == 200
    expert.refresh_from_db()
    assert (expert.mobile, expert.biography) == ("+8613900002222", "简介")
    latest = expert.history.first()
    assert (latest.history_user, latest.history_change_reason) == (user, "Changed by the expert")


def test_expert_patch_own_title_is_403_and_changes_nothing(api_as, expert_user):
    user, expert = expert_user

    response = api_as(user).patch(
        f"/api/v1/experts/{expert.pk}/", {"title": "院士", "mobile": "13900002222"}, format="json"
    )

    assert response.status_code == 403
    assert list(response.json()["errors"]) == ["title"]
    expert.refresh_from_db()
    assert (expert.title, expert.mobile) == ("", "13812345678")


def test_expert_patch_commission_is_403(api_as, commission_user):
    expert = new_expert()

    response = api_as(commission_user).patch(f"/api/v1/experts/{expert.pk}/", {"title": "x"}, format="json")

    assert response.status_code == 403


def test_expert_patch_bad_mobile_is_400_with_field_error(api_as, secretariat_user):
    expert = new_expert()

    response = api_as(secretariat_user).patch(f"/api/v1/experts/{expert.pk}/", {"mobile": "12345"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["mobile"]
    expert.refresh_from_db()
    assert expert.mobile == "13812345678"


def test_expert_create_secretariat_gets_201_with_account(api_as, secretariat_user):
    Domain.objects.create(code="2.1", name="机器人")
    employer = Organization.objects.create(name="辽河大学", kind="university")

    response = api_as(secretariat_user).post(
        "/api/v1/experts/",
        {
            "key": "NEW-1",
            "name": "赵六",
            "category": "scholar",
            "employer": employer.pk,
            "domains": ["2.1"],
            "primary_domain": "2.1",
            "mobile": "13800001234",
            "username": "zhaoliu",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["name"], body["username"], body["domains"], body["status"]) == (
        "赵六",
        "zhaoliu",
        ["2.1"],
        "candidate",
    )
    expert = Expert.objects.get(key="NEW-1")
    assert roles.has_role(expert.user, roles.EXPERT)
    assert expert.history.last().history_user == secretariat_user


def test_expert_create_commission_is_403(api_as, commission_user):
    response = api_as(commission_user).post("/api/v1/experts/", {"name": "赵六", "category": "scholar"}, format="json")

    assert response.status_code == 403
    assert Expert.objects.count() == 0


def test_expert_create_unknown_category_is_400(api_as, secretariat_user):
    response = api_as(secretariat_user).post("/api/v1/experts/", {"name": "赵六", "category": "x"}, format="json")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["category"]


def test_expert_create_with_photo_multipart_stores_cleaned_photo(api_as, secretariat_user):
    photo = SimpleUploadedFile("me.jpg", jpeg_bytes(), "image/jpeg")

    response = api_as(secretariat_user).post(
        "/api/v1/experts/", {"name": "赵六", "category": "scholar", "photo": photo}, format="multipart"
    )

    assert response.status_code == 201
    assert response.json()["photo"].startswith("http://testserver/media/experts/photos/")


def test_expert_create_with_text_as_photo_is_400_and_creates_nothing(api_as, secretariat_user):
    photo = SimpleUploadedFile("me.jpg", b"not an image at all", "image/jpeg")

    response = api_as(secretariat_user).post(
        "/api/v1/experts/", {"name": "赵六", "category": "scholar", "photo": photo}, format="multipart"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["photo"]
    assert Expert.objects.count() == 0


def test_expert_status_patch_with_reason_moves_it(api_as, secretariat_user):
    expert = new_expert()

    response = api_as(secretariat_user).patch(
        f"/api/v1/experts/{expert.pk}/", {"status": "suspended", "status_reason": "长期出国"}, format="json"
    )

    assert response.status_code == 200
    expert.refresh_from_db()
    assert (expert.status, expert.history.first().history_change_reason) == ("suspended", "长期出国")


def test_expert_status_patch_without_reason_is_400(api_as, secretariat_user):
    expert = new_expert()

    response = api_as(secretariat_user).patch(f"/api/v1/experts/{expert.pk}/", {"status": "suspended"}, format="json")

    assert response.status_code == 400
    expert.refresh_from_db()
    assert expert.status == "active"


def test_expert_status_patch_forbidden_transition_is_409(api_as, secretariat_user):
    expert = new_expert(status=Expert.Status.DISMISSED)

    response = api_as(secretariat_user).patch(
        f"/api/v1/experts/{expert.pk}/", {"status": "active", "status_reason": "复聘"}, format="json"
    )

    assert response.status_code == 409


def test_experts_search_two_chinese_characters_finds_specialty_tag(api_as, secretariat_user):
    robot = new_expert(name="王五", specialties="工业机器人,机器视觉")
    new_expert(name="赵六", specialties="生物医药")

    response = api_as(secretariat_user).get("/api/v1/experts/", {"q": "机器"})

    assert [row["id"] for row in response.json()["results"]] == [robot.pk]


def test_experts_search_pinyin_initials_finds_name(api_as, secretariat_user):
    zhang = new_expert(name="张三")
    new_expert(name="李四")

    response = api_as(secretariat_user).get("/api/v1/experts/", {"q": "zs"})

    assert [row["id"] for row in response.json()["results"]] == [zhang.pk]


def test_experts_search_employer_name(api_as, secretariat_user):
    university = Organization.objects.create(name="辽河大学", kind="university")
    scholar = new_expert(name="李四", employer=university)
    new_expert(name="张三")

    response = api_as(secretariat_user).get("/api/v1/experts/", {"q": "辽河"})

    assert [row["id"] for row in response.json()["results"]] == [scholar.pk]


def test_experts_filter_domain_includes_children(api_as, secretariat_user):
    parent = Domain.objects.create(code="2", name="高端装备")
    Domain.objects.create(code="2.1", name="机器人", parent=parent)
    robot = new_expert(name="王五", domains=("2.1",))
    new_expert(name="赵六", domains=("4.1",))

    response = api_as(secretariat_user).get("/api/v1/experts/", {"domain": "2"})

    assert [row["id"] for row in response.json()["results"]] == [robot.pk]


def test_experts_filter_status_and_term_ending(api_as, secretariat_user):
    today = timezone.localdate()
    soon = new_expert(name="王五", term_end=today + timedelta(days=30))
    new_expert(name="赵六", term_end=today + timedelta(days=300))
    new_expert(name="孙七", status=Expert.Status.SUSPENDED, term_end=today + timedelta(days=10))

    response = api_as(secretariat_user).get("/api/v1/experts/", {"status": "active", "ending_within": 60})

    assert [row["id"] for row in response.json()["results"]] == [soon.pk]


def test_experts_filter_bad_status_is_400(api_as, secretariat_user):
    response = api_as(secretariat_user).get("/api/v1/experts/", {"status": "nonsense"})

    assert response.status_code == 400


def test_experts_list_constant_queries_1_and_50(api_as, secretariat_user):
    client = api_as(secretariat_user)

    def make_rows(n):
        while Expert.objects.count() < n:
            new_expert(name="张三", domains=("2.1", "1.5"), key=f"Q-{Expert.objects.count()}")

    assert_constant_queries(make_rows, lambda: client.get("/api/v1/experts/?page_size=100"), large=50)


def test_experts_list_commission_constant_queries_1_and_20(api_as, commission_user):
    client = api_as(commission_user)

    def make_rows(n):
        while Expert.objects.count() < n:
            new_expert(name="张三", key=f"Q-{Expert.objects.count()}", public_fields=["domains", "employer"])

    assert_constant_queries(make_rows, lambda: client.get("/api/v1/experts/"))


def test_expert_history_shows_author_reason_and_fields(api_as, secretariat_user):
    expert = new_expert(by=secretariat_user, name="张三")
    client = api_as(secretariat_user)
    client.patch(f"/api/v1/experts/{expert.pk}/", {"title": "教授", "status_reason": "职称晋升"}, format="json")

    response = client.get(f"/api/v1/experts/{expert.pk}/history/")

    entries = response.json()["results"]
    assert entries[0]["kind"] == "created"
    last = entries[-1]
    assert (last["by"], last["reason"], last["changes"]) == (
        "sec",
        "职称晋升",
        [{"field": "title", "label": "professional title", "old": "", "new": "教授"}],
    )


def test_expert_history_commission_is_403(api_as, commission_user):
    expert = new_expert()

    response = api_as(commission_user).get(f"/api/v1/experts/{expert.pk}/history/")

    assert response.status_code == 403


def test_expert_history_constant_queries_1_and_20(api_as, secretariat_user):
    expert = new_expert(name="张三", domains=("2.1",))
    client = api_as(secretariat_user)
    codes = ["2.1", "1.5", "3.3"]
    for code in codes:
        Domain.objects.get_or_create(code=code, defaults={"name": code})

    def make_rows(n):
        from experts import services

        while expert.history.count() < n:
            count = expert.history.count()
            services.update_expert(
                expert, by=secretariat_user, reason=f"r{count}", title=f"t{count}", domains=[codes[count % 3]]
            )

    assert_constant_queries(make_rows, lambda: client.get(f"/api/v1/experts/{expert.pk}/history/?page_size=100"))


def test_expert_conflicts_expert_declares_own(api_as, expert_user):
    user, expert = expert_user
    organization = Organization.objects.create(name="盛京生物医药有限公司", kind="enterprise")

    response = api_as(user).post(
        f"/api/v1/experts/{expert.pk}/conflicts/",
        {"organization": organization.pk, "reason": "配偶任职"},
        format="json",
    )

    assert response.status_code == 201
    assert [(c.organization, c.reason, c.declared_by) for c in expert.conflicts.all()] == [
        (organization, "配偶任职", user)
    ]


def test_expert_conflicts_blank_reason_is_400(api_as, secretariat_user):
    expert = new_expert()
    organization = Organization.objects.create(name="某公司", kind="enterprise")

    response = api_as(secretariat_user).post(
        f"/api/v1/experts/{expert.pk}/conflicts/", {"organization": organization.pk, "reason": " "}, format="json"
    )

    assert response.status_code == 400
    assert expert.conflicts.count() == 0


def test_expert_conflicts_list_constant_queries_1_and_20(api_as, secretariat_user):
    from experts import services

    expert = new_expert()
    client = api_as(secretariat_user)

    def make_rows(n):
        while expert.conflicts.count() < n:
            organization = Organization.objects.create(name=f"单位{expert.conflicts.count()}")
            services.declare_conflict(expert, organization=organization, reason="任职", by=secretariat_user)

    assert_constant_queries(make_rows, lambda: client.get(f"/api/v1/experts/{expert.pk}/conflicts/"))


def test_domains_list_constant_queries_1_and_20(api_as, department_user):
    client = api_as(department_user)

    def make_rows(n):
        parent, _ = Domain.objects.get_or_create(code="P", defaults={"name": "父"})
        while Domain.objects.count() < n:
            Domain.objects.create(code=f"P.{Domain.objects.count()}", name="子", parent=parent)

    assert_constant_queries(make_rows, lambda: client.get("/api/v1/domains/"))


def test_organizations_create_secretariat_201_and_others_403(api_as, secretariat_user, commission_user):
    created = api_as(secretariat_user).post("/api/v1/organizations/", {"name": "新公司", "kind": "enterprise"})
    refused = api_as(commission_user).post("/api/v1/organizations/", {"name": "另一家", "kind": "enterprise"})

    assert (created.status_code, refused.status_code) == (201, 403)
    assert list(Organization.objects.values_list("name", flat=True)) == ["新公司"]


def test_organization_name_longer_than_the_schema_allows_is_400_even_if_trimming_would_fit(api_as, secretariat_user):
    # Schemathesis: a no-break space and 200 characters (the limit is 200) were trimmed, then kept.
    response = api_as(secretariat_user).post(
        "/api/v1/organizations/", {"name": "\u00a0" + "新" * 200, "kind": "enterprise"}, format="json"
    )
    number = api_as(secretariat_user).post("/api/v1/organizations/", {"name": 42, "kind": "other"}, format="json")

    assert (response.status_code, list(response.json()["errors"])) == (400, ["name"])
    assert (number.status_code, list(number.json()["errors"])) == (400, ["name"])
    assert not Organization.objects.exists()


def test_an_empty_string_for_a_parent_is_400_in_json_which_is_all_organizations_take(api_as, secretariat_user):
    # Schemathesis: {"parent": ""} was read as null, though the schema says an id or null.
    client = api_as(secretariat_user)

    as_json = client.post("/api/v1/organizations/", {"name": "甲", "kind": "other", "parent": ""}, format="json")
    as_form = client.post("/api/v1/organizations/", {"name": "乙", "kind": "other", "parent": ""}, format="multipart")

    assert (as_json.status_code, list(as_json.json()["errors"])) == (400, ["parent"])
    assert (as_form.status_code, list(Organization.objects.values_list("name", "parent"))) == (415, [])


def test_organizations_list_constant_queries_1_and_20(api_as, commission_user):
    client = api_as(commission_user)

    def make_rows(n):
        while Organization.objects.count() < n:
            Organization.objects.create(name=f"单位{Organization.objects.count()}")

    assert_constant_queries(make_rows, lambda: client.get("/api/v1/organizations/"))


def test_experts_commission_cannot_filter_on_private_fields(api_as, commission_user):
    new_expert(name="王五", specialties="工业机器人", public_fields=[])

    by_domain = api_as(commission_user).get("/api/v1/experts/", {"domain": "2.1"})
    by_tag = api_as(commission_user).get("/api/v1/experts/", {"q": "机器"})

    assert (by_domain.status_code, sorted(by_domain.json()["errors"])) == (403, ["domain"])
    assert (by_tag.status_code, by_tag.json()["results"]) == (200, [])
