"""The roster's demo data: terms, conflicts, unavailable periods and varied statuses."""

from collections import Counter

from experts import demo
from experts.models import Conflict, Expert, Unavailability
from tests.factories import PASSWORD


def test_demo_roster_has_terms_statuses_conflicts_and_periods(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    demo.load(PASSWORD)
    first = (Expert.objects.count(), Expert.history.count(), Conflict.objects.count(), Unavailability.objects.count())
    demo.load(PASSWORD)  # idempotent

    statuses = Counter(Expert.objects.values_list("status", flat=True))
    assert statuses == {"active": 36, "suspended": 1, "candidate": 1, "expired": 1, "dismissed": 1}
    assert Expert.objects.filter(term_end__isnull=True).count() == 0
    assert (Conflict.objects.count() > 0, Unavailability.objects.count() > 0) == (True, True)
    assert first == (
        Expert.objects.count(),
        Expert.history.count(),
        Conflict.objects.count(),
        Unavailability.objects.count(),
    )
