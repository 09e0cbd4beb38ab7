"""Reads of honoraria: what each member is owed from what happened, and the payments each
viewer may see."""

from decimal import ROUND_HALF_UP, Decimal

from consultations.honoraria import rates, rules
from consultations.honoraria.models import Payment
from consultations.meetings.selectors import attended_days
from consultations.opinions.models import Opinion
from experts.models import Expert
from reviews.models import Assignment, Review

FEN = Decimal("0.01")


def basis(review, *, amounts=None):
    """``[{"expert", "basis", "days", "daily", "net"}]``: what each member is owed after tax by
    the committee's rates, from what happened. A meeting: each member's days attended
    (``meetings.selectors.attended_days``); a written review: each accepted member who submitted
    an opinion, one occasion. Nothing before the review closes."""
    if not rules.is_payable(review):
        return []
    amounts = amounts or rates.current()
    if review.mode == Review.Mode.MEETING:
        days = {expert_id: d for expert_id, d in attended_days(review).items() if d > 0}
        occasions = [(expert_id, Payment.Basis.MEETING, d) for expert_id, d in days.items()]
    else:
        submitted = Opinion.objects.filter(review=review, submitted_at__isnull=False).values("expert_id")
        accepted = Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED, expert_id__in=submitted)
        members = accepted.values_list("expert_id", flat=True)
        occasions = [(expert_id, Payment.Basis.WRITTEN, None) for expert_id in members]
    experts = Expert.objects.in_bulk([expert_id for expert_id, _basis, _days in occasions])
    rows = []
    for expert_id, kind, days in occasions:
        expert = experts[expert_id]
        daily = rates.daily_amount(expert, amounts)
        if kind == Payment.Basis.MEETING:
            net = rates.meeting_amount(daily, days)
        else:
            net = rates.written_amount(daily, amounts)
        rows.append({"expert": expert, "basis": kind, "days": days, "daily": _fen(daily), "net": _fen(net)})
    return sorted(rows, key=lambda row: (row["expert"].stroke_key, row["expert"].pk))


def _fen(value):
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def payments_for(user, review):
    """The payments of ``review`` that ``user`` may see: all for the secretariat, an expert's
    own (none for anyone else). The caller has asked ``rules.may_read_honoraria``."""
    payments = Payment.objects.filter(review=review).select_related("expert", "paid_by")
    if rules.sees_every_payment(user):
        return payments
    return payments.filter(expert__user=user) if user.is_authenticated else payments.none()


def payments_of(user):
    """The signed-in expert's own payments across reviews, newest review first."""
    return (
        Payment.objects.filter(expert__user=user)
        .select_related("review__plan", "expert")
        .order_by("-review__due_at", "-review_id")
    )


def totals(payments):
    """``{"net", "gross", "tax"}`` summed over ``payments``."""
    zero = Decimal("0.00")
    return {name: sum((getattr(p, name) for p in payments), zero) for name in ("net", "gross", "tax")}
