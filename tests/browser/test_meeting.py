"""The meeting day on a phone: a member scans the room's code (opens the check-in link), checks
in with one button, and, once the group opinion is drafted, votes; the chair's page shows the vote
live. A member who did not check in is told to check in instead of being offered the vote."""

import pytest

from consultations.meetings import checkin
from consultations.meetings.models import Attendance, Vote
from tests.browser.conftest import PHONE, sign_in
from tests.consultations.meeting_setup import check_in_all, meeting_review, members
from tests.consultations.test_meetings import close_with_group_opinion
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]


def test_member_checks_in_by_the_rooms_code_on_a_phone_and_votes_while_the_chair_watches(new_page, secretariat_user):
    review = meeting_review(secretariat_user)
    chair, member, absent = members(review)
    check_in_all(review, [chair])
    path = f"/portal/reviews/{review.pk}/checkin/?code={checkin.make_code(review)[0]}"
    phone = new_page(viewport=PHONE, language="en")
    sign_in(phone, member.username, PASSWORD)

    phone.goto(path)  # what scanning the room's QR code opens
    phone.click("[data-testid=checkin-button]")
    phone.wait_for_selector("[data-testid=checkin-done]")
    assert Attendance.objects.filter(review=review, expert=member.expert, how="code").count() == 1

    close_with_group_opinion(review, secretariat_user)
    watcher = new_page(viewport=PHONE, language="en")
    sign_in(watcher, chair.username, PASSWORD)
    watcher.goto(f"/portal/reviews/{review.pk}/meeting/")
    watcher.wait_for_selector("#live-status[data-state=live]", timeout=60_000)
    phone.click("[data-testid=to-meeting]")
    phone.click("[data-testid=vote-agree]")
    phone.wait_for_selector("[data-testid=my-vote]")
    watcher.wait_for_selector("[data-tally=agree]:text('1')")

    late = new_page(viewport=PHONE, language="en")
    sign_in(late, absent.username, PASSWORD)
    late.goto(f"/portal/reviews/{review.pk}/meeting/")
    late.wait_for_selector("[data-testid=vote-needs-checkin]")
    assert late.locator("[data-testid=vote-agree]").count() == 0
    assert list(Vote.objects.filter(review=review).values_list("expert_id", "vote")) == [(member.expert.pk, "agree")]
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
