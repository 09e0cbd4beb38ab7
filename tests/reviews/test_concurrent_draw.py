import threading

import pytest
from django.db import connection

from core.errors import StateConflict
from reviews.draw import services as draw_services
from reviews.models import Draw
from tests.reviews.conftest import add_expert, schedule

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_concurrent_draws_of_one_review_exactly_one_wins(plan, secretariat_user, domain):
    for n in range(1, 10):
        add_expert(n, domain=domain)
    review = schedule(plan, secretariat_user)
    barrier = threading.Barrier(2)
    outcomes = []

    def draw(seed):
        barrier.wait()
        try:
            outcomes.append(draw_services.draw_for_review(review, by=secretariat_user, seed=seed).seed)
        except StateConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(seed,)) for seed in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcome == "conflict" for outcome in outcomes) == [False, True]
    assert Draw.objects.count() == 1
    assert review.assignments.count() == 5
