"""Demo meeting (issue 15): the open meeting review gets an agenda of the plan's first headings, a
one-day meeting, so that the secretariat's meeting page, the room's code and the chair's "now
discussing" have something to move along. Idempotent: a review with an agenda is left alone."""

import re

from django.contrib.auth import get_user_model
from django.utils.html import strip_tags

from consultations.meetings import services
from consultations.meetings.models import AgendaItem
from reviews.models import Review

OPENING = "会议开始，介绍与会专家和规划编制情况"
CLOSING = "形成专家组意见并表决"
MAX_HEADINGS = 3


def _headings(review):
    """``[(title, section)]`` of the plan version's first headings."""
    found = []
    for block in review.plan_version.blocks or []:
        if re.fullmatch(r"h[1-6]", str(block.get("kind") or "")) and block.get("section"):
            title = strip_tags(block.get("html") or "").strip()[:200]
            if title:
                found.append((title, block["section"]))
    return found[:MAX_HEADINGS]


def load(password=None):
    secretariat = get_user_model().objects.filter(username="secretariat").first()
    reviews = Review.objects.filter(mode=Review.Mode.MEETING, state=Review.State.OPEN, plan_version__isnull=False)
    for review in reviews.select_related("plan_version"):
        if secretariat is None or AgendaItem.objects.filter(review=review).exists():
            continue
        items = [{"title": OPENING, "section": ""}]
        items += [{"title": title, "section": section} for title, section in _headings(review)]
        items.append({"title": CLOSING, "section": ""})
        services.set_agenda(review, by=secretariat, items=items, meeting_length="1")
