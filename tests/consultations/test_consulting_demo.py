"""The demo consultations: the robot plan's follow-up open to the robot experts with answers, the
land-use one closed; a second load adds nothing."""

import pytest

from consultations.inquiries import demo as consultation_demo
from consultations.inquiries import selectors as consulting
from consultations.inquiries.models import Consultation
from consultations.opinions.models import Opinion
from experts import demo as experts_demo
from tests.factories import PASSWORD


@pytest.mark.django_db
def test_demo_consultations_load_idempotently_with_answers(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    experts_demo.load(PASSWORD)

    consultation_demo.load(PASSWORD)
    consultation_demo.load(PASSWORD)

    robots = Consultation.objects.get(title=consultation_demo.ROBOTS["title"])
    land = Consultation.objects.get(title=consultation_demo.LAND["title"])
    expected = sorted(consulting.addressed_experts(robots).values_list("pk", flat=True))
    sealed = Opinion.objects.filter(submitted_at__isnull=False)
    assert (Consultation.objects.count(), robots.state, land.state) == (2, "open", "closed")
    assert sorted(robots.recipients.values_list("pk", flat=True)) == expected
    assert (sealed.filter(consultation=robots).count(), sealed.filter(consultation=land).count()) == (2, 2)
