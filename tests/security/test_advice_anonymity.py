"""The anonymity crawl for issue 8's advice: markers in consultation answers and in experts'
proposals, then every page, API answer, export, year report, history view, back-office screen,
notification and socket message each role can reach, searched for them (the crawl of
``test_anonymity.py``, over the world of ``world.add_advice``).

The rules below are written from docs/consultations.md ("Who sees what", "Who sees a proposal"),
not from what the crawl finds; the crawl must find each marker exactly where they allow it.
"""

import json
import re

import pytest
from django.core import mail
from django.urls import reverse

from consultations.opinions.models import Point
from consultations.proposals.models import Proposal
from core.models import Notification, SmsMessage
from tests.security import matrix
from tests.security.routes import admin_routes, fill, route_kwargs
from tests.security.test_anonymity import TEXT_KEYS, crawl, listen
from tests.security.world import (
    CHAIR,
    COMMISSION,
    CONSULTATIONS,
    DEPT_OTHER,
    DEPT_PLAN,
    EXPERT_ROLES,
    OPEN,
    PANEL,
    PROPOSAL_STATES,
    ROLES,
    SECRETARIAT,
    TARGET,
    add_advice,
    answer_consultation,
    build_world,
    pose_consultation,
    submit_proposal,
)

# key → a string found nowhere else (none is part of another). Keys: see world.add_advice.
MARKERS = {
    "answer:unshared": "MKANSUNSH4e1aQ",
    "answer:shared": "MKANSSHR7b2cQ",
    "draft:shared": "MKDRAFTSHR9d3eQ",
    "answer:closed": "MKANSCLS2f4aQ",
    "answer:anonymous": "MKANSANONPNL6c5bQ",
    "answer:anonymous:chair": "MKANSANONCHR8a6dQ",
    **{f"{part}:{state}": f"MK{part.upper()}{state.upper()}{index}{n}Q"
       for index, state in enumerate([*PROPOSAL_STATES, TARGET]) for n, part in enumerate(("problem", "point"))},
}  # fmt: skip


# ---------------------------------------------------------------- the rules, from the docs


def may_read_answer(role, name, *, author, sealed):
    """docs/consultations.md, "Who sees what": the author always (drafts included); nobody else a
    draft; the secretariat and the commission every sealed answer at any time; an expert asked,
    the others' sealed answers once the consultation is closed, or before if ``answers_shared``;
    nobody else (experts not asked, departments, auditors, the signed-out)."""
    state, shared, anonymous = CONSULTATIONS[name]
    if role == author:
        return True
    if not sealed:
        return False
    if role in (SECRETARIAT, COMMISSION):
        return True
    asked = EXPERT_ROLES if anonymous else (PANEL, CHAIR)  # the anonymous one asks domain 2.1: every expert
    return role in asked and (state == "closed" or shared)


ROUTED_TO = {"routed": DEPT_PLAN, TARGET: DEPT_OTHER}


def may_read_proposal(role, state):
    """docs/consultations.md, "Who sees a proposal": its author, the secretariat, the commission,
    and the staff of the departments it was routed to once it is routed; nobody else. So the
    author of a proposal merged into another does not see that one (PANEL never reads the
    target: only its title, in their notification and on their own proposal's page), and the
    department of the target does not see the proposals merged into it."""
    author = CHAIR if state == TARGET else PANEL
    return role in (author, SECRETARIAT, COMMISSION) or role == ROUTED_TO.get(state)


def may_read(role, key):
    kind, name, *chair = key.split(":")
    if kind == "asked":
        return role in (SECRETARIAT, COMMISSION)  # "Who else was asked and how many answered"
    if kind in ("answer", "draft"):
        author = CHAIR if chair or kind == "draft" else PANEL
        return may_read_answer(role, name, author=author, sealed=kind == "answer")
    return may_read_proposal(role, name)


# ---------------------------------------------------------------- the crawl


def extra_paths(world):
    """Beyond the matrix's routes: the reading page's live part, the proposal list by state, and
    the back office's screens of proposals, consultations (list, inspect, history), the year report
    and the audit trail (the auditor's own screen)."""
    found = [reverse("consultations:consultation", args=[c.pk]) + "?fragment=1" for c in world.consultations.values()]
    for state in Proposal.State.values:
        found += [reverse("consultations:proposals") + f"?state={state}", f"/admin/proposals/?state={state}&rows=1"]
    for route in admin_routes("admin/proposals/", "admin/consultations/consultation/", "admin/year-report/",
                              "admin/audit/"):  # fmt: skip
        names = route_kwargs(route)
        if not names:
            found.append(fill(route, {}))
        elif names == ["proposal_id"]:
            found += [fill(route, {"proposal_id": p.pk}) for p in world.proposals.values()]
        elif names == ["pk"] and route.startswith("admin/consultations/"):
            found += [fill(route, {"pk": c.pk}) for c in world.consultations.values()]
    return found


@pytest.fixture
def advice_world(db):
    return add_advice(build_world(OPEN), MARKERS)


def asked_markers(world):
    """How many the anonymous consultation asked (every expert of the world, seven) and how many
    answered, in each form pages, exports and the API give it: docs/consultations.md keeps both
    for those who pose consultations (a recipient gets null in the API, anonymous or not)."""
    consultation = world.consultations["anonymous"]
    asked, answered = consultation.recipients.count(), consultation.answers.exclude(submitted_at=None).count()
    return {
        "asked:page": f"Reached {asked} experts; {answered} answers submitted.",
        "asked:list": f"{answered} of {asked} answered",
        "asked:export": f"Experts asked: {asked}; answers submitted: {answered}.",
        "asked:api": f'"recipients_count":{asked},"submitted_count":{answered}',
    }


def test_markers_are_distinct():
    markers = list(MARKERS.values())
    assert [m for m in markers if sum(m in other for other in markers) != 1] == []


@pytest.mark.timeout(1200)
def test_advice_markers_reach_exactly_their_readers(advice_world):
    world = advice_world
    markers = {**MARKERS, **asked_markers(world)}
    seen = crawl(world, markers, variants=world.variants(), extra=extra_paths(world))
    leaks = sorted(
        f"{role} saw {key} at {path}" for role, hits in seen.items() for key, path in hits if not may_read(role, key)
    )
    unmet = sorted(
        f"{role} never met {key}"
        for role in ROLES
        for key in markers
        if may_read(role, key) and not any(found == key for found, _path in seen[role])
    )
    assert leaks == []
    assert unmet == []  # the crawl does reach each marker wherever it may be read
    assert anonymity_problems(world, seen) == []
    assert notification_leaks(world) == []


# ---------------------------------------------------------------- the anonymous consultation

# docs/consultations.md: "anonymous: everyone but the secretariat reads 'Expert A, B, C' —
# letters in the order the sealed answers were started, the same in every page, API answer and
# export; the API leaves `expert` empty then." CHAIR started first.
LETTERS = {"answer:anonymous:chair": (CHAIR, "Expert A"), "answer:anonymous": (PANEL, "Expert B")}
LABEL = r"(?P<label>[^<>（）\"]+?)"
BESIDE = (
    r'{marker}</span> <span class="meta" data-testid="answer-author">（{label}(?:）| ·)',  # the reading page
    r'"author":"{label}","points":\[[^\]]*"text":"{marker}"',  # the API's answers
    r"{marker}（{label}）",  # the .docx: "1. text（author）"
    r"<t>{label}</t></is></c><c [^>]*><is><t>{marker}</t>",  # the .xlsx: the Expert cell, then the Text
)


def labels_beside(text, marker):
    """The author shown beside ``marker`` in ``text``, in each of the forms answers take."""
    patterns = [re.compile(p.format(marker=re.escape(marker), label=LABEL)) for p in BESIDE]
    return {match.group("label") for pattern in patterns for match in pattern.finditer(text)}


def identity(expert):
    """What names an expert: their name, key, employer, contacts, and their id in the API."""
    return [expert.name, expert.key, expert.employer.name, expert.email, expert.mobile, f'"expert":{expert.pk},']


def anonymity_problems(world, seen):
    """Wherever an anonymous answer's marker is met: beside it the author's letter, for everyone
    but the secretariat (who reads the name there), and nothing that names its author anywhere
    in the same answer. The author's own pages (their answer, the sealing step) are theirs."""
    problems = []
    for role, hits in seen.items():
        for (key, path), text in hits.items():
            if key not in LETTERS or role == LETTERS[key][0]:
                continue
            expert = world.experts[LETTERS[key][0]]
            expected = expert.name if role == SECRETARIAT else LETTERS[key][1]
            labels = labels_beside(text, MARKERS[key])
            if labels != {expected}:
                problems.append(f"{role} at {path}: {key} is shown beside {sorted(labels)}, not {expected!r}")
            named = [part for part in identity(expert) if part in text]
            if role != SECRETARIAT and named:
                problems.append(f"{role} at {path}: {key} comes with {named}")
    return problems


def notification_leaks(world):
    """Notifications name titles, never the advice: no marker in any (nor in a text message or mail)."""
    texts = [*Notification.objects.values_list("text", flat=True), *SmsMessage.objects.values_list("text", flat=True)]
    texts += [f"{message.subject} {message.body}" for message in mail.outbox]
    markers = [*MARKERS.values(), *SOCKET_MARKERS.values()]
    return sorted(text for text in texts if any(marker in text for marker in markers))


# ---------------------------------------------------------------- the sockets

SOCKET_MARKERS = {"answer": "MKSOCKANS3c9fQ", "problem": "MKSOCKPRB5e2aQ", "point": "MKSOCKPNT1d7bQ",
                  "twin": "MKSOCKTWN8b4cQ"}  # fmt: skip
NOTIFICATIONS = "/ws/notifications/"
BOARD = "/ws/board/"


def _advice_activity(world):
    """What makes every advice socket speak while every role listens: CHAIR rewrites their draft
    in the shared consultation with a fresh marker and seals it; the unshared one is closed; the
    commission answers PANEL's point in the closed one; PANEL submits a proposal with fresh
    markers, CHAIR's duplicate is merged into it, it is routed to the plan's department, which
    answers it; PANEL's submitted proposal is returned; a new consultation opens (telling PANEL
    and CHAIR)."""
    from consultations.inquiries import services as consulting
    from consultations.proposals import services as proposals
    from consultations.responses import services as responses

    sec = world.users[SECRETARIAT]
    panel, chair = world.experts[PANEL], world.experts[CHAIR]
    answer_consultation(world.consultations["shared"], chair, SOCKET_MARKERS["answer"])
    consulting.close_consultation(world.consultations["unshared"], by=sec)
    point = Point.objects.get(opinion__consultation=world.consultations["closed"], opinion__expert=panel)
    responses.answer_point(point, by=world.users[COMMISSION], status="partly_adopted", reason="部分采纳")
    fresh = submit_proposal(panel, problem=SOCKET_MARKERS["problem"], point=SOCKET_MARKERS["point"])
    twin = submit_proposal(chair, problem=SOCKET_MARKERS["twin"], point=SOCKET_MARKERS["twin"] + "建议")
    proposals.merge_proposal(twin, into=fresh, by=sec)
    proposals.route_proposal(fresh, by=sec, organizations=[world.plan.submitted_by_id])
    responses.answer_point(fresh.points.get(), by=world.users[DEPT_PLAN], status="adopted")
    proposals.return_proposal(world.proposals["submitted"], by=sec, reason="请补充调研数据")
    pose_consultation(world, "新的征询", experts=[panel, chair])


@pytest.mark.timeout(900)
@pytest.mark.django_db(transaction=True)
def test_advice_sockets_bring_no_marker_to_any_role():
    """The notification socket, the secretariat's proposal board and each consultation's board,
    opened by every role at once while the advice moves: only the roles the matrix lets in are
    connected; nobody receives a marker, old or new; the boards carry ids and states only (no
    text field); and the secretariat, PANEL and the department did hear what happened."""
    world = add_advice(build_world(OPEN), MARKERS)
    boards = {name: f"/ws/consultations/{c.pk}/" for name, c in world.consultations.items()}
    received = listen(world, [NOTIFICATIONS, BOARD, *boards.values()], _advice_activity)
    markers = [*MARKERS.values(), *SOCKET_MARKERS.values()]

    leaks = sorted(
        f"{role} on {path} received {message}"
        for path, by_role in received.items()
        for role, messages in by_role.items()
        for message in messages
        if any(marker in json.dumps(message, ensure_ascii=False) for marker in markers)
        or (path != NOTIFICATIONS and TEXT_KEYS & set(message))
    )
    templates = {NOTIFICATIONS: "ws/notifications/", BOARD: "ws/board/"}
    refused = sorted(
        f"{path}: {sorted(by_role)} let in"
        for path, by_role in received.items()
        if sorted(by_role) != sorted(
            role for role in ROLES
            if matrix.SOCKETS[templates.get(path, "ws/consultations/<int:consultation_id>/")](role, OPEN, world)
        )
    )  # fmt: skip

    def types(path, role):
        return {message["type"] for message in received[path].get(role, [])}

    assert leaks == []
    assert refused == []
    assert notification_leaks(world) == []
    assert {"proposal.submitted", "proposal.state_changed", "proposal.answered"} <= types(BOARD, SECRETARIAT)
    assert {"answer.saved", "answer.submitted"} <= types(boards["shared"], SECRETARIAT)
    assert "consultation.state_changed" in types(boards["unshared"], SECRETARIAT)
    assert "response.saved" in types(boards["closed"], COMMISSION)
    assert all(types(NOTIFICATIONS, role) == {"notification.created"} for role in (PANEL, CHAIR, DEPT_PLAN))
