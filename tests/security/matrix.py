"""THE permission matrix: for every route (URL name) and method, who may pass, by review state.

One row per route. A rule is ``(role, state, world) -> bool``: True means the request gets
past the permission checks (any answer but 401, 403, 404 or a redirect to sign in); False means
it must be refused with one of those. ``EXEMPT`` rows say why a route is not exercised here.
``test_permission_matrix.py`` fails when the URL resolver or config/routing.py has a route that
is not in this table. Extend it when a route is added: the lead reviews the rule.
"""

from tests.security.world import (
    ANONYMOUS,
    AUDITOR,
    CHAIR,
    CLOSED,
    COMMISSION,
    CONFLICTED,
    DEPT_OTHER,
    DEPT_PLAN,
    DRAFT,
    INVITING,
    OFF_PANEL,
    OPEN,
    PANEL,
    SECRETARIAT,
)

ACCEPTED_STATES = (OPEN, CLOSED)  # the panel has accepted: the review opens to its experts
# Routes not exercised, and why. Wagtail's admin and Django's admin are covered by role rules in
# test_permission_matrix.py (only the secretariat/auditor reach /admin/, only superusers /django-admin/).
EXEMPT = {
    "wagtaildocs_serve": "Wagtail documents of the public site: public by design; none exist in the world",
    "wagtaildocs_authenticate_with_password": "Wagtail's own password-protected documents: none are configured",
    "wagtailcore_authenticate_with_password": "Wagtail's own password-protected pages: none are configured",
    None: "DEBUG-only static serving of MEDIA_ROOT (public images only; originals live in private storage)",
}


def everyone(role, state, world):
    return True


def signed_in(role, state, world):
    return role != ANONYMOUS


def nobody(role, state, world):
    return False


def only(*allowed):
    def rule(role, state, world):
        return role in allowed

    rule.__name__ = "only(" + ",".join(allowed) + ")"
    return rule


def sees_review(role, state, world):
    """API.md: the secretariat, the commission, the plan's department; experts once they accept."""
    if role in (SECRETARIAT, COMMISSION, DEPT_PLAN):
        return True
    return role in (PANEL, CHAIR) and state in ACCEPTED_STATES


def sees_plan(role, state, world):
    return sees_review(role, state, world)


def on_accepted_panel(role, state, world):
    return role in (PANEL, CHAIR) and state in ACCEPTED_STATES


def discusses(role, state, world):
    return role == SECRETARIAT or on_accepted_panel(role, state, world)


def moves_marker(role, state, world):
    return role == SECRETARIAT or (role == CHAIR and state in ACCEPTED_STATES)


def own_invitation(role, state, world):
    """The invited expert answers while the review is inviting (an answered one gets 409)."""
    return role == PANEL and state != DRAFT


def sees_assignment(role, state, world):
    return role in (SECRETARIAT, PANEL) and state != DRAFT


def sees_draw(role, state, world):
    """A draw names the panel and its alternates (名单保密): the secretariat; the commission once
    the review is closed."""
    return (role == SECRETARIAT and state != DRAFT) or (role == COMMISSION and state == CLOSED)


def sees_panel(role, state, world):
    """名单保密: who is on the panel is the secretariat's and the accepted panel's; the commission's
    once the review is closed; never the plan's department's here (it reads the consolidation)."""
    return role == SECRETARIAT or on_accepted_panel(role, state, world) or (role == COMMISSION and state == CLOSED)


def own_opinion(role, state, world):
    return on_accepted_panel(role, state, world)


def opinion_history(role, state, world):
    """Versions are the author's and the secretariat's (the world's opinion is PANEL's)."""
    return role in (SECRETARIAT, PANEL) and state in ACCEPTED_STATES


def sees_opinions(role, state, world):
    """The list endpoint answers everyone who sees the review (rows filtered by the blind rule)."""
    return sees_review(role, state, world)


def sees_consolidation(role, state, world):
    """Once the review is closed: the secretariat, the commission, the panel, the plan's department."""
    return state == CLOSED and role in (SECRETARIAT, COMMISSION, DEPT_PLAN, PANEL, CHAIR)


def edits_consolidation(role, state, world):
    return state == CLOSED and role in (SECRETARIAT, CHAIR)


def sets_answers_due(role, state, world):
    """The due date of the answers to the points: the commission, once the review is closed."""
    return state == CLOSED and role == COMMISSION


def confirms_consolidation(role, state, world):
    return state == CLOSED and role in (PANEL, CHAIR)


def reads_archive(role, state, world):
    """A review's archive (§33) is the secretariat's and the commission's (it names the panel: a
    review is archived once closed)."""
    return role in (SECRETARIAT, COMMISSION)


def reads_honoraria(role, state, world):
    """A review's honoraria: the secretariat every row; the accepted panel their own row (the list
    is filtered); anyone else 404."""
    return role == SECRETARIAT or on_accepted_panel(role, state, world)


def publishes_conclusion(role, state, world):
    """The secretariat, once the department's response package exists."""
    from consultations.responses.models import ResponsePackage

    return role == SECRETARIAT and ResponsePackage.objects.filter(review=world.review).exists()


def responds_to_point(role, state, world):
    """The commission for every plan, the plan's department for its own."""
    return role in (COMMISSION, DEPT_PLAN) and state == CLOSED


def roster_own_or_secretariat(role, state, world):
    """History and conflicts of an expert (the world's is PANEL's): the secretariat and the expert."""
    return role in (SECRETARIAT, PANEL)


def roster_reader(role, state, world):
    """One expert's record (the world's is PANEL's): the secretariat, the commission, the expert."""
    return role in (SECRETARIAT, COMMISSION, PANEL)


def an_expert(role, state, world):
    return role in (PANEL, OFF_PANEL, CONFLICTED, CHAIR)


def department_or_staff(role, state, world):
    return role in (SECRETARIAT, COMMISSION, DEPT_PLAN, DEPT_OTHER)


def plan_submitter(role, state, world):
    return role in (SECRETARIAT, DEPT_PLAN, DEPT_OTHER)


def adds_version(role, state, world):
    return role in (SECRETARIAT, DEPT_PLAN)


def sees_proposal(role, state, world):
    """Issue 8: the PANEL expert's proposal, routed to DEPT_PLAN's department: its author, the
    secretariat, the commission and the department routed to."""
    return role in (PANEL, SECRETARIAT, COMMISSION, DEPT_PLAN)


def answers_suggestion(role, state, world):
    """The commission, or the department the suggestion was routed to."""
    return role in (COMMISSION, DEPT_PLAN)


def poses_consultations(role, state, world):
    """Issue 8: the secretariat and the commission pose, open and close consultations."""
    return role in (SECRETARIAT, COMMISSION)


def sees_consultation(role, state, world):
    """The world's consultation asks PANEL and CHAIR by name; it reaches them once open (the
    OPEN and CLOSED worlds); the secretariat and the commission see it always; nobody else."""
    return poses_consultations(role, state, world) or (role in (PANEL, CHAIR) and state in ACCEPTED_STATES)


def own_answer(role, state, world):
    """The caller's answer: PANEL's is sealed; CHAIR has none, so after the close there is none to show."""
    return (role == PANEL and state in ACCEPTED_STATES) or (role == CHAIR and state == OPEN)


def own_answer_page(role, state, world):
    """The answer pages: as ``own_answer``, and CHAIR, who has none after the close, is sent on
    to the reading page (the notification's link must not end in a 404)."""
    return own_answer(role, state, world) or (role == CHAIR and state == CLOSED)


def consultations_page(role, state, world):
    return role in (SECRETARIAT, COMMISSION, PANEL, OFF_PANEL, CONFLICTED, CHAIR)


# url name → {method: rule}. Pages answer GET; forms POST.
MATRIX = {
    # sign-in and the shell
    "login": {"GET": everyone},
    "logout": {"POST": everyone},
    "password_change": {"GET": signed_in},
    "password_change_done": {"GET": signed_in},
    "set_language": {"POST": everyone},
    "signin-code": {"GET": everyone, "POST": everyone},
    "signin-code-verify": {"POST": everyone},
    # an SMS provider's receipt push: no role, only the callback secret (404 for a provider not in use)
    "sms-receipts": {"POST": nobody},
    # The second factor's pages: any signed-in user (those who need none are sent on).
    "second-factor": {"GET": signed_in, "POST": signed_in},
    "second-factor-setup": {"GET": signed_in, "POST": signed_in},
    "portal-home": {"GET": signed_in},
    "text-size": {"POST": signed_in},
    "wagtailcore_login": {"GET": everyone},
    # the public site
    "site-search": {"GET": everyone},
    "feed-news": {"GET": everyone},
    "feed-notices": {"GET": everyone},
    "sitemap": {"GET": everyone},
    "wagtail_serve": {"GET": everyone},
    # portal pages: invitations, reviews, plans
    "invitations": {"GET": signed_in},
    "accept": {"POST": own_invitation},
    "decline": {"POST": own_invitation},
    "review": {"GET": sees_review},
    "my-plans": {"GET": department_or_staff},
    "plan-reader": {"GET": sees_plan},
    "plan-document": {"GET": sees_plan},
    # the draw's certificate names the panel and the alternates (名单保密)
    "draw-certificate": {"GET": sees_draw},
    "draw-certificate-pdf": {"GET": sees_draw},
    # portal pages: opinions and the discussion
    "write": {"GET": own_opinion},
    "submit": {"POST": own_opinion},
    "opinions": {"GET": sees_opinions},
    "board": {"GET": only(SECRETARIAT)},
    "discussion": {"GET": discusses},
    "comment": {"POST": discusses},
    "versions": {"GET": opinion_history},
    # portal pages: the meeting (issue 15): the meeting page and its forms, the room's QR code, check-in
    "meeting": {"GET": discusses},
    "meeting-act": {"POST": discusses},
    "meeting-qr": {"GET": moves_marker},
    "checkin": {"GET": sees_review, "POST": on_accepted_panel},
    # the API: accounts and the roster
    # DELETE revokes the bearer token it is called with; a session has none (401 for everyone here).
    "api-token": {"POST": everyone, "DELETE": nobody},
    "api-domains": {"GET": signed_in},
    "api-organizations": {"GET": signed_in, "POST": only(SECRETARIAT)},
    "api-experts": {"GET": signed_in, "POST": only(SECRETARIAT)},
    "api-expert": {"GET": roster_reader, "PATCH": roster_own_or_secretariat},
    "api-expert-history": {"GET": roster_own_or_secretariat},
    "api-expert-conflicts": {"GET": roster_own_or_secretariat, "POST": roster_own_or_secretariat},
    # the API: plans, reviews, draws, assignments
    "api-plans": {"GET": signed_in, "POST": plan_submitter},
    "api-plan-versions": {"GET": sees_plan, "POST": adds_version},
    "api-reviews": {"GET": signed_in, "POST": only(SECRETARIAT)},
    "api-review": {"GET": sees_review, "PATCH": only(SECRETARIAT)},
    "api-review-draw": {"POST": only(SECRETARIAT)},
    "api-review-draw-commitment": {"POST": only(SECRETARIAT)},
    "api-draws-batch": {"POST": only(SECRETARIAT)},
    # the notices of a review (without ?review= the secretariat gets 400, everyone else 401/403)
    "api-notices": {"GET": only(SECRETARIAT)},
    "api-review-assignments": {"GET": sees_panel},
    "api-review-events": {"GET": sees_review},
    "api-draw": {"GET": sees_draw},
    "api-draw-record": {"GET": sees_draw},
    "api-draw-verify": {"POST": sees_draw},
    "api-assignments": {"GET": signed_in},
    "api-assignment-accept": {"POST": own_invitation},
    "api-assignment-decline": {"POST": own_invitation},
    # the API: opinions, discussion, consolidation, responses
    "api-opinion": {"GET": own_opinion, "PUT": own_opinion},
    "api-opinion-submit": {"POST": own_opinion},
    "api-opinion-versions": {"GET": own_opinion},
    "api-opinions": {"GET": sees_opinions},
    "api-comments": {"GET": discusses, "POST": discusses},
    "api-discussion": {"GET": discusses, "PUT": moves_marker},
    "api-consolidation": {"GET": sees_consolidation, "PUT": edits_consolidation, "PATCH": sets_answers_due},
    "api-consolidation-document": {"GET": sees_consolidation},
    "api-review-archive": {"GET": reads_archive},
    "api-review-honoraria": {"GET": reads_honoraria},
    "api-review-honoraria-sheet": {"GET": only(SECRETARIAT)},
    "api-consolidation-confirmation": {"POST": confirms_consolidation},
    "api-consolidation-deadline": {"PUT": edits_consolidation},
    "api-consolidation-seal": {"POST": edits_consolidation},
    "api-point-response": {"GET": sees_consolidation, "PUT": responds_to_point},
    # the API: the meeting (issue 15); who is present and who voted how name the panel (名单保密)
    "api-review-agenda": {"GET": sees_review, "PUT": only(SECRETARIAT)},
    "api-review-agenda-move": {"POST": moves_marker},
    "api-review-checkin": {"GET": moves_marker, "POST": on_accepted_panel},
    "api-review-attendance": {"GET": sees_panel, "POST": only(SECRETARIAT)},
    "api-review-votes": {"GET": sees_panel, "POST": on_accepted_panel},
    "api-review-minutes": {"GET": only(SECRETARIAT), "PUT": only(SECRETARIAT)},
    "api-review-minutes-file": {"POST": only(SECRETARIAT)},
    "api-review-minutes-docx": {"GET": nobody},  # the matrix's review is written: it has no meeting (404 for all)
    # portal pages: consolidation, responses, honoraria
    "workspace": {"GET": department_or_staff},
    "consolidation": {"GET": sees_consolidation},
    "consolidation-save": {"POST": edits_consolidation},
    "consolidation-confirm": {"POST": confirms_consolidation},
    "consolidation-answers-due": {"POST": sets_answers_due},
    "answers-overdue": {"GET": only(SECRETARIAT, COMMISSION)},
    "consolidation-seal": {"POST": edits_consolidation},
    "consolidation-deadline": {"POST": edits_consolidation},
    "consolidation-finalise": {"POST": responds_to_point},
    "consolidation-publish": {"POST": publishes_conclusion},
    "consolidation-document": {"GET": sees_consolidation},
    # the secretariat's screen of a review's payments (compute, mark paid, the sheet); an expert's own fees
    "honoraria": {"GET": only(SECRETARIAT), "POST": only(SECRETARIAT)},
    "my-honoraria": {"GET": an_expert},
    "review-archive": {"GET": reads_archive},
    "answer": {"POST": responds_to_point},
    "my-points": {"GET": signed_in},
    # the year report (issue 8): the commission reads it, the secretariat files it; 404 for the rest
    "year-report": {"GET": only(SECRETARIAT, COMMISSION)},
    "year-report-document": {"GET": only(SECRETARIAT, COMMISSION)},
    # the expert's own profile (portal)
    "expert-profile": {"GET": an_expert},
    "expert-profile-contact": {"POST": an_expert},
    "expert-profile-bank": {"POST": an_expert},
    "expert-profile-photo": {"POST": an_expert},
    "expert-profile-period-add": {"POST": an_expert},
    "expert-profile-period-remove": {"POST": nobody},  # pk: no such period in the world
    "expert-profile-conflict-add": {"POST": an_expert},
    "expert-profile-conflict-withdraw": {"POST": only(CONFLICTED)},  # pk: the conflicted expert's conflict
    # experts' proposals (issue 8): the world's is PANEL's, routed to DEPT_PLAN's department
    "proposals": {"GET": signed_in},
    "proposal-new": {"GET": an_expert, "POST": an_expert},
    "proposal": {"GET": sees_proposal},
    "proposal-consent": {"POST": only(PANEL)},
    "proposal-attachment": {"GET": sees_proposal},
    "proposal-answer": {"POST": answers_suggestion},
    "api-proposals": {"GET": signed_in, "POST": an_expert},
    "api-proposal": {"GET": sees_proposal},
    "api-proposal-route": {"POST": only(SECRETARIAT)},
    "api-proposal-return": {"POST": only(SECRETARIAT)},
    "api-proposal-merge": {"POST": only(SECRETARIAT)},
    # consultations (issue 8)
    "consultations": {"GET": consultations_page},
    "consultation-new": {"GET": poses_consultations, "POST": poses_consultations},
    "consultation": {"GET": sees_consultation},
    "consultation-state": {"POST": poses_consultations},
    "consultation-edit": {"GET": poses_consultations, "POST": poses_consultations},
    "consultation-answer": {"GET": own_answer_page, "POST": own_answer_page},
    "consultation-answer-submit": {"GET": own_answer_page, "POST": own_answer_page},
    "consultation-export": {"GET": sees_consultation},
    "consultation-document": {"GET": sees_consultation},
    "api-consultations": {"GET": signed_in, "POST": poses_consultations},
    "api-consultation": {"GET": sees_consultation, "PATCH": poses_consultations},
    "api-consultation-answer": {"GET": own_answer, "PUT": own_answer},
    "api-consultation-answer-submit": {"POST": own_answer},
    "api-consultation-answers": {"GET": sees_consultation},
    # any other path under /api/v1/: a JSON 404 for everyone (config/errors.py)
    "api-not-found": {"GET": nobody, "POST": nobody},
    # the schema and its docs are public (the contract is published)
    "api-schema": {"GET": everyone},
    "api-docs": {"GET": everyone},
}

# URL keywords whose meaning differs by route (the default ``pk`` is the PANEL expert's).
ROUTE_KWARGS = {
    "sms-receipts": lambda world: {"provider": "aliyun"},
    "expert-profile-period-remove": lambda world: {"pk": 999_999_999},
    "expert-profile-conflict-withdraw": lambda world: {"pk": world.conflict_id},
}

# Where the code answers differently from the table today, each with why it is tolerated for now.
# The test fails when one disappears (then delete it here) or a new one appears. Keys are
# (url name, method, role, state); "*" matches any state.
KNOWN_DIVERGENCES = {
    # Validation runs before the permission check: an empty body gets 400; a valid one gets 403.
    **{
        ("api-plans", "POST", role, "*"): "400 before 403"
        for role in (PANEL, OFF_PANEL, CONFLICTED, CHAIR, COMMISSION, AUDITOR)
    },
    # The consolidation pages refuse with a message and a redirect back, not 403/404.
    **{
        ("consolidation-confirm", "POST", role, CLOSED): "refused by redirect"
        for role in (SECRETARIAT, COMMISSION, DEPT_PLAN)
    },
}

# WebSocket routes (config/routing.py), by path template: who completes the handshake.
SOCKETS = {
    "ws/notifications/": signed_in,
    "ws/reviews/<int:review_id>/": sees_review,
    "ws/consultations/<int:consultation_id>/": poses_consultations,
    "ws/board/": only(SECRETARIAT),
}

# Roles unused by any rule still appear in every run: listed here so a reader sees them all.
ALL_ROLES_NAMED = (
    ANONYMOUS,
    PANEL,
    OFF_PANEL,
    CONFLICTED,
    CHAIR,
    SECRETARIAT,
    COMMISSION,
    DEPT_PLAN,
    DEPT_OTHER,
    AUDITOR,
)
STATES_NAMED = (DRAFT, INVITING, OPEN, CLOSED)
