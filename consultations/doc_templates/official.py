"""The committee's official documents, shared by everything it files (the consolidated opinion,
a consultation's answers, the year report): the .docx layout of GB/T 9704 (the docxtpl template
``consolidation.docx`` beside this module, built by ``build_template.py``), its numbering
(一、二、 …), the content types of the files and the spreadsheet row that keeps text as text."""

import io
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "consolidation.docx"
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
NUMERALS = "一二三四五六七八九十"


def chinese_number(n):
    if n <= 10:
        return NUMERALS[n - 1]
    if n < 20:
        return "十" + NUMERALS[n - 11]
    tens, units = divmod(n, 10)
    return NUMERALS[tens - 1] + "十" + (NUMERALS[units - 1] if units else "")


def number_parts(parts):
    """Number the parts 一、二、 … as the official layout does (in place) and return them."""
    for index, part in enumerate(parts, start=1):
        part["heading"] = f"{chinese_number(index)}、{part['heading']}"
        part.setdefault("groups", [])
    return parts


def render_official_docx(context):
    """The committee's official .docx layout (GB/T 9704, ``doc_templates/consolidation.docx``):
    ``title``, ``subtitle``, ``parts`` (``heading``, ``lines``, ``groups`` of ``heading`` and
    ``points``), then a table of four ``columns`` over ``panel`` rows (``name``, ``title``,
    ``role``, ``confirmed``) under ``signature_title``/``signature_note``, and a ``seal_line``.
    Used by the consolidation and by the consultations' answers."""
    from docxtpl import DocxTemplate

    template = DocxTemplate(str(TEMPLATE))
    template.render(context, autoescape=True)
    buffer = io.BytesIO()
    template.save(buffer)
    return buffer.getvalue()


def append_text_row(sheet, values):
    """``sheet.append(values)``, with every string kept as text: openpyxl stores a string that
    starts with "=" as a formula, and an expert's point "=HYPERLINK(...)" would run in the
    workbook of whoever opens the export."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"
