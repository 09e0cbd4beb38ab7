"""The year report in the portal shell: its navigation link, for whoever may read it."""

from django.urls import reverse
from django.utils.translation import gettext as _

from consultations.year_report.rules import may_read_year_report
from core.portal import nav_item


@nav_item
def _nav(user):
    if not may_read_year_report(user):
        return []
    return [{"title": _("Year report"), "url": reverse("consultations:year-report")}]
