import io

from reviews import documents
from tests.system import needs


def docx_with(paragraphs):
    from docx import Document

    document = Document()
    document.add_heading("一、总体要求", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_becomes_sanitised_blocks_with_stable_anchors():
    data = docx_with(["（一）指导思想。<script>alert(1)</script>", "（二）发展目标。"])

    blocks, problem = documents.convert("plan.docx", data)

    assert problem == ""
    assert [b["section"] for b in blocks] == ["s1", "s2", "s3"]
    assert [b["kind"] for b in blocks] == ["h1", "p", "p"]
    assert "<script" not in blocks[1]["html"]
    assert "&lt;script&gt;" in blocks[1]["html"]
    assert documents.convert("plan.docx", data)[0] == blocks


@needs("libpango-1.0-0")
def test_pdf_becomes_text_by_page():
    from weasyprint import HTML

    data = HTML(string="<p>第一页内容</p><p style='page-break-before: always'>Second page text</p>").write_pdf()

    blocks, problem = documents.convert("plan.pdf", data)

    assert problem == ""
    assert [(b["section"], b["page"]) for b in blocks] == [("p1-1", 1), ("p2-1", 2)]
    assert blocks[1]["text"] == "Second page text"


def test_unreadable_document_gives_no_blocks_and_a_message():
    blocks, problem = documents.convert("plan.pdf", b"%PDF-1.4 broken")

    assert blocks == []
    assert problem
