"""The roster as an .xlsx workbook: the template, the export, and the import.

An import is read and checked in full first (a dry run that changes nothing): each row becomes
a planned creation, update or "unchanged", or a list of errors ("第 N 行: ..." with the
spreadsheet's own row number). Nothing is written while any row has errors, unless the
secretariat skips those rows on purpose. Rows are matched to experts by the stable ``key``, so
importing the same workbook again changes nothing.

``columns`` is the sheet's layout, ``sheet`` writes (template and export), ``checking`` reads
and checks (the dry run), ``applying`` writes a checked plan through the services.
"""

from experts.workbook.applying import ImportRefused, apply_plan
from experts.workbook.checking import Plan, Row, check_workbook, read_rows
from experts.workbook.sheet import export_bytes, template_bytes

__all__ = [
    "ImportRefused",
    "Plan",
    "Row",
    "apply_plan",
    "check_workbook",
    "export_bytes",
    "read_rows",
    "template_bytes",
]
