"""Individual income tax withheld on a honorarium, as for 劳务报酬 (remuneration for services),
per payment, and the gross that leaves a given net. Pure functions over ``Decimal`` yuan.

The standard (财科教〔2017〕128号) states its amounts after tax (税后), so the committee pays the
gross whose tax leaves the standard's net: ``gross - withholding(gross) == net`` to the fen.

Withholding: income up to 4,000: taxable = income − 800 (nothing below 800); above 4,000:
taxable = income × 80%; tax = taxable × rate − quick deduction, with 20% up to 20,000 taxable,
30% − 2,000 up to 50,000, and 40% − 7,000 above.
"""

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
DEDUCTION_LIMIT = Decimal("4000")  # up to this income 800 is deducted, above it 20%
FLAT_DEDUCTION = Decimal("800")
SHARE_TAXABLE = Decimal("0.8")
# (taxable up to, rate, quick deduction)
BRACKETS = (
    (Decimal("20000"), Decimal("0.2"), Decimal("0")),
    (Decimal("50000"), Decimal("0.3"), Decimal("2000")),
    (None, Decimal("0.4"), Decimal("7000")),
)


def _fen(value):
    return value.quantize(FEN, rounding=ROUND_HALF_UP)


def taxable(gross):
    """The taxable part of one payment of ``gross`` yuan."""
    if gross <= DEDUCTION_LIMIT:
        return max(gross - FLAT_DEDUCTION, Decimal("0"))
    return gross * SHARE_TAXABLE


def bracket(taxable_income):
    """``(rate, quick deduction)`` for ``taxable_income``."""
    for ceiling, rate, quick in BRACKETS:
        if ceiling is None or taxable_income <= ceiling:
            return rate, quick
    raise AssertionError("unreachable")  # pragma: no cover


def withholding(gross):
    """The tax withheld from one payment of ``gross`` yuan, to the fen (half up)."""
    gross = Decimal(gross)
    base = taxable(gross)
    rate, quick = bracket(base)
    return max(_fen(base * rate - quick), Decimal("0.00"))


# Each bracket in terms of the gross: net = gross × slope + offset on (low, high] of the gross.
# (Derived from ``withholding``: e.g. 800 < gross <= 4,000: net = gross − (gross − 800) × 20%.)
_GROSS_PIECES = (
    (Decimal("800"), Decimal("1"), Decimal("0")),  # no tax
    (Decimal("4000"), Decimal("0.8"), Decimal("160")),
    (Decimal("25000"), Decimal("0.84"), Decimal("0")),  # taxable 80% × 20%
    (Decimal("62500"), Decimal("0.76"), Decimal("2000")),  # 80% × 30%, + 2,000
    (None, Decimal("0.68"), Decimal("7000")),  # 80% × 40%, + 7,000
)


def gross_for_net(net):
    """The smallest gross, in fen, whose withholding leaves exactly ``net`` (to the fen).

    The bracket is found from the net (each piece of ``net(gross)`` is increasing and they
    join), the exact solution taken there, then corrected by the fen for the rounding of the tax:
    ``gross - withholding(gross)`` grows by 0 or 1 fen per fen of gross, so it meets every net.
    """
    net = _fen(Decimal(net))
    if net <= 0:
        return Decimal("0.00")
    for high, slope, offset in _GROSS_PIECES:
        if high is None or net <= high * slope + offset:
            break
    gross = ((net - offset) / slope).quantize(FEN, rounding=ROUND_FLOOR) - 2 * FEN
    while gross - withholding(gross) < net:
        gross += FEN
    return gross


def split(net):
    """``{"net", "gross", "tax"}`` of a payment that must leave ``net`` after tax."""
    net = _fen(Decimal(net))
    gross = gross_for_net(net)
    return {"net": net, "gross": gross, "tax": gross - net}
