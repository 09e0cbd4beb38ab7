"""The standard's ranges (财科教〔2017〕128号) and the amounts a review's honoraria are computed with.

Per person per day (after tax): 1,500–2,400 yuan for senior professional titles (高级职称: 正高
and 副高 both; the roster's ``senior`` and ``deputy_senior``), 900–1,500 for others;
academicians and nationally known experts up to 50% above the senior amount (the roster's
``eminent`` flag). A half day at 60% of the day; from the third day on 50%; a written
consultation that cannot be counted in days (通讯) per occasion at 20%–50% of the day. The
secretariat sets each amount within its range; until it does, the lower end applies.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from consultations.honoraria.models import Rate

RANGES = {
    Rate.Key.SENIOR_DAY: (Decimal("1500"), Decimal("2400")),
    Rate.Key.OTHER_DAY: (Decimal("900"), Decimal("1500")),
    Rate.Key.EMINENT_UPLIFT: (Decimal("0"), Decimal("50")),
    Rate.Key.WRITTEN_SHARE: (Decimal("20"), Decimal("50")),
}
PERCENT_KEYS = (Rate.Key.EMINENT_UPLIFT, Rate.Key.WRITTEN_SHARE)
HALF_DAY_SHARE = Decimal("0.6")  # a half day: 60% of the day
LATER_DAY_SHARE = Decimal("0.5")  # the third day and after: 50%
FULL_RATE_DAYS = 2
SENIOR_LEVELS = ("senior", "deputy_senior")  # 正高 and 副高: both 高级专业技术职称


def current():
    """``{key: Decimal}``: the amounts set, the lower end of the range for any not set."""
    amounts = {key: low for key, (low, _high) in RANGES.items()}
    amounts.update(Rate.objects.values_list("key", "value"))
    return amounts


def range_message(key):
    """The range of ``key`` in words, in the user's language."""
    low, high = RANGES[key]
    if key in PERCENT_KEYS:
        return _("Between %(low)s%% and %(high)s%% (财科教〔2017〕128号).") % {
            "low": number_format(low), "high": number_format(high)}  # fmt: skip
    return _("Between %(low)s and %(high)s yuan a day (财科教〔2017〕128号).") % {
        "low": number_format(low, force_grouping=True), "high": number_format(high, force_grouping=True)}  # fmt: skip


def clean_rate(key, value):
    """``value`` as a ``Decimal`` to the fen if within the range of ``key``; ``ValidationError``
    on the key's name with the range otherwise."""
    if key not in RANGES:
        raise ValidationError({"key": _("Unknown rate.")})
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except ArithmeticError:
        raise ValidationError({key: range_message(key)}) from None
    low, high = RANGES[key]
    if not amount.is_finite() or not low <= amount <= high:
        raise ValidationError({key: range_message(key)})
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def daily_amount(expert, amounts):
    """The day's amount (net) for ``expert``: by title level, above it for the eminent."""
    if expert.eminent:
        return amounts[Rate.Key.SENIOR_DAY] * (1 + amounts[Rate.Key.EMINENT_UPLIFT] / 100)
    if expert.title_level in SENIOR_LEVELS:
        return amounts[Rate.Key.SENIOR_DAY]
    return amounts[Rate.Key.OTHER_DAY]


def meeting_amount(daily, days):
    """A meeting of ``days`` (in half days): the first two days at the full day, from the third
    day on at 50%; a half day at 60% of the day it falls in (so 2.5 days is 2 + 0.5 × 60%)."""
    days = Decimal(days)
    first = min(days, FULL_RATE_DAYS)
    later = days - first
    return _days_at(daily, first) + _days_at(daily * LATER_DAY_SHARE, later)


def _days_at(daily, days):
    whole = int(days)
    half = days - whole
    return daily * whole + (daily * HALF_DAY_SHARE if half else Decimal("0"))


def written_amount(daily, amounts):
    """One written consultation: its share of the day."""
    return daily * amounts[Rate.Key.WRITTEN_SHARE] / 100
