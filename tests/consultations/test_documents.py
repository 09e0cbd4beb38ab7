"""Documents to file: the .docx in the official layout, the .pdf with embedded CJK fonts that
shows Chinese, the .xlsx with every score; no file outside our static files reaches the PDF."""

import io
import subprocess

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from consultations.consolidation import documents, selectors
from consultations.consolidation import services as rules
from consultations.consolidation.models import GeneratedDocument
from consultations.opinions.models import Opinion
from experts.models import AuditRecord
from tests.consultations.consolidation_setup import AMENDED, closed_review
from tests.system import needs

pytestmark = pytest.mark.django_db

run_on_commit = None
PASSWD = '<img src="file:///etc/passwd">'


@pytest.fixture
def review(secretariat_user):
    review = closed_review(secretariat_user, texts={0: f"图片测试{PASSWD}结束"})
    rules.save_group_opinion(
        review, by=secretariat_user, text="专家组认为计划总体可行。\n建议细化保障措施。", expected_version=0
    )
    return review


@pytest.fixture(autouse=True)
def _commit_callbacks(django_capture_on_commit_callbacks):
    """The task is queued on commit; the test transaction never commits, so run the callbacks."""
    global run_on_commit
    run_on_commit = django_capture_on_commit_callbacks


def made(review, kind):
    with run_on_commit(execute=True):
        document = documents.request_document(review, kind)
    document.refresh_from_db()
    assert document.state == GeneratedDocument.State.DONE, document.error
    with document.file.open("rb") as handle:
        return handle.read()


def test_docx_layout_and_body_runs_in_fangsong_east_asian_slot(review):
    document = Document(io.BytesIO(made(review, "docx")))

    section = document.sections[0]
    assert [round(section.page_width.mm), round(section.page_height.mm)] == [210, 297]
    assert [
        round(m.mm) for m in (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    ] == [37, 35, 28, 26]
    title = document.paragraphs[0]
    with translation.override(settings.LANGUAGE_CODE):
        expected_title = gettext("Expert panel opinion on “{plan}”").format(plan="机器人产业三年行动计划")
    assert title.text == expected_title
    assert title.runs[0].font.size.pt == 22
    assert title.runs[0]._r.rPr.rFonts.get(qn("w:eastAsia")) == "方正小标宋简体"
    body = [p for p in document.paragraphs if p.text == "专家组认为计划总体可行。"]
    assert len(body) == 1
    run = body[0].runs[0]
    assert (run._r.rPr.rFonts.get(qn("w:eastAsia")), run.font.size.pt) == ("仿宋", 16)
    numbers = ("一、", "二、", "三、", "四、", "五、", "六、", "七、", "八、")
    headings = [p.text for p in document.paragraphs if p.text[:2] in numbers]
    assert [h[:2] for h in headings] == list(numbers)
    assert any(p.text.startswith("（一）") for p in document.paragraphs)
    assert any(p.text.startswith("1. ") for p in document.paragraphs)
    footer = section.footer.paragraphs[0]._p.xml
    assert "— " in footer and "PAGE" in footer and " —" in footer


def test_docx_signature_page_lists_the_panel(review):
    document = Document(io.BytesIO(made(review, "docx")))

    table = document.tables[-1]
    names = [row.cells[0].text for row in table.rows[1:]]
    panel = sorted(o.expert.name for o in Opinion.objects.filter(review=review).select_related("expert"))
    assert sorted(names) == panel


def _pdf_file(tmp_path, review):
    path = tmp_path / "c.pdf"
    path.write_bytes(made(review, "pdf"))
    return path


@needs("libpango-1.0-0", "poppler-utils", "fonts-noto-cjk")
def test_pdf_embeds_every_font_and_shows_chinese(review, tmp_path):
    pdf = _pdf_file(tmp_path, review)

    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    subprocess.run(
        ["pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-gray", str(pdf), str(tmp_path / "page")], check=True
    )

    assert fonts, "no font in the PDF"
    assert all(line.split()[-5] == "yes" for line in fonts), fonts  # the "emb" column
    names = {line.split()[0].split("+", 1)[1] for line in fonts}
    assert {"仿宋", "方正小标宋简体-Bold", "黑体"} <= names  # the aliases, served by Noto CJK
    assert "专家组认为计划总体可行" in text
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.pgm")))
    width, height = page.size
    title_band = page.crop((0, int(height * 0.12), width, int(height * 0.22)))  # the title below the 37 mm margin
    dark = sum(title_band.histogram()[:128])
    assert dark > 200  # glyphs drawn, not tofu-free emptiness


@needs("libpango-1.0-0", "poppler-utils")
def test_pdf_never_contains_a_local_file_an_opinion_points_to(review, tmp_path):
    pdf = _pdf_file(tmp_path, review)

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout

    assert "root:" not in text
    assert "图片测试" in text


def test_url_fetcher_allows_only_our_static_files():
    from django.conf import settings

    css = (settings.STATICFILES_DIRS[0] / "css" / "consolidation.css").as_uri()

    font = "file:///usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"

    assert documents.allowed_url(css) == css
    assert documents.allowed_url(font) == font  # what a local() font alias resolves to
    for url in (
        "file:///etc/passwd",
        "http://example.com/x.png",
        css.replace("/css/", "/css/../../../../etc/"),
        "file:///usr/share/fonts/../../../etc/passwd",
        "file:///usr/share/fonts/opentype/noto/",
    ):
        with pytest.raises(ValueError):
            documents.allowed_url(url)


def test_xlsx_has_every_score_and_point(review):
    workbook = load_workbook(io.BytesIO(made(review, "xlsx")))

    scores = workbook["scores"]
    rows = list(scores.iter_rows(min_row=2, max_row=6, values_only=True))
    opinions = Opinion.objects.filter(review=review).order_by("assignment_id")
    assert [list(r[2:5]) for r in rows] == [
        [o.scores["necessity"], o.scores["feasibility"], o.scores["soundness"]] for o in opinions
    ]
    assert workbook["points"].max_row == 1 + 10


def test_documents_are_cached_per_version(review, secretariat_user):
    first = documents.request_document(review, "xlsx")
    again = documents.request_document(review, "xlsx")
    rules.save_group_opinion(review, by=secretariat_user, text="新版本。", expected_version=1)
    newer = documents.request_document(review, "xlsx")

    assert first.pk == again.pk
    assert newer.pk != first.pk
    assert newer.version == 2


def test_api_document_answers_202_while_made_then_the_file_audited(review, api_as, commission_user):
    api = api_as(commission_user)
    with run_on_commit(execute=True):
        queued = api.get(f"/api/v1/reviews/{review.pk}/consolidation.docx")  # made once the request commits
    response = api.get(f"/api/v1/reviews/{review.pk}/consolidation.docx")

    assert (queued.status_code, queued.json()["state"], queued["Retry-After"]) == (202, "queued", "2")
    assert response.status_code == 200
    assert response["Content-Type"] == documents.CONTENT_TYPES["docx"]
    assert AuditRecord.objects.filter(action="download", actor=commission_user).count() == 1


def test_api_document_unknown_kind_is_404(review, api_as, commission_user):
    response = api_as(commission_user).get(f"/api/v1/reviews/{review.pk}/consolidation.exe")

    assert response.status_code == 404


def test_department_copy_names_no_expert_where_blind_to_it(review, api_as):
    from tests.consultations.consolidation_setup import staff_of

    staff = staff_of(review.plan.submitted_by, "planner")
    api = api_as(staff)
    with run_on_commit(execute=True):
        api.get(f"/api/v1/reviews/{review.pk}/consolidation.xlsx")
    response = api.get(f"/api/v1/reviews/{review.pk}/consolidation.xlsx")

    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    authors = [row[0] for row in workbook["scores"].iter_rows(min_row=2, max_row=6, values_only=True)]
    with translation.override(settings.LANGUAGE_CODE):  # documents are made in the committee's language
        letters = [selectors._letter(index) for index in range(5)]
    assert authors == letters
    names = {o.expert.name for o in Opinion.objects.filter(review=review).select_related("expert")}
    cells = {str(c) for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert not cells & names


def test_xlsx_keeps_a_point_starting_with_equals_as_text(secretariat_user):
    """An expert's point is never a live formula in the workbook the secretariat opens."""
    review = closed_review(secretariat_user, texts={0: '=HYPERLINK("http://example.com","点此")'})

    workbook = load_workbook(io.BytesIO(made(review, "xlsx")))

    cells = [row[3] for row in workbook["points"].iter_rows(min_row=2) if str(row[3].value).startswith("=")]
    assert [(c.value, c.data_type) for c in cells] == [('=HYPERLINK("http://example.com","点此")', "s")]


# ---------------------------------------------------------------- answers to the group opinion, independence

RESERVATION = "保留意见：资金测算依据不足。"
REFUSAL = "拒绝签署：园区布局重复。"


@pytest.fixture
def answered(secretariat_user):
    """Panel of three: a reservation, a refusal, one silent until the deadline seal; the first
    opinion amended after its author read the others'."""
    from datetime import timedelta

    from django.utils import timezone

    from consultations.consolidation import confirmations
    from tests.consultations.conftest import panel_of
    from tests.consultations.consolidation_setup import amended_review

    review = amended_review(secretariat_user)
    rules.save_group_opinion(review, by=secretariat_user, text="专家组意见：修改后同意。", expected_version=0)
    first, second, _third = [o.expert.user for o in panel_of(review)]
    confirmations.answer_group_opinion(review, by=first, kind="reservation", text=RESERVATION)
    confirmations.answer_group_opinion(review, by=second, kind="refusal", text=REFUSAL)
    then = timezone.now() - timedelta(hours=2)
    confirmations.set_confirmation_deadline(review, by=secretariat_user, confirm_by=then + timedelta(hours=1), now=then)
    confirmations.seal_group_opinion(review, by=secretariat_user)
    return review


def committee_labels():
    from consultations.consolidation.models import Confirmation

    with translation.override(settings.LANGUAGE_CODE):  # documents are made in the committee's language
        return {
            "kinds": {k.value: str(k.label) for k in Confirmation.Kind},
            "changed": gettext("{author}: changed after reading the others' opinions (readable from {at})."),
            "unchanged": gettext("{author}: not changed after reading the others' opinions."),
            "yes": gettext("yes"),
            "no": gettext("no"),
        }


def test_docx_signature_page_gives_each_answer_with_its_text(answered):
    from django.utils import timezone

    from consultations.consolidation.models import Confirmation
    from tests.consultations.conftest import panel_of

    document = Document(io.BytesIO(made(answered, "docx")))

    labels = committee_labels()["kinds"]
    rows = {row.cells[0].text: row.cells[3].text for row in document.tables[-1].rows[1:]}
    first, second, third = [o.expert.name for o in panel_of(answered)]
    assert rows[first].startswith(labels["reservation"] + " ") and rows[first].endswith(": " + RESERVATION)
    assert rows[second].startswith(labels["refusal"] + " ") and rows[second].endswith(": " + REFUSAL)
    silent = Confirmation.objects.get(consolidation__review=answered, kind="no_answer")
    assert rows[third] == f"{labels['no_answer']} {timezone.localtime(silent.at):%Y-%m-%d %H:%M}"
    assert len(rows) == 3


def independence_lines(review):
    """The line each opinion's author gets in the independence part, as the committee reads it."""
    from django.utils import timezone

    labels = committee_labels()
    lines = {}
    for opinion in Opinion.objects.filter(review=review).select_related("expert"):
        at = timezone.localtime(opinion.read_others_at).strftime("%Y-%m-%d %H:%M")
        changed = opinion.summary == AMENDED
        template = labels["changed"] if changed else labels["unchanged"]
        lines[changed, opinion.pk] = template.format(author=opinion.expert.name, at=at)
    return lines


def test_docx_body_lists_the_answers_and_the_independence_record(answered):
    document = Document(io.BytesIO(made(answered, "docx")))

    paragraphs = [p.text for p in document.paragraphs]
    text = "\n".join(paragraphs)
    assert RESERVATION in text and REFUSAL in text
    lines = independence_lines(answered)
    assert sorted(changed for changed, _pk in lines) == [False, False, True]
    assert all(paragraphs.count(line) == 1 for line in lines.values())
    assert AMENDED in text


def test_pdf_text_has_the_answers_and_the_independence_record(answered):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(made(answered, "pdf")))

    text = "".join(page.extract_text() for page in reader.pages)
    text = "".join(text.split())
    assert "".join(RESERVATION.split()) in text and REFUSAL in text
    assert "".join(committee_labels()["kinds"]["no_answer"].split()) in text
    assert all("".join(line.split()) in text for line in independence_lines(answered).values())


def test_xlsx_has_the_answers_and_the_independence_flag(answered):
    from tests.consultations.conftest import panel_of

    workbook = load_workbook(io.BytesIO(made(answered, "xlsx")))

    labels = committee_labels()
    answers = {row[0]: row[2:4] for row in workbook["answers"].iter_rows(min_row=2, values_only=True)}
    first, second, third = [o.expert.name for o in panel_of(answered)]
    assert answers == {
        first: (labels["kinds"]["reservation"], RESERVATION),
        second: (labels["kinds"]["refusal"], REFUSAL),
        third: (labels["kinds"]["no_answer"], None),
    }
    flags = [row[-1] for row in workbook["scores"].iter_rows(min_row=2, max_row=4, values_only=True)]
    changed = [row[2] for row in workbook["independence"].iter_rows(min_row=2, values_only=True)]
    opinions = Opinion.objects.filter(review=answered).order_by("assignment_id")
    expected = [labels["yes"] if o.summary == AMENDED else labels["no"] for o in opinions]
    assert (flags, changed) == (expected, expected)
    assert sorted(expected) == sorted([labels["yes"], labels["no"], labels["no"]])


def test_documents_are_made_again_when_an_answer_changes(secretariat_user):
    from consultations.consolidation import confirmations
    from tests.consultations.conftest import panel_of

    review = closed_review(secretariat_user, panel=3)
    rules.save_group_opinion(review, by=secretariat_user, text="意见。", expected_version=0)
    before = documents.content_key(review)
    confirmations.answer_group_opinion(review, by=panel_of(review)[0].expert.user, kind="refusal", text=REFUSAL)

    assert documents.content_key(review) != before
