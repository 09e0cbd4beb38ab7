from collections import Counter

import pytest

from reviews.draw import services as draw_services
from reviews.draw import verify
from reviews.models import Assignment, Review
from tests.reviews.conftest import add_expert, schedule


def test_batch_draw_fills_every_panel_within_load_and_verifies(plan, secretariat_user, domain):
    for n in range(1, 16):
        add_expert(n, domain=domain)
    reviews = [schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1}) for _ in range(3)]

    draws, stats = draw_services.batch_draw_reviews(reviews, by=secretariat_user, seed="年度会议 2026")

    load = Counter(expert for draw in draws for expert in draw.selected)
    assert [len(draw.selected) for draw in draws] == [5, 5, 5]
    assert max(load.values()) == 1
    assert set(Review.objects.values_list("state", flat=True)) == {"inviting"}
    assert Assignment.objects.count() == 15
    assert verify.verify_draw(draws[1]) == (True, "Replaying the record gives the same panel and alternates.")
    assert stats["rounds"][-1]["short"] is False


def test_batch_without_a_full_assignment_draws_nothing(plan, secretariat_user, domain):
    for n in range(1, 9):
        add_expert(n, domain=domain)
    reviews = [schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1}) for _ in range(2)]

    with pytest.raises(draw_services.DrawInfeasible) as raised:
        draw_services.batch_draw_reviews(reviews, by=secretariat_user)

    assert raised.value.code == "batch_short"
    assert set(Review.objects.values_list("state", flat=True)) == {"draft"}
    assert not Assignment.objects.exists()
