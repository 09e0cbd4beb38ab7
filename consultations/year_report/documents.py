"""The year report as the secretariat files it: bar charts of outcomes (server-rendered SVG for
pages, the same drawing as PNG for the .docx), the .docx in the official layout of the
consolidation (GB/T 9704, through ``doc_templates/build_template.py``) and the .xlsx.
Built on request: a year's figures are a few small tables."""

import io
import unicodedata
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.doc_templates.official import CONTENT_TYPES, chinese_number
from consultations.year_report.selectors import OUTCOMES, outcome_labels, percent

__all__ = ["CONTENT_TYPES", "chart", "chart_png", "chart_svg", "docx_bytes", "xlsx_bytes"]

# Colours told apart by colour-blind readers too (Okabe-Ito), each with its label in the legend.
COLOURS = {"adopted": "#009E73", "partly_adopted": "#E69F00", "not_adopted": "#D55E00", "unanswered": "#999999"}
BAR_WIDTH = 360


def text_width(text, size):
    """Roughly how wide ``text`` is at font ``size``: CJK characters a full em, others 0.6."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in str(text))


def _shorten(text, size, room):
    text = str(text)
    while text and text_width(text, size) > room:
        text = text[:-2] + "…" if len(text) > 1 else ""
    return text


def _summary(row, labels):
    counts = ", ".join(f"{labels[o]} {row[o]}" for o in OUTCOMES)
    return _("{label}: {counts}; adoption rate {rate}").format(
        label=row["label"], counts=counts, rate=percent(row["adoption_rate"])
    )


def chart(rows, *, title, ident, large=False):
    """The geometry of a horizontal stacked bar chart: per row its label on a line of its own
    (long names stay readable on a phone) and a bar below, split by outcome and scaled to the
    largest row; a legend above. Bigger type and bars for large text."""
    labels = outcome_labels()
    size = 20 if large else 14
    width = BAR_WIDTH + size * 4
    legend, top = _legend(labels, size, width)
    pitch = int(size * 1.4) + int(size * 1.3) + int(size * 0.8)
    most = max([r["points"] for r in rows] + [1])
    bars = [
        _bar(row, labels, size=size, width=width, y=top + index * pitch, most=most) for index, row in enumerate(rows)
    ]
    return {
        "id": ident,
        "title": title,
        "desc": _(
            "Points per row split by outcome: adopted, partly adopted, not adopted, not answered yet. "
            "The table beside the chart gives every figure."
        ),
        "size": size,
        "width": width,
        "height": top + len(rows) * pitch,
        "legend": legend,
        "bars": bars,
    }


def _legend(labels, size, width):
    """The legend's items and the height it takes: two columns, or one when a label would not
    fit in half the width."""
    legend_row = int(size * 1.8)
    columns = 2 if all(text_width(labels[o], size) <= width // 2 - size - 10 for o in OUTCOMES) else 1
    items = []
    for index, outcome in enumerate(OUTCOMES):
        x = (width // columns) * (index % columns)
        y = (index // columns) * legend_row + 2
        items.append(
            {
                "x": x,
                "y": y,
                "text_x": x + size + 6,
                "text_y": y + size - 2,
                "fill": COLOURS[outcome],
                "label": _shorten(labels[outcome], size, width - size - 10),
            }
        )
    return items, (len(OUTCOMES) // columns) * legend_row + 4


def _bar(row, labels, *, size, width, y, most):
    """One row's label (at ``y``) and its bar below, one segment per outcome that has points."""
    bar_y = y + int(size * 1.4)
    bar_height = int(size * 1.3)
    x = 0
    segments = []
    for outcome in OUTCOMES:
        length = round(BAR_WIDTH * row[outcome] / most, 1)
        if length:
            segments.append(
                {
                    "x": x,
                    "width": length,
                    "fill": COLOURS[outcome],
                    "outcome": outcome,
                    "label": labels[outcome],
                    "count": row[outcome],
                }
            )
        x += length
    return {
        "label": _shorten(row["label"], size, width),
        "summary": _summary(row, labels),
        "label_y": y + size,
        "y": bar_y,
        "bar_height": bar_height,
        "text_y": bar_y + bar_height * 0.8,
        "segments": segments,
        "points": row["points"],
        "total_x": x + 6,
    }


def chart_svg(geometry):
    """The chart as inline SVG: presentation attributes only (the CSP forbids inline styles)."""
    return render_to_string("consultations/year_report/chart.svg", {"c": geometry})


# ---------------------------------------------------------------- PNG (for the .docx)

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # index 2: Simplified Chinese
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
)


def _font(size):
    from PIL import ImageFont

    for path, index in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size, index=index)
    return ImageFont.load_default(size)  # no CJK font on the machine: Chinese shows as boxes


def chart_png(geometry, *, scale=2):
    """The same drawing as ``chart_svg``, as PNG bytes (python-docx embeds PNG, not SVG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (geometry["width"] * scale, geometry["height"] * scale), "white")
    draw = ImageDraw.Draw(image)
    font = _font(geometry["size"] * scale)

    def box(x, y, w, h, fill):
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + h) * scale - 1], fill=fill)

    def text(x, y, value):  # y: the baseline, as in SVG
        draw.text((x * scale, y * scale), str(value), fill="black", font=font, anchor="ls")

    size = geometry["size"]
    for item in geometry["legend"]:
        box(item["x"], item["y"], size, size, item["fill"])
        text(item["text_x"], item["text_y"], item["label"])
    for bar in geometry["bars"]:
        text(0, bar["label_y"], bar["label"])
        for segment in bar["segments"]:
            box(segment["x"], bar["y"], segment["width"], bar["bar_height"], segment["fill"])
        text(bar["total_x"], bar["text_y"], bar["points"])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# ---------------------------------------------------------------- tables shared by the documents


def columns(first):
    labels = outcome_labels()
    return [first, _("Points"), *[labels[o] for o in OUTCOMES], _("Adoption rate")]


def table_rows(rows):
    return [[r["label"], r["points"], *[r[o] for o in OUTCOMES], percent(r["adoption_rate"])] for r in rows]


def title_of(report):
    return _("The committee's advice in {year} and what became of it").format(year=report["year"])


def overview_lines(report):
    total = report["total"]
    kinds = {k["key"]: k for k in report["kinds"]}
    labels = outcome_labels()
    return [
        _(
            "In {year} the committee gave {points} point(s) of advice: {reviews} in {n_reviews} plan evaluation(s), "
            "{consultations} in answers to {n_consultations} consultation(s), {proposals} in {n_proposals} proposal(s)."
        ).format(
            year=report["year"],
            points=total["points"],
            reviews=kinds["review"]["points"],
            n_reviews=kinds["review"]["subjects"],
            consultations=kinds["consultation"]["points"],
            n_consultations=kinds["consultation"]["subjects"],
            proposals=kinds["proposal"]["points"],
            n_proposals=kinds["proposal"]["subjects"],
        ),
        "; ".join(f"{labels[o]} {total[o]}" for o in OUTCOMES) + ".",
        _("Adoption rate: {rate}.").format(rate=percent(total["adoption_rate"])),
    ]


def method_lines():
    return [
        _(
            "A point counts in the year (Beijing time) its opinion or answer was sealed or its proposal submitted; "
            "removed points do not count."
        ),
        _(
            "Adoption rate = (adopted + partly adopted) ÷ (adopted + partly adopted + not adopted); "
            "points not answered yet are left out of it."
        ),
        _(
            "A point counts under every top-level domain of its plan, consultation or proposal, so the domain rows "
            "add up to more than the total."
        ),
        _("A point counts under the department it was routed to, else the department that submitted the plan."),
        _("Merged and returned proposals are listed apart and not counted above."),
        _(
            "Answers overdue: the consolidated opinions whose answers to the points were due in the year and, "
            "today, are past due with points still unanswered."
        ),
    ]


def set_aside_lines(report):
    return [
        _("{state}: {proposals} proposal(s), {points} point(s).").format(
            state=row["label"], proposals=row["proposals"], points=row["points"]
        )
        for row in report["set_aside"]
    ]


def overdue_columns():
    return [_("Plan"), _("Department"), _("Due on"), _("Days overdue"), _("Unanswered"), _("Points")]


def overdue_rows(report):
    """The answers overdue (``full_report``'s ``overdue``) as table rows; none for a bare report."""
    return [
        [r["plan"], r["department"] or "—", r["due_on"].isoformat(), r["days_overdue"], r["unanswered"], r["total"]]
        for r in report.get("overdue", [])
    ]


def overdue_table(report):
    rows = overdue_rows(report)
    return (overdue_columns(), rows) if rows else None


def overdue_lines(report):
    if report.get("overdue"):
        return []
    return [_("No answers are overdue.")]


def charts(report, *, large=False):
    return {
        "domains": chart(report["domains"], title=_("Outcomes by domain"), ident="chart-domains", large=large),
        "departments": chart(
            report["departments"], title=_("Outcomes by department"), ident="chart-departments", large=large
        ),
    }


# ---------------------------------------------------------------- .docx


def _table(document, header, rows):
    from docx.enum.table import WD_TABLE_ALIGNMENT

    from consultations.doc_templates.build_template import BODY_FONT, set_fonts

    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        set_fonts(cell.paragraphs[0].add_run(str(text)), "黑体", 12)
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row, strict=True):
            set_fonts(cell.paragraphs[0].add_run(str(value)), BODY_FONT, 12)
    return table


def docx_bytes(report):
    """The report in the consolidation's official layout: title, date, parts headed 一、二、…,
    each with its table; the charts as pictures under their tables."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm

    from consultations.doc_templates.build_template import HEADING_FONTS, TITLE_FONT, official_document, paragraph

    document = official_document()
    paragraph(document, title_of(report), font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    paragraph(document, timezone.localtime().strftime("%Y-%m-%d"), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    pictures = charts(report)
    parts = [
        (_("Overview"), overview_lines(report), None, None),
        (_("By kind of advice"), [], (columns(_("Kind")), table_rows(report["kinds"] + [_total(report)])), None),
        (_("By domain"), [], (columns(_("Domain")), table_rows(report["domains"])), pictures["domains"]),
        (
            _("By department"),
            [],
            (columns(_("Department")), table_rows(report["departments"])),
            pictures["departments"],
        ),
        (_("Proposals set aside"), set_aside_lines(report), None, None),
        (_("Answers overdue"), overdue_lines(report), overdue_table(report), None),
        (_("How the figures are counted"), method_lines(), None, None),
    ]
    for index, (heading, lines, table, picture) in enumerate(parts, start=1):
        paragraph(document, f"{chinese_number(index)}、{heading}", font=HEADING_FONTS[1])
        for line in lines:
            paragraph(document, line)
        if table:
            _table(document, *table)
        if picture and picture["bars"]:
            document.add_picture(io.BytesIO(chart_png(picture)), width=Mm(150))
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _total(report):
    return {**report["total"], "label": _("Total")}


# ---------------------------------------------------------------- .xlsx


def xlsx_bytes(report):
    """One sheet per table (kinds with the total, domains, departments, proposals set aside, and
    the answers overdue when there are any); adoption rates as numbers formatted as percentages."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheets = [
        ("kinds", _("Kind"), report["kinds"] + [_total(report)]),
        ("domains", _("Domain"), report["domains"]),
        ("departments", _("Department"), report["departments"]),
    ]
    for index, (name, first, rows) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = name
        sheet.append(columns(first))
        for row in rows:
            sheet.append([row["label"], row["points"], *[row[o] for o in OUTCOMES], row["adoption_rate"]])
            sheet.cell(row=sheet.max_row, column=len(OUTCOMES) + 3).number_format = "0.0%"
    aside = workbook.create_sheet("set_aside")
    aside.append([_("State"), _("Proposals"), _("Points")])
    for row in report["set_aside"]:
        aside.append([row["label"], row["proposals"], row["points"]])
    if overdue_rows(report):  # a sheet of the answers overdue when there are any
        overdue = workbook.create_sheet("overdue")
        overdue.append(overdue_columns())
        for row in overdue_rows(report):
            overdue.append(row)
    for sheet in workbook.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BUILDERS = {"docx": docx_bytes, "xlsx": xlsx_bytes}


def filename(report, kind):
    return f"year-report-{report['year']}.{kind}"
