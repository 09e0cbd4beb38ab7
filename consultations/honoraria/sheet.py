"""The payment sheet (.xlsx) for the finance office: one row per payment of a review, for a
bank transfer, with the account numbers in full. Each export is audited twice: the export
itself, and the account numbers it shows (``bank.unmask``, via the payment sheet)."""

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from consultations.honoraria import rules, selectors
from experts import audit, banking
from experts.rules import require

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "payments"
MONEY = "#,##0.00"


def headers():
    return [_("Expert"), _("Bank"), _("Bank branch"), _("Account holder"), _("Account number"), _("Basis"),
            _("Gross (yuan)"), _("Tax withheld (yuan)"), _("Net (yuan)"), _("Status"), _("Paid on")]  # fmt: skip


def payment_sheet(review, *, by, request=None):
    """The sheet's bytes; ``PermissionDenied`` for anyone but the secretariat (and the refusal of
    the account numbers recorded for one without the permission to see them)."""
    require(rules.may_manage_honoraria, by)
    payments = list(selectors.payments_for(by, review))
    banking.unmask_bank_many(by, [p.expert for p in payments], request=request, via="payment sheet", obj=review)
    audit.record(audit.EXPORT, actor=by, request=request, obj=review, outcome=audit.SUCCESS,
                 export="honoraria.xlsx", count=len(payments))  # fmt: skip
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([_("Honoraria (专家咨询费)"), review.plan.title])
    sheet.append(headers())
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for payment in payments:
        bank = banking.bank_details_for(by, payment.expert, unmasked=True)
        sheet.append([
            payment.expert.name, bank["bank_name"], bank["bank_branch"], bank["account_holder"],
            bank["account_number"], payment.basis_display(), payment.gross, payment.tax, payment.net,
            str(payment.get_status_display()), payment.paid_at,
        ])  # fmt: skip
        sheet.cell(row=sheet.max_row, column=5).number_format = "@"  # an account number is text, never a number
    total = selectors.totals(payments)
    sheet.append([_("Total"), "", "", "", "", "", total["gross"], total["tax"], total["net"], "", ""])
    for row in sheet.iter_rows(min_row=3, min_col=7, max_col=9):
        for cell in row:
            cell.number_format = MONEY
    for column, width in zip("ABCDEFGHIJK", (12, 18, 22, 12, 26, 16, 14, 14, 14, 8, 12), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
