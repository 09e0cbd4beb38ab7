"""One small world per review state, built through the real services, for the permission
matrix and the anonymity crawl: a plan, its review, a drawn panel, and one user per role."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.utils import timezone

from consultations.opinions import services as opinion_services
from experts import roles
from experts import services as roster_services
from reviews import services as review_services
from reviews.models import Assignment, DepartmentStaff
from tests.conftest import make_user
from tests.factories import DomainFactory, OrganizationFactory
from tests.reviews.conftest import add_expert, docx_upload

ANONYMOUS = "anonymous"
PANEL = "panel"  # an expert on the panel (invited while inviting, accepted from open on)
OFF_PANEL = "off_panel"  # an active expert not on this panel
CONFLICTED = "conflicted"  # an expert who declared a conflict with the submitting department
CHAIR = "chair"  # the panel's chair (from open on; an invited member before)
SECRETARIAT = "secretariat"
COMMISSION = "commission"
DEPT_PLAN = "dept_plan"  # staff of the department that submitted the plan
DEPT_OTHER = "dept_other"  # staff of another department
AUDITOR = "auditor"
ROLES = (ANONYMOUS, PANEL, OFF_PANEL, CONFLICTED, CHAIR, SECRETARIAT, COMMISSION, DEPT_PLAN, DEPT_OTHER, AUDITOR)
EXPERT_ROLES = (PANEL, OFF_PANEL, CONFLICTED, CHAIR)

DRAFT, INVITING, OPEN, CLOSED = "draft", "inviting", "open", "closed"
STATES = (DRAFT, INVITING, OPEN, CLOSED)

MISSING = 999_999_999  # the id of something that does not exist in this world


@dataclass
class World:
    state: str
    users: dict
    experts: dict
    plan: object
    review: object
    draw: object = None
    assignment: object = None  # the PANEL expert's
    opinion: object = None  # the PANEL expert's
    point_id: int | None = None
    conflict_id: int | None = None
    markers: dict = field(default_factory=dict)
    consultation: object = None  # issue 8: asks PANEL and CHAIR by name; PANEL answered
    proposal: object = None  # the PANEL expert's, routed to the plan's department (DEPT_PLAN)
    consultations: dict = field(default_factory=dict)  # add_advice(): name → consultation
    proposals: dict = field(default_factory=dict)  # add_advice(): state → PANEL's proposal, and "target"

    def kwargs(self):
        """Values for every URL keyword the routes use."""
        return {
            "review_id": self.review.pk,
            "plan_id": self.plan.pk,
            "number": 1,
            "draw_id": self.draw.pk if self.draw else MISSING,
            "assignment_id": self.assignment.pk if self.assignment else MISSING,
            "opinion_id": self.opinion.pk if self.opinion else MISSING,
            "point_id": self.point_id or MISSING,
            "pk": self.experts[PANEL].pk,
            "kind": "docx",
            "consultation_id": MISSING,
            "document_id": MISSING,
            **(_consultation_kwargs(self.consultation) if self.consultation else {}),
            **self.proposal_kwargs(),
        }

    def proposal_kwargs(self, proposal=None):
        proposal = proposal or self.proposal
        return {
            "proposal_id": proposal.pk if proposal else MISSING,
            "attachment_id": proposal.attachments.values_list("pk", flat=True).first() if proposal else MISSING,
            "proposal_point_id": proposal.points.values_list("pk", flat=True).first() if proposal else MISSING,
        }

    def variants(self):
        """Groups of further values for URL keywords, for what ``add_advice`` made: a route naming
        a keyword of a group is fetched once with ``kwargs()`` and once per value of the group;
        the groups a route names multiply (each consultation's export as .docx and as .xlsx)."""
        from consultations.opinions.models import Opinion, Point

        consultations = list(self.consultations.values())
        answers = list(Opinion.objects.filter(consultation__in=consultations).values_list("pk", flat=True))
        points = Point.objects.filter(opinion__in=answers) | Point.objects.filter(proposal__in=self.proposals.values())
        return [
            [_consultation_kwargs(c) for c in consultations],
            [self.proposal_kwargs(p) for p in self.proposals.values()],
            [{"opinion_id": pk} for pk in answers],  # the versions page: an answer has none (404)
            [{"point_id": pk} for pk in points.values_list("pk", flat=True)],
            [{"kind": "xlsx"}],
        ]


def _consultation_kwargs(consultation):
    return {
        "consultation_id": consultation.pk,
        "document_id": consultation.documents.values_list("pk", flat=True).first() or MISSING,
    }


def _criteria_scores(review):
    return {criterion["key"]: 4 for criterion in review.criteria or []}


def build_world(state, *, markers=None):
    """The world of ``state``. ``markers`` (role → unique string) are written where only some
    may read them: the panel expert's opinion summary and point, the experts' names."""
    markers = markers or {}
    sec = make_user(roles.SECRETARIAT, username="w-sec")
    users = {
        ANONYMOUS: None,
        SECRETARIAT: sec,
        COMMISSION: make_user(roles.COMMISSION, username="w-ndrc"),
        DEPT_PLAN: make_user(roles.DEPARTMENT, username="w-dept"),
        DEPT_OTHER: make_user(roles.DEPARTMENT, username="w-dept-other"),
        AUDITOR: make_user(roles.AUDITOR, username="w-auditor"),
    }
    domain = DomainFactory(code="2.1", name="智能制造装备")
    submitter = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    other = OrganizationFactory(name="沈阳市科学技术局", kind="government")
    DepartmentStaff.objects.create(user=users[DEPT_PLAN], organization=submitter)
    DepartmentStaff.objects.create(user=users[DEPT_OTHER], organization=other)
    roster = [add_expert(n, domain=domain) for n in range(700, 706)]
    conflicted = add_expert(706, domain=domain)
    roster_services.declare_conflict(conflicted, organization=submitter, reason="former employer", by=sec)
    plan = review_services.create_plan(
        by=sec, title="机器人产业三年行动计划", kind="action_plan", submitted_by=submitter, domains=["2.1"]
    )
    review_services.add_plan_version(plan, upload=docx_upload(), by=sec)
    now = timezone.now()
    review = review_services.create_review(
        plan,
        by=sec,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=14),
        required_domains=["2.1"],
        panel_size=3,
        rules={"minimum_panel_size": 1},
    )
    world = World(state=state, users=users, experts={}, plan=plan, review=review, markers=markers)
    world.conflict_id = conflicted.conflicts.values_list("pk", flat=True).first()
    if state != DRAFT:
        world.draw = review_services.draw_for_review(review, by=sec, seed="matrix")
    panel = list(Assignment.objects.filter(review=review).select_related("expert__user").order_by("expert__key"))
    on_panel = {a.expert_id for a in panel}
    off = [e for e in roster if e.pk not in on_panel]
    if panel:
        world.assignment = panel[0]
        world.experts[PANEL], world.experts[CHAIR] = panel[0].expert, panel[1].expert
    else:
        world.experts[PANEL], world.experts[CHAIR] = roster[0], roster[1]
        off = roster[2:]
    world.experts[OFF_PANEL] = off[0]
    world.experts[CONFLICTED] = conflicted
    for role in EXPERT_ROLES:
        users[role] = world.experts[role].user
    if state in (OPEN, CLOSED):
        for assignment in panel:
            review_services.accept_assignment(
                assignment, by=assignment.expert.user, no_conflict=True, confidentiality=True
            )
        review_services.set_chair(review, world.experts[CHAIR], by=sec)
        review_services.transition(review, "open", by=sec)
        world.opinion = _write_opinion(world, review, markers)
        if state == CLOSED:
            review_services.transition(review, "closed", by=sec)
    world.proposal = _routed_proposal(world, submitter)
    world.consultation = _consultation(world, state)
    review.refresh_from_db()
    return world


def _consultation(world, state):
    """Issue 8: a consultation addressed by name to PANEL and CHAIR: a draft until the review's
    world is open; open with PANEL's answer sealed; closed in the closed world."""
    from consultations.inquiries import services as consulting

    experts = [world.experts[PANEL], world.experts[CHAIR]]
    consultation = pose_consultation(world, "机器人配套企业征询", experts=experts, opened=state in (OPEN, CLOSED))
    if state in (OPEN, CLOSED):
        answer_consultation(consultation, world.experts[PANEL], world.markers.get("answer", "设立配套企业技改补贴"))
    if state == CLOSED:
        consulting.close_consultation(consultation, by=world.users[SECRETARIAT])
    consultation.refresh_from_db()
    return consultation


def pose_consultation(world, title, *, experts=(), domains=(), opened=True, **flags):
    """A consultation of one question with a background document, posed by the secretariat to
    ``experts`` by name and the experts of ``domains`` (codes); opened unless ``opened`` is false.
    ``flags``: ``answers_shared``, ``anonymous``."""
    from consultations.inquiries import services as consulting

    sec = world.users[SECRETARIAT]
    data = {"title": title, "questions": ["如何支持中小配套企业？"], "addressed_experts": [e.pk for e in experts],
            "addressed_domains": list(domains), **flags}  # fmt: skip
    consultation = consulting.create_consultation(by=sec, data=data)
    consulting.add_background_document(consultation, upload=docx_upload("背景材料.docx"), by=sec)
    if opened:
        consulting.open_consultation(consultation, by=sec)
    return consultation


def answer_consultation(consultation, expert, text, *, submit=True):
    """``expert``'s answer to the one question: ``text`` as its point, sealed unless ``submit`` is false."""
    from consultations.inquiries import services as consulting

    answer = consulting.ensure_answer(consultation, expert)
    question = consultation.questions.get().pk
    answer = opinion_services.save_opinion(
        answer, by=expert.user, data={"points": [{"question": question, "text": text}]}, expected_version=answer.version
    )
    return opinion_services.submit_opinion(answer, by=expert.user) if submit else answer


def _routed_proposal(world, department):
    """The PANEL expert's proposal (issue 8), routed to the plan's department, with an attachment."""
    from consultations.proposals import services as proposals

    problem = world.markers.get("proposal", "配套率低")
    proposal = submit_proposal(world.experts[PANEL], problem=problem, point="设立技改补贴")
    return proposals.route_proposal(proposal, by=world.users[SECRETARIAT], organizations=[department.pk])


def submit_proposal(expert, *, problem, point, title="关于机器人配套企业的建议"):
    from consultations.proposals import services as proposals

    return proposals.submit_proposal(
        expert, by=expert.user, title=title, problem=problem, points=[point], domains=["2.1"],
        attachments=[docx_upload("调研.docx")],
    )  # fmt: skip


# What add_advice() makes (docs/consultations.md): consultations by name → (state, answers_shared,
# anonymous); PANEL's proposals by state, and the one PANEL's "merged" proposal was merged into.
CONSULTATIONS = {
    "unshared": ("open", False, False),
    "shared": ("open", True, False),
    "closed": ("closed", False, False),
    "anonymous": ("closed", False, True),
}
PROPOSAL_STATES = ("submitted", "routed", "returned", "merged")
TARGET = "target"


def add_advice(world, markers):
    """Issue 8's advice, with ``markers`` (key → unique string) written where only some may read:

    - ``answer:<name>``: PANEL's sealed answer in each of ``CONSULTATIONS``. ``unshared``,
      ``shared`` and ``closed`` ask PANEL and CHAIR by name; in ``shared`` CHAIR keeps an unsent
      draft (``draft:shared``). ``anonymous`` asks domain 2.1, i.e. every expert of the world (so
      nobody is named on its page), and CHAIR answered it first (``answer:anonymous:chair``, so
      CHAIR is Expert A and PANEL Expert B).
    - ``problem:<state>`` and ``point:<state>`` (a suggestion): PANEL's proposal in each of
      ``PROPOSAL_STATES``: routed to the plan's department (DEPT_PLAN's), returned with a reason,
      merged into ``target``: CHAIR's proposal, routed to DEPT_OTHER's department.
    """
    from consultations.inquiries import services as consulting
    from consultations.proposals import services as proposals

    sec, panel, chair = world.users[SECRETARIAT], world.experts[PANEL], world.experts[CHAIR]
    for name, (state, shared, anonymous) in CONSULTATIONS.items():
        experts, domains = ([], ["2.1"]) if anonymous else ([panel, chair], [])
        consultation = pose_consultation(world, f"征询{name}", experts=experts, domains=domains, answers_shared=shared,
                             anonymous=anonymous)  # fmt: skip
        if anonymous:
            answer_consultation(consultation, chair, markers["answer:anonymous:chair"])
        answer_consultation(consultation, panel, markers[f"answer:{name}"])
        if name == "shared":
            answer_consultation(consultation, chair, markers["draft:shared"], submit=False)
        if state == "closed":
            consulting.close_consultation(consultation, by=sec)
        consultation.refresh_from_db()
        world.consultations[name] = consultation

    def propose(expert, state):
        return submit_proposal(expert, problem=markers[f"problem:{state}"], point=markers[f"point:{state}"],
                        title=f"建言{state}")  # fmt: skip

    other = DepartmentStaff.objects.get(user=world.users[DEPT_OTHER]).organization
    target = proposals.route_proposal(propose(chair, TARGET), by=sec, organizations=[other.pk])
    made = {state: propose(panel, state) for state in PROPOSAL_STATES}
    proposals.route_proposal(made["routed"], by=sec, organizations=[world.plan.submitted_by_id])
    proposals.return_proposal(made["returned"], by=sec, reason="与现行政策重复")
    proposals.merge_proposal(made["merged"], into=target, by=sec)
    for state, proposal in [*made.items(), (TARGET, target)]:
        proposal.refresh_from_db()
        world.proposals[state] = proposal
    return world


def _write_opinion(world, review, markers):
    opinion = review.opinions.get(expert=world.experts[PANEL])
    section = (review.plan_version.blocks or [{}])[0].get("section", "")
    data = {
        "conclusion": "agree",
        "scores": _criteria_scores(review),
        "summary": markers.get("opinion", "总体可行"),
        "points": [{"section": section, "text": markers.get("point", "建议补充资金测算")}],
    }
    opinion = opinion_services.save_opinion(opinion, by=world.users[PANEL], data=data, expected_version=opinion.version)
    opinion = opinion_services.submit_opinion(opinion, by=world.users[PANEL])
    world.point_id = opinion.points.values_list("pk", flat=True).first() if hasattr(opinion, "points") else None
    return opinion
