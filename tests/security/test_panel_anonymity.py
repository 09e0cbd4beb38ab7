"""The confidential panel (名单保密), crawled: every page, API answer, export and channel message
each role can reach, in an inviting, an open and a closed review, searched for the names of the
experts the draw named, and the channel's messages for who is on the panel or present.

Who may meet a name (``reviews.rules.can_see_panel``):
- the secretariat, always;
- the panel (PANEL and CHAIR, once they accepted: the open and closed worlds) their fellow
  member's name, never an alternate's;
- the commission once the review is closed (the panel and, through the draw, its alternates).
Nobody else: not the plan's department (its consolidation is blind to it by default: letters),
not another expert, not the commission before the close, not an invited expert who has not
answered. A page that names every expert of the roster (the roster API, which names OFF_PANEL
too) says nothing about the panel and is not a leak.

The names searched are those of the panel's third member and of the alternates: PANEL and CHAIR
are also named by the world's consultation and PANEL's proposal, which their readers may see
whoever sits on the panel."""

import pytest

from experts.models import Expert
from reviews.events import PANEL_KEYS
from reviews.models import Assignment
from tests.security import matrix
from tests.security.test_anonymity import crawl, listen
from tests.security.world import (
    CHAIR,
    CLOSED,
    COMMISSION,
    INVITING,
    OFF_PANEL,
    OPEN,
    PANEL,
    ROLES,
    SECRETARIAT,
    build_world,
)

MEMBER, ALTERNATE = "member", "alternate"


def hidden_names(world):
    """``{marker key: name}``: the panel's third member, and each alternate the draw holds."""
    assignments = Assignment.objects.filter(review=world.review).exclude(
        expert__in=[world.experts[PANEL], world.experts[CHAIR]]
    )
    names = {MEMBER: assignments.select_related("expert").get().expert.name}
    alternates = Expert.objects.filter(pk__in=world.draw.alternates).order_by("pk")
    names |= {f"{ALTERNATE}:{expert.pk}": expert.name for expert in alternates}
    return names


def may_meet(role, state, key):
    if role == SECRETARIAT:
        return True
    if role == COMMISSION and state == CLOSED:
        return True
    return key == MEMBER and role in (PANEL, CHAIR) and state in (OPEN, CLOSED)


@pytest.mark.timeout(1800)
@pytest.mark.django_db
@pytest.mark.parametrize("state", [INVITING, OPEN, CLOSED])
def test_no_role_meets_a_panel_name_it_may_not_see(state):
    world = build_world(state)
    names = hidden_names(world)
    roster_name = world.experts[OFF_PANEL].name
    seen = crawl(world, names)
    leaks = sorted(
        f"{role} met the {key} name at {path}"
        for role, hits in seen.items()
        for (key, path), text in hits.items()
        if not may_meet(role, state, key) and roster_name not in text
    )
    assert len(names) > 1  # the draw held alternates
    assert leaks == []
    assert MEMBER in {key for key, _path in seen[SECRETARIAT]}  # the crawl does reach the panel's names


def _decline_and_accept(world):
    """While the review invites: CHAIR declines (the next alternate is invited), PANEL accepts."""
    from reviews.services import assignments

    if world.state != INVITING:
        return
    chair = Assignment.objects.get(review=world.review, expert=world.experts[CHAIR])
    assignments.decline_assignment(chair, by=world.users[CHAIR], reason="出差")
    panel = Assignment.objects.get(review=world.review, expert=world.experts[PANEL])
    assignments.accept_assignment(panel, by=world.users[PANEL], no_conflict=True, confidentiality=True)


@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("state", [INVITING, CLOSED])
def test_review_socket_tells_who_only_to_those_who_may_see_the_panel(state):
    """Everyone let into the review's channel hears the panel change and who is present; only
    those who may see the panel hear which assignment, which expert, which user."""
    world = build_world(state)
    path = f"/ws/reviews/{world.review.pk}/"
    received = listen(world, [path], _decline_and_accept)[path]

    told_who = sorted(role for role, messages in received.items() if any(set(PANEL_KEYS) & set(m) for m in messages))
    counted = sorted(
        role for role, messages in received.items() if any(m["type"] == "presence" and "count" in m for m in messages)
    )
    let_in = sorted(received)
    may_see = sorted(role for role in let_in if matrix.sees_panel(role, state, world))

    assert let_in == sorted(role for role in ROLES if matrix.SOCKETS["ws/reviews/<int:review_id>/"](role, state, world))
    assert told_who == may_see
    assert counted == sorted(set(let_in) - set(may_see))
    if state == INVITING:
        changes = [m for m in received[COMMISSION] if m["type"] == "assignment.changed"]
        assert [m["state"] for m in changes] == ["declined", "invited", "accepted"]
