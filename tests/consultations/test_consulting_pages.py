"""Consultation pages: posing, the expert's answer and its seal, the reading page with answers
grouped by question, the exports, and 404 for everyone the consultation did not reach."""

import io

import pytest
from django.test import Client

from consultations.inquiries import services as consulting
from consultations.inquiries.models import Consultation
from consultations.opinions.models import Opinion
from tests.conftest import make_user
from tests.consultations.consulting_setup import QUESTIONS, answer, build_committee, pose
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_consultation_new_by_the_commission_poses_and_opens_it(commission_user):
    e = build_committee()["experts"]
    domain = e["child"].domains.get()

    response = client_for(commission_user).post(
        "/portal/consultations/new/",
        {
            "title": "机器人配套企业征询",
            "question": ["问题一", "", "问题二"],
            "addressed_domains": [domain.code],
            "open_now": "on",
        },  # fmt: skip
    )

    consultation = Consultation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/consultations/{consultation.pk}/"
    assert (consultation.state, list(consultation.questions.values_list("text", flat=True))) == (
        "open",
        ["问题一", "问题二"],
    )
    assert sorted(consultation.recipients.values_list("pk", flat=True)) == sorted([e["child"].pk, e["grandchild"].pk])


def test_consultation_new_without_a_title_shows_the_form_again(secretariat_user):
    build_committee()

    response = client_for(secretariat_user).post("/portal/consultations/new/", {"title": "", "question": ["问题"]})

    assert response.status_code == 200
    assert Consultation.objects.count() == 0


@pytest.mark.parametrize("who", ["suspended", "other", "department"])
def test_consultation_pages_are_404_for_those_not_reached(secretariat_user, who):
    committee = build_committee()
    consultation = pose(secretariat_user)
    answer(consultation, committee["experts"]["child"])
    consulting.close_consultation(consultation, by=secretariat_user)
    user = committee["department"] if who == "department" else committee["experts"][who].user
    client = client_for(user)
    base = f"/portal/consultations/{consultation.pk}/"

    statuses = [client.get(base + path).status_code for path in ("", "answer/", "answer/submit/", "export.docx",
                                                                  "export.xlsx", "?fragment=1")]  # fmt: skip

    assert statuses == [404] * 6


def test_consultation_answer_form_saves_and_submit_seals(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    q1, q2 = consultation.questions.order_by("position")
    client = client_for(e["child"].user)
    base = f"/portal/consultations/{consultation.pk}/answer/"
    client.get(base)

    saved = client.post(base, {"version": "0", f"point-{q1.pk}": ["扶持配套企业", ""], f"point-{q2.pk}": "保障用地"})
    sealed = client.post(base + "submit/", {"version": "1"})
    page = client.get(base)

    answer_row = Opinion.objects.get(consultation=consultation, expert=e["child"])
    assert (saved.status_code, sealed.status_code) == (302, 302)
    assert [(p.question_id, p.text) for p in answer_row.points.order_by("position")] == [
        (q1.pk, "扶持配套企业"),
        (q2.pk, "保障用地"),
    ]
    assert answer_row.digest != ""
    assert answer_row.digest in page.content.decode()


def test_consultation_reading_page_groups_answers_by_question_with_names(secretariat_user, commission_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    answer(consultation, e["child"], texts=("甲一", "甲二"))
    answer(consultation, e["grandchild"], texts=("乙一", "乙二"))
    consulting.close_consultation(consultation, by=secretariat_user)

    response = client_for(commission_user).get(f"/portal/consultations/{consultation.pk}/")

    groups = [(g["question"].text, [(p["text"], p["author"]) for p in g["points"]]) for g in response.context["groups"]]
    assert groups == [
        (QUESTIONS[0], [("甲一", e["child"].name), ("乙一", e["grandchild"].name)]),
        (QUESTIONS[1], [("甲二", e["child"].name), ("乙二", e["grandchild"].name)]),
    ]


def test_consultation_export_docx_groups_answers_by_question(secretariat_user, commission_user):
    from docx import Document

    e = build_committee()["experts"]
    consultation = pose(secretariat_user, anonymous=True)
    answer(consultation, e["child"], texts=("甲一", "甲二"))
    answer(consultation, e["grandchild"], texts=("乙一", "乙二"))
    consulting.close_consultation(consultation, by=secretariat_user)

    response = client_for(commission_user).get(f"/portal/consultations/{consultation.pk}/export.docx")

    text = [p.text for p in Document(io.BytesIO(response.content)).paragraphs if p.text.strip()]
    start = next(i for i, line in enumerate(text) if line.startswith("（一）"))
    assert text[start : start + 6] == [
        f"（一）{QUESTIONS[0]}",
        "1. 甲一（Expert A）",
        "2. 乙一（Expert B）",
        f"（二）{QUESTIONS[1]}",
        "1. 甲二（Expert A）",
        "2. 乙二（Expert B）",
    ]
    assert e["child"].name not in "\n".join(text)


def test_consultation_export_tells_only_those_who_pose_how_many_were_asked(secretariat_user, commission_user):
    """docs/consultations.md: who else was asked and how many answered are for those who pose
    consultations (the API gives a recipient null, the page shows it to them alone); the .docx
    of an expert asked says neither."""
    from docx import Document

    e = build_committee()["experts"]
    consultation = pose(secretariat_user)  # domain 2.1 and below: child and grandchild are asked
    answer(consultation, e["child"])
    consulting.close_consultation(consultation, by=secretariat_user)

    def text(user):
        response = client_for(user).get(f"/portal/consultations/{consultation.pk}/export.docx")
        return "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)

    assert "Experts asked: 2; answers submitted: 1." in text(commission_user)
    assert "Experts asked" not in text(e["child"].user)
    assert "Experts asked" not in text(e["grandchild"].user)


def test_consultation_export_xlsx_has_one_row_per_point(secretariat_user):
    from openpyxl import load_workbook

    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    answer(consultation, e["child"], texts=("甲一", "甲二"))

    response = client_for(secretariat_user).get(f"/portal/consultations/{consultation.pk}/export.xlsx")

    rows = list(load_workbook(io.BytesIO(response.content))["answers"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[3]) for r in rows] == [(e["child"].name, "甲一"), (e["child"].name, "甲二")]


def test_consultation_list_page_queries_do_not_grow_with_rows(secretariat_user):
    build_committee()
    client = client_for(secretariat_user)

    def make_rows(n):
        while Consultation.objects.count() < n:
            pose(secretariat_user, open_it=False)

    assert_constant_queries(make_rows, lambda: client.get("/portal/consultations/"))


def test_consultation_list_page_of_an_expert_queries_do_not_grow_with_rows(secretariat_user):
    e = build_committee()["experts"]
    client = client_for(e["child"].user)

    def make_rows(n):
        while Consultation.objects.count() < n:
            answer(pose(secretariat_user), e["child"], submit=False)

    assert_constant_queries(make_rows, lambda: client.get("/portal/consultations/"))


def test_consultation_new_page_is_404_for_an_expert():
    e = build_committee()["experts"]

    response = client_for(e["child"].user).get("/portal/consultations/new/")

    assert response.status_code == 404


def test_consultation_state_post_by_the_secretariat_closes_it(secretariat_user):
    build_committee()
    consultation = pose(secretariat_user)

    response = client_for(secretariat_user).post(f"/portal/consultations/{consultation.pk}/state/",
                                                 {"state": "closed"})  # fmt: skip

    consultation.refresh_from_db()
    assert (response.status_code, consultation.state) == (302, "closed")


def test_consultation_page_of_an_auditor_is_404(secretariat_user):
    build_committee()
    consultation = pose(secretariat_user)
    auditor = make_user("auditor", username="aud")

    response = client_for(auditor).get(f"/portal/consultations/{consultation.pk}/")

    assert response.status_code == 404


def test_consultation_admin_lists_consultations_read_only(secretariat_user):
    build_committee()
    consultation = pose(secretariat_user)
    client = client_for(secretariat_user)

    listing = client.get("/admin/consultations/consultation/")
    adding = client.get("/admin/consultations/consultation/new/")

    assert listing.status_code == 200
    assert consultation.title in listing.content.decode()
    assert adding.status_code == 302
    assert Consultation.objects.count() == 1


def test_consultation_background_document_reaches_recipients_only(secretariat_user):
    from tests.reviews.conftest import docx_upload

    e = build_committee()["experts"]
    consultation = pose(secretariat_user, open_it=False)
    document = consulting.add_background_document(consultation, upload=docx_upload("背景.docx"), by=secretariat_user)
    consulting.open_consultation(consultation, by=secretariat_user)
    url = f"/portal/consultations/{consultation.pk}/documents/{document.pk}/"

    mine = client_for(e["child"].user).get(url)
    other = client_for(e["other"].user).get(url)

    assert (mine.status_code, other.status_code) == (200, 404)
    assert mine["Content-Disposition"].startswith("attachment")


def test_consultation_new_with_a_fake_document_changes_nothing(secretariat_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    build_committee()
    fake = SimpleUploadedFile("背景.docx", b"not a word file", "application/octet-stream")

    response = client_for(secretariat_user).post(
        "/portal/consultations/new/", {"title": "征询", "question": ["问题"], "document": fake}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["document"]
    assert Consultation.objects.count() == 0


def test_consultation_edit_of_a_draft_replaces_its_questions(commission_user):
    build_committee()
    consultation = pose(commission_user, open_it=False)

    response = client_for(commission_user).post(
        f"/portal/consultations/{consultation.pk}/edit/", {"title": "修改后的征询", "question": ["新问题"]}
    )

    consultation.refresh_from_db()
    assert response.status_code == 302
    assert (consultation.title, list(consultation.questions.values_list("text", flat=True))) == (
        "修改后的征询",
        ["新问题"],
    )


def test_consultation_edit_of_an_open_one_changes_nothing(commission_user):
    build_committee()
    consultation = pose(commission_user)

    response = client_for(commission_user).post(
        f"/portal/consultations/{consultation.pk}/edit/", {"title": "改标题", "question": ["新问题"]}
    )

    consultation.refresh_from_db()
    assert (response.status_code, consultation.title) == (302, "机器人产业三年行动计划落实情况征询")
    assert list(consultation.questions.values_list("text", flat=True)) == QUESTIONS


def test_consultation_answer_point_answered_in_the_portal_returns_to_the_consultation(
    secretariat_user, commission_user
):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    sealed = answer(consultation, e["child"])
    consulting.close_consultation(consultation, by=secretariat_user)
    point = sealed.points.order_by("position").first()

    response = client_for(commission_user).post(
        f"/portal/points/{point.pk}/answer/", {"status": "partly_adopted", "reason": "纳入明年计划"}
    )

    assert (response.status_code, response["Location"]) == (
        302, f"/portal/consultations/{consultation.pk}/#point-{point.pk}"
    )  # fmt: skip
    point.refresh_from_db()
    assert (point.response.status, point.response.reason) == ("partly_adopted", "纳入明年计划")


def test_consultation_new_naming_an_expert_id_beyond_64_bits_shows_the_form_again(secretariat_user):
    build_committee()

    response = client_for(secretariat_user).post(
        "/portal/consultations/new/", {"title": "征询", "question": ["问题"], "addressed_experts": [str(10**30)]}
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["addressed_experts"]
    assert Consultation.objects.count() == 0


def test_consultation_answer_page_after_a_close_without_an_answer_leads_to_the_reading_page(secretariat_user):
    """The notification and the "My answer" button link there; after the close it is not a 404."""
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    answer(consultation, e["child"])
    consulting.close_consultation(consultation, by=secretariat_user)
    client = client_for(e["grandchild"].user)

    base = f"/portal/consultations/{consultation.pk}/"

    responses = [client.get(base + path) for path in ("answer/", "answer/submit/")]

    assert [(r.status_code, r["Location"]) for r in responses] == [(302, base), (302, base)]
    assert Opinion.objects.filter(consultation=consultation, expert=e["grandchild"]).count() == 0


def test_consultation_export_xlsx_keeps_an_answer_starting_with_equals_as_text(secretariat_user):
    """An expert's text is never a live formula in the workbook the commission opens."""
    from openpyxl import load_workbook

    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    answer(consultation, e["child"], texts=('=HYPERLINK("http://example.com","点此")', "+1+1"))

    response = client_for(secretariat_user).get(f"/portal/consultations/{consultation.pk}/export.xlsx")

    cells = [row[3] for row in load_workbook(io.BytesIO(response.content))["answers"].iter_rows(min_row=2)]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://example.com","点此")', "s"), ("+1+1", "s")]
