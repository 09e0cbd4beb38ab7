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


def test_the_first_expert_has_an_invitation_to_answer_and_an_opinion_to_write(db, settings, tmp_path, client):
    """expert01, the account a newcomer tries first, shows the core journey: a pending invitation
    in the inviting review and an empty draft in the open one, both on their pages."""
    from django.urls import reverse

    from consultations.opinions import demo as opinions_demo
    from consultations.opinions import rules as opinion_rules
    from consultations.opinions.models import Opinion
    from experts.demo_data import FIRST_EXPERT
    from reviews import demo as reviews_demo
    from reviews import rules as review_rules
    from reviews.models import Assignment

    settings.MEDIA_ROOT = tmp_path
    demo.load(PASSWORD)
    reviews_demo.load(PASSWORD)
    opinions_demo.load(PASSWORD)

    invited = Assignment.objects.select_related("review__plan", "expert__user").get(
        expert__user__username=FIRST_EXPERT, state="invited"
    )
    user = invited.expert.user
    opinion = Opinion.objects.select_related("review__plan").get(expert__user=user, review__state="open")
    assert invited.review.state == "inviting" and review_rules.is_invitee(user, invited)
    assert (opinion.version, opinion.submitted_at, opinion.summary, opinion.scores) == (0, None, "", {})
    assert opinion_rules.can_write_opinion(user, opinion)
    assert opinion.review.chair.user != user  # the chair's part is someone else's

    client.force_login(user)
    invitations = client.get(reverse("reviews:invitations")).content.decode()
    write = client.get(reverse("consultations:write", args=[opinion.review_id]))
    assert invited.review.plan.title in invitations
    assert write.status_code == 200 and opinion.review.plan.title in write.content.decode()


def test_the_open_meeting_has_an_agenda_the_chair_can_move_along(db, settings, tmp_path, client):
    """The demo's open meeting review has an agenda (an opening, the plan's first headings, the
    vote), so the meeting page shows the meeting day; loading twice adds nothing."""
    from consultations.meetings import demo as meetings_demo
    from consultations.meetings.models import AgendaItem
    from consultations.opinions import demo as opinions_demo
    from reviews import demo as reviews_demo
    from reviews.models import Review

    settings.MEDIA_ROOT = tmp_path
    demo.load(PASSWORD)
    reviews_demo.load(PASSWORD)
    opinions_demo.load(PASSWORD)
    meetings_demo.load(PASSWORD)
    meetings_demo.load(PASSWORD)

    review = Review.objects.select_related("chair__user").get(mode="meeting", state="open")
    items = list(AgendaItem.objects.filter(review=review).order_by("position").values_list("title", "section"))
    assert items[0] == (meetings_demo.OPENING, "") and items[-1] == (meetings_demo.CLOSING, "")
    assert len(items) == len(meetings_demo._headings(review)) + 2
    client.force_login(review.chair.user)
    page = client.get(f"/portal/reviews/{review.pk}/meeting/")
    assert page.status_code == 200 and meetings_demo.CLOSING in page.content.decode()
