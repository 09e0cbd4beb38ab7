"""Import and export of the roster as .xlsx: dry run, per-row errors, re-import by key."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation
from openpyxl import Workbook, load_workbook

from experts import workbook
from experts.models import Domain, Expert, Organization
from tests.experts.conftest import new_expert

ROSTER = "/admin/experts/expert/"


@pytest.fixture
def taxonomy(db):
    Domain.objects.create(code="2.1", name="机器人")
    Domain.objects.create(code="1.5", name="人工智能")
    return Organization.objects.create(name="沈阳自动化研究院", kind="institute")


def template_rows(count, *, start=1):
    return [
        [
            f"IMP-{n:04d}",
            f"张{n}",
            "specialist",
            "研究员",
            "senior",
            "",
            "沈阳自动化研究院",
            "2.1",
            "1.5",
            "工业机器人",
            f"138{n:08d}",
            f"e{n}@example.cn",
            "2026-01-01",
            "2028-12-31",
            f"聘〔2026〕{n}号",
            "active",
            "",
            "",
        ]
        for n in range(start, start + count)
    ]


def workbook_file(rows, name="roster.xlsx"):
    """A workbook made from the downloadable template, with ``rows`` replacing its example."""
    book = load_workbook(io.BytesIO(workbook.template_bytes()))
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_import_200_rows_creates_200_experts(taxonomy, secretariat_user):
    plan = workbook.check_workbook(workbook_file(template_rows(200)))

    result = workbook.apply_plan(plan, by=secretariat_user)

    assert result == {"created": 200, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Expert.objects.count() == 200
    expert = Expert.objects.get(key="IMP-0007")
    assert (expert.status, expert.mobile, sorted(d.code for d in expert.domains.all())) == (
        "active",
        "13800000007",
        ["1.5", "2.1"],
    )


def test_import_same_workbook_again_changes_nothing(taxonomy, secretariat_user):
    rows = template_rows(200)
    workbook.apply_plan(workbook.check_workbook(workbook_file(rows)), by=secretariat_user)
    history_before = Expert.history.count()

    plan = workbook.check_workbook(workbook_file(rows))
    result = workbook.apply_plan(plan, by=secretariat_user)

    assert plan.summary == {"create": 0, "update": 0, "unchanged": 200, "error": 0}
    assert result == {"created": 0, "updated": 0, "unchanged": 200, "skipped": 0}
    assert (Expert.objects.count(), Expert.history.count()) == (200, history_before)


def test_import_changed_row_updates_by_key(taxonomy, secretariat_user):
    rows = template_rows(3)
    workbook.apply_plan(workbook.check_workbook(workbook_file(rows)), by=secretariat_user)
    rows[1][3] = "教授"

    plan = workbook.check_workbook(workbook_file(rows))
    workbook.apply_plan(plan, by=secretariat_user)

    assert [(row.key, row.action, row.changes) for row in plan.rows] == [
        ("IMP-0001", "unchanged", []),
        ("IMP-0002", "update", ["title"]),
        ("IMP-0003", "unchanged", []),
    ]
    expert = Expert.objects.get(key="IMP-0002")
    assert (Expert.objects.count(), expert.title, expert.history.first().history_user) == (3, "教授", secretariat_user)


def test_import_three_bad_rows_reported_and_nothing_imported(taxonomy, secretariat_user):
    rows = template_rows(10)
    rows[2][10] = "12345"  # spreadsheet row 4: mobile
    rows[5][7] = "9.9"  # row 7: unknown domain
    rows[8][1] = ""  # row 10: no name

    with translation.override("en"):
        plan = workbook.check_workbook(workbook_file(rows))
        with pytest.raises(workbook.ImportRefused) as refused:
            workbook.apply_plan(plan, by=secretariat_user)
        messages = [m for row in plan.error_rows for m in row.messages]

    assert [row.number for row in plan.error_rows] == [4, 7, 10]
    assert messages == [
        "Row 4: the mobile number 12345 is not 11 digits.",
        "Row 7: unknown domain code 9.9.",
        "Row 10: 姓名 is required.",
    ]
    assert refused.value.messages == messages
    assert Expert.objects.count() == 0


def test_import_bad_rows_skipped_on_purpose_imports_the_others(taxonomy, secretariat_user):
    rows = template_rows(10)
    rows[2][10] = "12345"
    rows[5][7] = "9.9"
    rows[8][1] = ""
    plan = workbook.check_workbook(workbook_file(rows))

    result = workbook.apply_plan(plan, by=secretariat_user, skip_rows=[4, 7, 10])

    assert result == {"created": 7, "updated": 0, "unchanged": 0, "skipped": 3}
    assert Expert.objects.count() == 7


def test_import_duplicate_key_in_workbook_is_an_error(taxonomy):
    rows = template_rows(2)
    rows[1][0] = rows[0][0]

    with translation.override("en"):
        plan = workbook.check_workbook(workbook_file(rows))
        messages = [m for row in plan.error_rows for m in row.messages]

    assert messages == ["Row 3: the key IMP-0001 also appears in row 2."]


def test_import_forbidden_status_change_is_a_row_error(taxonomy, secretariat_user):
    rows = template_rows(1)
    rows[0][15] = "dismissed"
    workbook.apply_plan(workbook.check_workbook(workbook_file(rows)), by=secretariat_user)
    rows[0][15] = "active"

    plan = workbook.check_workbook(workbook_file(rows))

    assert [(row.number, row.action) for row in plan.rows] == [(2, "error")]


def test_import_not_a_workbook_is_refused(db):
    with translation.override("en"):
        plan = workbook.check_workbook(SimpleUploadedFile("roster.xlsx", b"name,mobile\n"))

    assert plan.errors == ["The file is not an .xlsx workbook. Start from the template."]


def test_import_missing_required_columns_is_refused(db):
    book = Workbook()
    book.active.append(["姓名", "手机"])
    buffer = io.BytesIO()
    book.save(buffer)

    with translation.override("en"):
        plan = workbook.check_workbook(SimpleUploadedFile("x.xlsx", buffer.getvalue()))

    assert plan.errors == ["The first row lacks the columns: 编号, 类别."]


def test_import_check_queries_do_not_grow_with_rows(taxonomy):
    from tests.queries import count_queries

    small = workbook_file(template_rows(1))
    large = workbook_file(template_rows(50))

    assert count_queries(lambda: workbook.check_workbook(small)) == count_queries(
        lambda: workbook.check_workbook(large)
    )


def test_unmasked_export_for_secretariat_round_trips(taxonomy, secretariat_user):
    workbook.apply_plan(workbook.check_workbook(workbook_file(template_rows(3))), by=secretariat_user)

    data = workbook.export_bytes(Expert.objects.order_by("key"), viewer=secretariat_user, unmasked=True)
    plan = workbook.check_workbook(SimpleUploadedFile("export.xlsx", data))

    assert plan.summary == {"create": 0, "update": 0, "unchanged": 3, "error": 0}


def test_export_for_a_non_secretariat_viewer_masks_contacts(taxonomy, commission_user):
    new_expert(name="张三", mobile="13812345678", email="zhangsan@example.cn")

    data = workbook.export_bytes(Expert.objects.all(), viewer=commission_user, unmasked=True)

    row = [cell.value for cell in load_workbook(io.BytesIO(data)).worksheets[0][2]]
    assert (row[10], row[11]) == ("138****5678", "z***@example.cn")


# --- the admin screens --------------------------------------------------------------------


@pytest.fixture
def admin_client(secretariat_user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(secretariat_user)
    return client


def test_admin_import_preview_then_confirm_imports(taxonomy, admin_client):
    preview = admin_client.post(ROSTER + "import/", {"workbook": workbook_file(template_rows(5))})
    run = preview.context["run"]
    nothing_yet = Expert.objects.count()

    done = admin_client.post(ROSTER + "import/confirm/", {"run": run}, follow=True)

    assert (preview.status_code, nothing_yet) == (200, 0)
    assert done.context["run"]["state"] == "done"
    assert done.context["run"]["result"] == {"created": 5, "updated": 0, "unchanged": 0, "skipped": 0}
    assert Expert.objects.count() == 5


def test_admin_import_with_errors_needs_the_skip_box(taxonomy, admin_client):
    rows = template_rows(5)
    rows[1][10] = "1"
    preview = admin_client.post(ROSTER + "import/", {"workbook": workbook_file(rows)})

    refused = admin_client.post(ROSTER + "import/confirm/", {"run": preview.context["run"]})

    assert "Row 3: the mobile number 1 is not 11 digits." in preview.content.decode()
    assert refused.status_code == 302
    assert Expert.objects.count() == 0


def test_admin_import_skip_box_imports_the_good_rows(taxonomy, admin_client):
    rows = template_rows(5)
    rows[1][10] = "1"
    preview = admin_client.post(ROSTER + "import/", {"workbook": workbook_file(rows)})

    done = admin_client.post(
        ROSTER + "import/confirm/", {"run": preview.context["run"], "skip_errors": "on"}, follow=True
    )

    assert done.context["run"]["result"] == {"created": 4, "updated": 0, "unchanged": 0, "skipped": 1}


def test_admin_import_run_of_another_user_is_404(taxonomy, admin_client):
    from tests.conftest import make_user

    preview = admin_client.post(ROSTER + "import/", {"workbook": workbook_file(template_rows(1))})
    other = Client()
    other.force_login(make_user("secretariat", username="sec2"))

    response = other.post(ROSTER + "import/confirm/", {"run": preview.context["run"]})

    assert response.status_code == 404


def test_admin_template_and_export_download(taxonomy, admin_client):
    new_expert(name="张三")

    template = admin_client.get(ROSTER + "import/template/")
    export = admin_client.get(ROSTER + "export/", {"q": "zs"})

    rows = list(load_workbook(io.BytesIO(export.content)).worksheets[0].values)
    assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert [row[1] for row in rows] == ["姓名", "张三"]
