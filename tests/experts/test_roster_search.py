"""The roster search on its indexed columns: the columns follow every write (create, edit,
import, an employer renamed), the search finds what it found before (2-character Chinese
words, initials, employers, specialties) on either database, and on PostgreSQL an index
answers it."""

import pytest
from django.db import connection, transaction

from experts import public, selectors, services, workbook
from experts.models import Expert, Organization
from tests.experts.conftest import new_expert
from tests.experts.test_workbook import template_rows, workbook_file


def found(query, **kwargs):
    return sorted(e.name for e in selectors.search_experts(Expert.objects.all(), query, **kwargs))


@pytest.fixture
def roster(db):
    robots = Organization.objects.create(name="沈阳新松机器人自动化股份有限公司", kind="enterprise")
    university = Organization.objects.create(name="东北大学", kind="university")
    return {
        "张伟": new_expert(name="张伟", key="R-1", employer=robots, specialties="工业机器人,机器视觉"),
        "张伟明": new_expert(name="张伟明", key="R-2", employer=university, specialties="数控机床"),
        "李伟": new_expert(name="李伟", key="R-3", employer=university, specialties="生物医药,Python"),
        "王建国": new_expert(name="王建国", key="R-4", employer=robots, specialties="智能制造"),
    }


# --- the columns follow every write --------------------------------------------------------


def test_created_expert_has_search_columns(roster):
    expert = Expert.objects.get(key="R-1")

    lines = ["张伟", "zhang wei", "zw", "r-1", "工业机器人,机器视觉", "沈阳新松机器人自动化股份有限公司"]
    assert expert.search_text.split("\n") == lines
    grams = set(expert.search_grams.split())
    assert {"张伟", "zw", "视觉", "新松", "张", "机器人", "wei"} <= grams
    assert expert.search_grams.startswith(" ") and expert.search_grams.endswith(" ")


def test_edited_expert_is_found_by_new_values_only(roster, secretariat_user):
    expert = roster["王建国"]
    hospital = Organization.objects.create(name="辽宁省人民医院", kind="other")

    changes = {"name": "赵建华", "specialties": "医疗器械", "employer": hospital}
    services.update_expert(expert, by=secretariat_user, reason="更正", **changes)

    assert [found(q) for q in ("赵建", "zjh", "器械", "医院")] == [["赵建华"]] * 4
    assert (found("王建"), found("wjg"), found("智能"), found("新松")) == ([], [], [], ["张伟"])


def test_edit_through_the_admin_form_keeps_the_columns(roster, secretariat_user, client):
    expert = roster["李伟"]
    client.force_login(secretariat_user)

    response = client.post(
        f"/admin/experts/expert/edit/{expert.pk}/",
        {
            "name": "李伟",
            "category": "specialist",
            "title": "",
            "title_level": "none",
            "employer": expert.employer_id,
            "domains": [d.pk for d in expert.domains.all()],
            "specialties": "量子计算",
            "mobile": "13812345678",
            "email": "expert@example.cn",
            "manual_order": 0,
            "change_reason": "研究方向调整",
        },  # fmt: skip
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert (found("量子"), found("医药")) == (["李伟"], [])


def test_saving_only_other_fields_keeps_the_columns(roster):
    expert = Expert.objects.get(key="R-3")
    expert.title = "教授"
    expert.save(update_fields=["title"])
    expert.specialties = "纳米材料"
    expert.save(update_fields=["specialties"])

    assert Expert.objects.get(key="R-3").search_text.split("\n")[4] == "纳米材料"
    assert found("纳米") == ["李伟"]


def test_renamed_employer_is_found_by_its_new_name(roster):
    robots = Organization.objects.get(name="沈阳新松机器人自动化股份有限公司")
    robots.name = "新松智能装备集团"
    robots.save()

    assert (found("智能装备"), found("自动化")) == (["张伟", "王建国"], [])


def test_imported_experts_are_found(db, secretariat_user):
    Organization.objects.create(name="沈阳自动化研究院", kind="institute")
    from experts.models import Domain

    Domain.objects.create(code="2.1", name="机器人")
    Domain.objects.create(code="1.5", name="人工智能")
    rows = template_rows(3)
    rows[1][9] = "激光雷达"
    workbook.apply_plan(workbook.check_workbook(workbook_file(rows)), by=secretariat_user)
    rows[1][9] = "海洋工程"
    workbook.apply_plan(workbook.check_workbook(workbook_file(rows)), by=secretariat_user)

    assert (found("张2"), found("海洋"), found("激光")) == (["张2"], ["张2"], [])
    assert found("研究院") == ["张1", "张2", "张3"]


# --- the same answers as the conditions alone ------------------------------------------


def test_two_chinese_characters_find_names_employers_specialties(roster):
    assert found("张伟") == ["张伟", "张伟明"]
    assert found("伟") == ["张伟", "张伟明", "李伟"]
    assert found("东北") == ["张伟明", "李伟"]
    assert found("机器") == ["张伟", "王建国"]  # a specialty of one, the employer of both
    assert found("数控机床") == ["张伟明"]
    assert found("新松机器人") == ["张伟", "王建国"]


def test_pinyin_initials_full_pinyin_and_keys(roster):
    assert found("zw") == ["张伟", "张伟明"]
    assert found("ZW") == ["张伟", "张伟明"]
    assert found("z w") == ["张伟", "张伟明"]  # initials typed with a space
    assert found("zwm") == ["张伟明"]
    assert found("wei") == ["张伟", "张伟明", "李伟"]
    assert found("zhang wei") == ["张伟", "张伟明"]
    assert found("g w") == ["张伟", "张伟明"]  # 3 characters with a space: not a gram
    assert found("python") == ["李伟"]  # a tag, case aside
    assert found("r-4") == ["王建国"]
    assert found("R-") == []  # a key matches only whole


def test_names_only_does_not_match_other_fields(roster):
    assert found("机器", names_only=True) == []
    assert found("东北", names_only=True) == []
    assert found("张伟", names_only=True) == ["张伟", "张伟明"]
    assert found("zw", names_only=True) == ["张伟", "张伟明"]


def test_odd_queries_match_literally(roster):
    new_expert(name="百分", key="R-5", specialties="100%_达标")

    assert found("%") == ["百分"]
    assert found("%_") == ["百分"]
    assert found("_") == ["百分"]
    assert found("x" * 500) == []
    assert found("  ") == ["张伟", "张伟明", "李伟", "王建国", "百分"]  # no query: the whole roster
    assert found("伟,") == []


def test_public_directory_search_finds_active_members(roster):
    roster["李伟"].status = Expert.Status.SUSPENDED
    roster["李伟"].save()

    assert sorted(member["name"] for member in public.public_members_matching("伟")) == ["张伟", "张伟明"]
    assert [member["name"] for member in public.public_members_matching("zwm")] == ["张伟明"]


def test_roster_api_search_by_employer_and_specialty(roster, api_as, secretariat_user):
    by_employer = api_as(secretariat_user).get("/api/v1/experts/", {"q": "新松"})
    by_specialty = api_as(secretariat_user).get("/api/v1/experts/", {"q": "数控"})

    assert sorted(row["name"] for row in by_employer.json()["results"]) == ["张伟", "王建国"]
    assert [row["name"] for row in by_specialty.json()["results"]] == ["张伟明"]


# --- PostgreSQL: an index answers -------------------------------------------------------


def plan_for(query):
    queryset = selectors.ordered_roster(selectors.search_experts(selectors.roster(), query), "strokes")
    with transaction.atomic(), connection.cursor() as cursor:
        # A test table of a few rows is cheapest read whole (a sequential scan, or the sort
        # order's index from end to end): forbid both, so that the plan shows whether an index
        # answers the search itself (docs/benchmarks.md has the plans chosen at 50,000 experts).
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        return queryset.explain()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("张伟", "experts_expert_search_grams_trgm"),
        ("伟", "experts_expert_search_grams_trgm"),
        ("zw", "experts_expert_search_grams_trgm"),
        ("zwm", "experts_expert_search_grams_trgm"),
        ("新松机器人", "experts_expert_search_text_trgm"),
        ("数控机床", "experts_expert_search_text_trgm"),
        ("zhang wei", "experts_expert_search_text_trgm"),
    ],
)
def test_postgresql_plan_uses_the_trigram_index(roster, query, index):
    plan = plan_for(query)

    assert index in plan, plan
    assert "Seq Scan on experts_expert " not in plan, plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only")
def test_postgresql_initials_with_a_space_use_the_initials_index(roster):
    plan = plan_for("z w")

    assert "experts_expert_search_text_trgm" in plan and "name_initials" in plan, plan
    assert "Seq Scan on experts_expert " not in plan, plan
