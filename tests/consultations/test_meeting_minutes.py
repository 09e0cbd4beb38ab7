"""The meeting's minutes (会议纪要): drafted from the agenda and the discussion, edited with a
version (If-Match), filed and frozen; the .docx read back with python-docx; the meeting's parts of
the archive; the meeting page and its query counts."""

import io
import json
import zipfile

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from docx import Document

from consultations.archive.build import build_archive
from consultations.consolidation import services as consolidation
from consultations.meetings import checkin, minutes, selectors, services
from consultations.meetings.models import Attendance, Minutes
from consultations.opinions import services as opinion_services
from reviews import manifest
from tests.consultations.conftest import sections
from tests.consultations.consolidation_setup import staff_of
from tests.consultations.meeting_setup import check_in_all, meeting_review, members
from tests.consultations.test_meetings import close_with_group_opinion

pytestmark = pytest.mark.django_db

GROUP = "专家组同意该计划，建议补充资金测算。"


@pytest.fixture(autouse=True)
def _archives_in_a_temporary_place(settings, tmp_path):
    storages = {**settings.STORAGES}
    storages["private"] = {**storages["private"], "OPTIONS": {"location": tmp_path / "private", "base_url": None}}
    settings.STORAGES = storages


@pytest.fixture
def review(secretariat_user):
    """A meeting held: an agenda, two members present (one by hand), a comment on an agenda
    section, the group opinion voted on."""
    review = meeting_review(secretariat_user)
    anchors = sections(review)
    services.set_agenda(review, by=secretariat_user, items=[{"title": "重点任务", "section": anchors[2]},
                                                           {"title": "形成专家组意见", "section": ""}])  # fmt: skip
    chair, second, third = members(review)
    check_in_all(review, [chair, second])
    services.mark_present(review, by=secretariat_user, expert=third.expert.pk, reason="手机没有信号")
    opinion_services.add_comment(review, by=second, text="建议细化任务分工。", section=anchors[2])
    close_with_group_opinion(review, secretariat_user, GROUP)
    services.cast_vote(review, by=chair, vote="agree")
    services.cast_vote(review, by=second, vote="against")
    return review


def url(review, tail):
    return f"/api/v1/reviews/{review.pk}/{tail}"


def docx_text(data):
    document = Document(io.BytesIO(data))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return paragraphs, cells


def test_minutes_draft_puts_each_remark_under_its_agenda_item(review):
    text = minutes.draft_text(review)

    second = members(review)[1].expert.name
    assert text.splitlines() == [
        f"1. 重点任务（§{sections(review)[2]}）",
        f"    {second}：建议细化任务分工。",
        "2. 形成专家组意见",
    ]


def test_minutes_put_needs_if_match_and_refuses_a_stale_version_with_the_current_text(review, api_as, secretariat_user):
    api = api_as(secretariat_user)

    missing = api.put(url(review, "minutes/"), {"text": "纪要"}, format="json")
    first = api.put(url(review, "minutes/"), {"text": "纪要第一稿"}, format="json", HTTP_IF_MATCH='"0"')
    stale = api.put(url(review, "minutes/"), {"text": "另一稿"}, format="json", HTTP_IF_MATCH='"0"')

    assert (missing.status_code, list(missing.json()["errors"])) == (400, ["version"])
    assert (first.status_code, first["ETag"], first.json()["text"]) == (200, '"1"', "纪要第一稿")
    assert (stale.status_code, stale.json()["minutes"]["text"], stale.json()["minutes"]["version"]) == (
        409,
        "纪要第一稿",
        1,
    )


def test_minutes_are_the_secretariats(review, api_as):
    assert api_as(members(review)[0]).get(url(review, "minutes/")).status_code == 403


def test_filed_minutes_are_frozen_and_the_meeting_is_over(review, api_as, secretariat_user):
    api = api_as(secretariat_user)
    api.put(url(review, "minutes/"), {"text": "会议纪要正文。"}, format="json", HTTP_IF_MATCH='"0"')

    filed = api.post(url(review, "minutes/file/"))
    again = api.post(url(review, "minutes/file/"))
    edit = api.put(url(review, "minutes/"), {"text": "改"}, format="json", HTTP_IF_MATCH='"2"')
    vote = api_as(members(review)[2]).post(url(review, "votes/"), {"vote": "agree"}, format="json")
    document = api.get(url(review, "minutes.docx"))

    row = Minutes.objects.get(review=review)
    assert (filed.status_code, filed.json()["version"], filed.json()["text"]) == (200, 2, "会议纪要正文。")
    assert (again.status_code, edit.status_code, vote.status_code) == (409, 409, 409)
    assert vote.json()["detail"] == "The meeting is over: its minutes are filed."
    assert document.content == bytes(row.document)
    assert filed.json()["digest"] == manifest.digests(bytes(row.document))["sha256"]


def test_minutes_docx_holds_the_meeting_agenda_discussion_vote_group_opinion_and_attendance(
    review, api_as, secretariat_user
):
    response = api_as(secretariat_user).get(url(review, "minutes.docx"))
    paragraphs, cells = docx_text(response.content)
    chair, second, third = [user.expert for user in members(review)]

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert paragraphs[0] == f"Minutes of the meeting on “{review.plan.title}”"
    assert "Present: 3 of the panel's 3 members." in paragraphs
    assert "一、The meeting" in paragraphs and "二、The agenda" in paragraphs
    assert f"1. 重点任务（§{sections(review)[2]}）" in paragraphs
    assert f"{second.name}：建议细化任务分工。" in paragraphs
    assert "On version 1 of the group opinion: agree 1, against 1, abstain 0." in paragraphs
    assert f"{second.name}：Against" in paragraphs
    assert GROUP in paragraphs
    rows = {row[0]: row for row in cells[1:]}
    assert set(rows) == {chair.name, second.name, third.name}
    assert rows[chair.name][2] == "Chair"
    assert rows[third.name][3].endswith("by hand: 手机没有信号")


def test_minutes_docx_is_404_to_an_expert_off_the_panel_and_to_the_department(review, api_as):
    from tests.conftest import make_user
    from tests.consultations.consolidation_setup import staff_of

    assert api_as(make_user("expert", username="outsider")).get(url(review, "minutes.docx")).status_code == 404
    assert api_as(staff_of(review.plan.submitted_by, "dept-staff")).get(url(review, "minutes.docx")).status_code == 404


def test_archive_of_a_meeting_holds_agenda_attendance_votes_and_the_filed_minutes(review, secretariat_user):
    minutes.file_minutes(review, by=secretariat_user)
    for user in members(review):
        consolidation.confirm_group_opinion(review, by=user, version=1)
    review.refresh_from_db()

    with zipfile.ZipFile(build_archive(review, by=secretariat_user)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    listed = {row["path"] for row in json.loads(files["manifest.json"])["files"]}

    meeting_files = {"meeting/agenda.json", "meeting/attendance.json", "meeting/votes.json", "meeting/minutes.json",
                     "documents/minutes.docx"}  # fmt: skip
    assert meeting_files <= listed
    assert [i["title"] for i in json.loads(files["meeting/agenda.json"])["items"]] == ["重点任务", "形成专家组意见"]
    assert sorted(r["how"] for r in json.loads(files["meeting/attendance.json"])) == ["code", "code", "hand"]
    assert sorted(v["vote"] for v in json.loads(files["meeting/votes.json"])) == ["against", "agree"]
    filed = json.loads(files["meeting/minutes.json"])
    assert files["documents/minutes.docx"] == bytes(Minutes.objects.get(review=review).document)
    assert filed["filed_by"] == "sec" and filed["version"] == 1


# ---------------------------------------------------------------- the meeting page


def page(user, review, tail=""):
    client = Client()
    client.force_login(user)
    return client, client.get(f"/portal/reviews/{review.pk}/meeting/{tail}")


def test_meeting_page_shows_the_agenda_who_is_present_and_the_tally_to_a_member(review):
    _client, response = page(members(review)[1], review)
    html = response.content.decode()

    assert response.status_code == 200
    assert "重点任务" in html and "形成专家组意见" in html
    assert html.count('data-expert="') == 3
    assert 'data-tally="agree">1<' in html and 'data-tally="against">1<' in html


def test_meeting_form_records_a_vote_and_the_page_shows_it(review):
    third = members(review)[2]
    client, _response = page(third, review)

    client.post(f"/portal/reviews/{review.pk}/meeting/act/", {"action": "vote", "vote": "abstain"})
    html = client.get(f"/portal/reviews/{review.pk}/meeting/").content.decode()

    assert 'data-tally="abstain">1<' in html and 'data-testid="my-vote"' in html


def test_meeting_page_is_404_to_an_expert_off_the_panel(review):
    from tests.conftest import make_user

    assert page(make_user("expert", username="outsider"), review)[1].status_code == 404


def test_checkin_page_with_the_rooms_code_checks_the_member_in(secretariat_user):
    review = meeting_review(secretariat_user)
    client = Client()
    client.force_login(members(review)[1])
    code = checkin.make_code(review)[0]

    shown = client.get(f"/portal/reviews/{review.pk}/checkin/", {"code": code})
    wrong = client.post(f"/portal/reviews/{review.pk}/checkin/", {"code": "nonsense"})
    done = client.post(f"/portal/reviews/{review.pk}/checkin/", {"code": code})

    assert 'data-testid="checkin-button"' in shown.content.decode()
    assert (wrong.status_code, 'data-testid="checkin-error"' in wrong.content.decode()) == (200, True)
    assert 'data-testid="checkin-done"' in done.content.decode()
    assert Attendance.objects.filter(review=review, expert=members(review)[1].expert).exists()


def test_checkin_page_refuses_the_department_with_403_and_why(secretariat_user):
    review = meeting_review(secretariat_user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff_of(review.plan.submitted_by, "dept-staff"))

    response = client.post(f"/portal/reviews/{review.pk}/checkin/", {"code": checkin.make_code(review)[0]})

    assert response.status_code == 403
    assert "Only the panel&#x27;s members check in to this meeting." in response.content.decode()


def test_qr_page_shows_a_code_for_the_chair_and_404_for_a_member(secretariat_user):
    review = meeting_review(secretariat_user)
    chair, member = members(review)[0], members(review)[1]

    _c, shown = page(chair, review, "qr/")
    _c, refused = page(member, review, "qr/")

    assert shown.status_code == 200 and b"<svg" in shown.content and b'http-equiv="refresh"' in shown.content
    assert refused.status_code == 404


def queries_for(review, user, path):
    client = Client()
    client.force_login(user)
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_meeting_lists_query_counts_do_not_grow_from_1_to_21_members(secretariat_user):
    review = meeting_review(secretariat_user, panel=21, roster_size=25)  # a panel's size is odd
    users = members(review)
    close_with_group_opinion(review, secretariat_user)
    paths = [f"/api/v1/reviews/{review.pk}/attendance/", f"/api/v1/reviews/{review.pk}/votes/",
             f"/portal/reviews/{review.pk}/meeting/"]  # fmt: skip
    counts = {}
    for group in (users[:1], users[1:]):
        check_in_all(review, group)
        for user in group:
            services.cast_vote(review, by=user, vote="agree")
        counts[len(group)] = [queries_for(review, secretariat_user, path) for path in paths]
    assert len(selectors.attendance(review)) == 21
    assert counts[1] == counts[20]
