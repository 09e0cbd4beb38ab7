"""Build ``consolidation.docx``, the docxtpl template of the consolidated opinion, in the layout
of GB/T 9704-2012 (党政机关公文格式): A4; margins top 37 mm, bottom 35 mm, left 28 mm, right
26 mm; title 22 pt (二号) 小标宋; body 16 pt (三号) 仿宋 with the East Asian font slot set;
headings 一、 (黑体) （一） (楷体) 1. (仿宋); page numbers "— 1 —" in the footer; a signature
page listing the panel and their confirmations.

Run it after changing the layout and commit the result:
    .venv/bin/python consultations/doc_templates/build_template.py
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

HERE = Path(__file__).resolve().parent
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋"
HEADING_FONTS = {1: "黑体", 2: "楷体", 3: "仿宋"}


def set_fonts(run_or_style, east_asia, size, bold=False, latin="Times New Roman"):
    font = run_or_style.font
    font.name = latin
    font.size = Pt(size)
    font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi"):
        fonts.set(qn(slot), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def paragraph(document, text, *, font=BODY_FONT, size=16, bold=False, align=None, indent=True):
    p = document.add_paragraph()
    p.paragraph_format.line_spacing = Pt(28.95)  # 22 lines a page
    p.paragraph_format.space_after = Pt(0)
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    run = p.add_run(text)
    set_fonts(run, font, size, bold)
    return p


def control(document, text):
    """A paragraph holding only a docxtpl ``{%p ... %}`` tag (removed when rendering)."""
    return paragraph(document, text, indent=False)


def footer_page_number(section):
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("— ", None, " —"):
        run = p.add_run()
        set_fonts(run, "宋体", 14)
        if text is not None:
            run.text = text
            continue
        for kind, value in (("begin", None), ("instr", " PAGE "), ("end", None)):
            if kind == "instr":
                node = OxmlElement("w:instrText")
                node.set(qn("xml:space"), "preserve")
                node.text = value
            else:
                node = OxmlElement("w:fldChar")
                node.set(qn("w:fldCharType"), kind)
            run._r.append(node)


def official_document():
    """A new document in the GB/T 9704 page layout (A4, margins, body font, page numbers);
    shared with documents built directly with python-docx (the year report)."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28 - 7)
    set_fonts(document.styles["Normal"], BODY_FONT, 16)
    footer_page_number(section)
    return document


def build(path=HERE / "consolidation.docx"):
    document = official_document()

    paragraph(document, "{{ title }}", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph(document, "{{ subtitle }}", align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    control(document, "{%p for part in parts %}")
    paragraph(document, "{{ part.heading }}", font=HEADING_FONTS[1], size=16)
    control(document, "{%p for item in part.lines %}")
    paragraph(document, "{{ item }}")
    control(document, "{%p endfor %}")
    control(document, "{%p for group in part.groups %}")
    paragraph(document, "{{ group.heading }}", font=HEADING_FONTS[2], size=16)
    control(document, "{%p for point in group.points %}")
    paragraph(document, "{{ point }}", font=HEADING_FONTS[3], size=16)
    control(document, "{%p endfor %}")
    control(document, "{%p endfor %}")
    control(document, "{%p endfor %}")

    # the signature page
    breaker = document.add_paragraph()
    breaker.add_run().add_break(WD_BREAK.PAGE)
    paragraph(
        document, "{{ signature_title }}", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    paragraph(document, "{{ signature_note }}")
    table = document.add_table(rows=4, cols=4)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = [
        ["{{ columns.0 }}", "{{ columns.1 }}", "{{ columns.2 }}", "{{ columns.3 }}"],
        ["{%tr for member in panel %}", "", "", ""],
        ["{{ member.name }}", "{{ member.title }}", "{{ member.role }}", "{{ member.confirmed }}"],
        ["{%tr endfor %}", "", "", ""],
    ]
    for row, texts in zip(table.rows, cells, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            run = cell.paragraphs[0].add_run(text)
            set_fonts(run, BODY_FONT, 14)
    paragraph(document, "{{ seal_line }}", size=14, indent=False)
    document.save(path)
    return path


if __name__ == "__main__":
    print(build())
