"""Bank details on the roster, where honoraria are paid: what a valid entry is, and who sees the
account number in full.

The account number follows the rule of contact details (``experts/privacy.py``): masked
(``6222 **** 0123``) on every path, for everyone, except the expert on their own record and a
holder of ``experts.view_contact`` (the secretariat) who asks on purpose: "show bank details" on
the admin's expert page, or the payment sheet for the finance office. Each such request writes a
``bank.unmask`` audit record; a request without the permission is refused and recorded as denied.
The bank, the branch and the account holder are shown as they are.
"""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core.masking import mask_account
from experts import audit
from experts.privacy import may_unmask
from experts.rules import is_own

FIELDS = ("bank_name", "bank_branch", "account_holder", "account_number")
ACCOUNT_DIGITS = (12, 30)  # Chinese bank card and account numbers: 12 to 30 digits


def clean_bank_details(expert):
    """Normalise ``expert``'s bank fields (spaces and dashes dropped from the account number,
    the rest stripped) and raise ``ValidationError`` naming each field that is wrong."""
    for name in ("bank_name", "bank_branch", "account_holder"):
        setattr(expert, name, (getattr(expert, name) or "").strip())
    expert.account_number = re.sub(r"[\s-]", "", expert.account_number or "")
    errors = {}
    low, high = ACCOUNT_DIGITS
    if expert.account_number and not (expert.account_number.isascii() and expert.account_number.isdigit()):
        errors["account_number"] = _("The account number is digits only.")
    elif expert.account_number and not low <= len(expert.account_number) <= high:
        errors["account_number"] = _("The account number has %(low)s to %(high)s digits.") % {"low": low, "high": high}
    if expert.account_number and not expert.account_holder:
        errors["account_holder"] = _("Name the account holder of the account number.")
    if expert.account_number and not expert.bank_name:
        errors["bank_name"] = _("Name the bank of the account number.")
    if not expert.account_number and (expert.account_holder or expert.bank_branch):
        errors["account_number"] = _("Enter the account number, or leave the bank details empty.")
    if errors:
        raise ValidationError(errors)
    return expert


def bank_details_for(viewer, expert, *, unmasked=False):
    """``{"bank_name", "bank_branch", "account_holder", "account_number"}`` as ``viewer`` may
    see them: the account number masked unless it is ``viewer``'s own record or ``unmasked``
    (a request ``unmask_bank`` / ``unmask_bank_many`` recorded) by a holder of the permission."""
    details = {name: getattr(expert, name) for name in FIELDS}
    if not (is_own(viewer, expert) or (unmasked and may_unmask(viewer))):
        details["account_number"] = mask_account(expert.account_number)
    return details


def unmask_bank(viewer, expert, *, request=None, via):
    """``viewer`` asks to see ``expert``'s account number: recorded (``bank.unmask``), then the
    details in full; without the permission the refusal is recorded and ``PermissionDenied``."""
    if is_own(viewer, expert):
        return bank_details_for(viewer, expert)
    outcome = audit.SUCCESS if may_unmask(viewer) else audit.DENIED
    audit.record(audit.BANK_UNMASK, actor=viewer, request=request, obj=expert, outcome=outcome, via=via)
    if outcome == audit.DENIED:
        raise PermissionDenied
    return bank_details_for(viewer, expert, unmasked=True)


def unmask_bank_many(viewer, experts, *, request=None, via, obj=None):
    """``viewer`` asks for the account numbers of ``experts`` (a list), e.g. in a payment sheet:
    one ``bank.unmask`` record naming how many and which; ``PermissionDenied`` (the refusal
    recorded) without the permission."""
    experts = list(experts)
    outcome = audit.SUCCESS if may_unmask(viewer) else audit.DENIED
    audit.record(audit.BANK_UNMASK, actor=viewer, request=request, obj=obj, outcome=outcome, via=via,
                 count=len(experts), experts=[expert.pk for expert in experts][:1000])  # fmt: skip
    if outcome == audit.DENIED:
        raise PermissionDenied
    return True
