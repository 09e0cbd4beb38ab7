"""Writing workbooks: the empty template (with an example row and notes) and the export."""

import io

from openpyxl import Workbook

from experts.privacy import contact_for
from experts.workbook.columns import COLUMNS


def _new_sheet():
    book = Workbook()
    sheet = book.active
    sheet.title = "专家名册"
    sheet.append([header for _field, header in COLUMNS])
    sheet.freeze_panes = "A2"
    for index, (_field, header) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(header) * 3)
    return book, sheet


def _save(book):
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


EXAMPLE_ROW = [
    "EXP-0001",
    "张三",
    "specialist",
    "教授级高级工程师",
    "senior",
    "总工程师",
    "沈阳自动化研究院",
    "2.1",
    "1.5",
    "工业机器人,机器视觉",
    "13812345678",
    "zhangsan@example.cn",
    "2026-01-01",
    "2028-12-31",
    "沈发改聘〔2026〕1号",
    "active",
    "",
    "",
]
NOTES = [
    ["列", "说明"],
    ["编号", "必填。每位专家唯一且不变；再次导入时按编号更新。"],
    ["类别", "entrepreneur / specialist / scholar（或中文名称）"],
    ["职称级别", "senior / deputy_senior / intermediate / none"],
    ["主要领域代码、其他领域代码", "领域代码，如 2.1；多个用逗号分隔"],
    ["状态", "candidate / active / suspended / expired / dismissed"],
    ["日期", "YYYY-MM-DD"],
    ["账号", "可选：为专家新建登录账号的用户名"],
]


def template_bytes():
    """An empty workbook with the headers and one example row to overwrite."""
    book, sheet = _new_sheet()
    sheet.append(EXAMPLE_ROW)
    notes = book.create_sheet("说明")
    for row in NOTES:
        notes.append(row)
    return _save(book)


def _export_row(expert, contact):
    primary = expert.primary_domain.code if expert.primary_domain_id else ""
    others = [d.code for d in expert.domains.all() if d.code != primary]
    return [
        expert.key,
        expert.name,
        expert.category,
        expert.title,
        expert.title_level,
        expert.position,
        expert.employer.name if expert.employer_id else "",
        primary,
        ",".join(others),
        expert.specialties,
        contact["mobile"],
        contact["email"],
        expert.term_start.isoformat() if expert.term_start else "",
        expert.term_end.isoformat() if expert.term_end else "",
        expert.appointment_letter,
        expert.status,
        expert.user.username if expert.user_id else "",
        expert.biography,
    ]


def export_bytes(experts, *, viewer, unmasked=False):
    """The given experts as a workbook, contact details as ``viewer`` may see them (in full only
    when ``unmasked``: the caller recorded it with ``privacy.unmask_many``)."""
    book, sheet = _new_sheet()
    for expert in experts:
        sheet.append(_export_row(expert, contact_for(viewer, expert, unmasked=unmasked)))
    return _save(book)
