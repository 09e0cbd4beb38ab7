"""Honoraria (专家咨询费) for the panel of a closed review, and their export for the finance office.

Default rates follow 《中央财政科研项目专家咨询费管理办法》 (财科教〔2017〕128号), as checked
against its text: experts with a senior professional title 1500-2400 yuan per person per day
(after tax), other professionals 900-1500 yuan; academicians and nationally known experts up to
50% above the senior rate; a meeting of more than two days pays from the third day at 50% of the
daily rate; a half day 60%; a consultation that cannot be counted in days (written, 通讯) is paid
per occasion at 20%-50% of the daily rate. The defaults below take the lower end of each range;
set ``HONORARIUM_RATES`` in settings to the committee's own figures.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from consultations.opinions.models import Opinion
from reviews.models import Assignment, Review

DEFAULT_RATES = {
    # yuan per person per day for a meeting (days one and two), by title level
    "meeting_day": {"senior": 1500, "deputy_senior": 1500, "intermediate": 900, "none": 900},
    "later_day_share": "0.5",  # from the third day
    # a written consultation: per occasion, a share of the daily rate (20%-50%)
    "written_share": "0.2",
}


def rates():
    configured = getattr(settings, "HONORARIUM_RATES", {}) or {}
    return {**DEFAULT_RATES, **configured}


def level_of(expert):
    """Senior titles (正高, 副高) take the senior rate; the rule distinguishes only two levels."""
    return expert.title_level or "none"


def fee(expert, *, mode, days=1):
    table = rates()
    daily = Decimal(str(table["meeting_day"].get(level_of(expert), table["meeting_day"]["none"])))
    if mode == Review.Mode.WRITTEN:
        amount = daily * Decimal(str(table["written_share"]))
    else:
        first = min(days, 2)
        later = max(days - 2, 0)
        amount = daily * first + daily * Decimal(str(table["later_day_share"])) * later
    return amount.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def honoraria(review, *, days=1):
    """One row per panel member who submitted an opinion (a closed review only)."""
    if review.state not in (Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED,
                            Review.State.ARCHIVED):  # fmt: skip
        return []
    submitted = set(
        Opinion.objects.filter(review=review, submitted_at__isnull=False).values_list("expert_id", flat=True)
    )
    panel = (
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED, expert_id__in=submitted)
        .select_related("expert__employer")
        .order_by("id")
    )
    return [
        {
            "expert": a.expert,
            "level": a.expert.get_title_level_display(),
            "mode": review.get_mode_display(),
            "days": days if review.mode == Review.Mode.MEETING else None,
            "fee": fee(a.expert, mode=review.mode, days=days),
        }
        for a in panel
    ]


def honoraria_xlsx(review, *, days=1):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "honoraria"
    sheet.append([_("Plan"), review.plan.title])
    sheet.append([_("Expert"), _("Employer"), _("Title level"), _("Mode"), _("Days"), _("Fee (yuan)")])
    rows = honoraria(review, days=days)
    for row in rows:
        expert = row["expert"]
        employer = expert.employer.name if expert.employer_id else ""
        sheet.append([expert.name, employer, str(row["level"]), str(row["mode"]), row["days"], int(row["fee"])])
    sheet.append([_("Total"), "", "", "", "", int(sum(r["fee"] for r in rows))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
