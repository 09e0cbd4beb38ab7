"""Writes of honoraria: the rates, a review's payments computed from what happened, and marking
them paid. Each checks its actor (``by=None`` is the system: a command, the demo)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.honoraria import rates, rules, selectors, tax
from consultations.honoraria.models import Payment, Rate
from core.errors import StateConflict
from experts.rules import require
from reviews.models import Review

COMPUTED_FIELDS = ("basis", "days", "daily", "net", "gross", "tax")


def _save(instance, *, by, reason):
    instance._history_user = by
    instance._change_reason = reason
    instance.save()
    return instance


@transaction.atomic
def set_rates(*, by, values):
    """Set the committee's amounts: ``values`` maps rate keys to amounts, each within the
    standard's range or the whole change is refused (``ValidationError`` naming each key, with
    its range). Each changed rate keeps its history. Returns the amounts now in force."""
    require(rules.may_manage_honoraria, by)
    cleaned, errors = {}, {}
    for key, value in values.items():
        try:
            cleaned[key] = rates.clean_rate(key, value)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    for key, amount in cleaned.items():
        rate = Rate.objects.select_for_update().filter(key=key).first() or Rate(key=key)
        if rate.pk is None or rate.value != amount:
            rate.value = amount
            _save(rate, by=by, reason=_("Rate set by the secretariat"))
    return rates.current()


@transaction.atomic
def refresh_payments(review, *, by):
    """Compute ``review``'s payments from what happened (``selectors.basis``) with the rates in
    force: a payment per member owed, to pay, its gross solved so that the tax leaves the net
    (``tax.split``). Paid payments are frozen; a payment to pay that is no longer owed (an
    attendance removed) goes. Refused (409) before the review closes."""
    require(rules.may_manage_honoraria, by)
    if not rules.is_payable(review):
        raise StateConflict(_("Honoraria are computed once the review is closed."))
    # the review's row, held until the commit: a second "compute" at once waits, then finds the rows
    list(Review.objects.select_for_update().filter(pk=review.pk).values_list("pk", flat=True))
    existing = {p.expert_id: p for p in Payment.objects.select_for_update().filter(review=review)}
    owed = {row["expert"].pk: row for row in selectors.basis(review)}
    now = timezone.now()
    for expert_id, row in owed.items():
        payment = existing.get(expert_id) or Payment(review=review, expert_id=expert_id)
        if payment.status == Payment.Status.PAID:
            continue
        fields = {"basis": row["basis"], "days": row["days"], "daily": row["daily"], **tax.split(row["net"])}
        if payment.pk and all(getattr(payment, name) == fields[name] for name in COMPUTED_FIELDS):
            continue
        for name, value in fields.items():
            setattr(payment, name, value)
        payment.computed_at = now
        _save(payment, by=by, reason=_("Computed from attendance and opinions"))
    for expert_id, payment in existing.items():
        if expert_id not in owed and payment.status == Payment.Status.TO_PAY:
            payment._history_user = by
            payment._change_reason = _("No longer owed")
            payment.delete()
    return list(Payment.objects.filter(review=review).select_related("expert"))


def clean_paid_on(paid_on):
    """A payment date: a date, not in the future."""
    if not isinstance(paid_on, date):
        raise ValidationError({"paid_at": _("Enter the date of the payment.")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_at": _("The date of the payment cannot be in the future.")})
    return paid_on


def _mark(payment, *, by, paid_on):
    payment.status = Payment.Status.PAID
    payment.paid_at = paid_on
    payment.paid_by = by
    return _save(payment, by=by, reason=_("Marked paid"))


@transaction.atomic
def mark_paid(payment, *, by, paid_on):
    """Mark one payment paid on ``paid_on``; from then on it is frozen. Paying it twice is 409."""
    require(rules.may_manage_honoraria, by)
    clean_paid_on(paid_on)
    payment = Payment.objects.select_for_update().get(pk=payment.pk)
    if payment.status == Payment.Status.PAID:
        raise StateConflict(_("This payment was already marked paid."))
    return _mark(payment, by=by, paid_on=paid_on)


@transaction.atomic
def mark_review_paid(review, *, by, paid_on):
    """Mark every payment of ``review`` still to pay paid on ``paid_on``; returns them."""
    require(rules.may_manage_honoraria, by)
    clean_paid_on(paid_on)
    to_pay = Payment.objects.select_for_update().filter(review=review, status=Payment.Status.TO_PAY).order_by("id")
    return [_mark(payment, by=by, paid_on=paid_on) for payment in to_pay]
