"""Experts' own proposals (专家建言): submission (sealed), screening by the secretariat (route,
merge, return), answers per suggestion by the departments routed to, publication with consent.
Who may is ``rules``; what the input must be, ``cleaning``.

One state function (``transition_proposal``) with a table changes the state:
submitted → routed | merged | returned; routed → answered when every live suggestion has an answer.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.opinions.canonical import digest as content_digest
from consultations.opinions.models import Point
from consultations.proposals import cleaning
from consultations.proposals.models import Proposal, ProposalAttachment
from consultations.proposals.rules import LIVE_STATES, can_screen, is_adopted, is_author
from consultations.responses import signals
from consultations.responses.kinds import write_response
from consultations.responses.models import Response
from core import live as realtime
from core.errors import StateConflict

TRANSITIONS = {
    Proposal.State.SUBMITTED: {Proposal.State.ROUTED, Proposal.State.MERGED, Proposal.State.RETURNED},
    Proposal.State.ROUTED: {Proposal.State.ANSWERED},
    Proposal.State.MERGED: set(),
    Proposal.State.RETURNED: set(),
    Proposal.State.ANSWERED: set(),
}


# ---------------------------------------------------------------- submission


def proposal_content(proposal):
    """What is sealed: title, problem, domains, suggestions and the attachments' digests."""
    return {
        "title": proposal.title,
        "problem": proposal.problem,
        "domains": sorted(proposal.domains.values_list("code", flat=True)),
        "points": [{"id": p.id, "text": p.text} for p in proposal.points.filter(removed=False).order_by("position")],
        "attachments": [{"title": a.title, "sha256": a.sha256} for a in proposal.attachments.order_by("id")],
    }


@transaction.atomic
def submit_proposal(expert, *, by, title, problem, points, domains=(), attachments=()):
    """An active expert's proposal, sealed on arrival (``digest`` of ``proposal_content``).
    Everything is checked before anything is stored; the secretariat's board hears of it."""
    from experts.models import Expert

    if expert.user_id is None or expert.user_id != getattr(by, "id", None):
        raise PermissionDenied(_("Experts submit their own proposals."))
    if expert.status != Expert.Status.ACTIVE:
        raise StateConflict(_("Only an active member of the committee submits proposals."))
    title, problem, texts, found, files = cleaning.clean_proposal(
        title=title, problem=problem, points=points, domains=domains, attachments=attachments
    )
    proposal = Proposal(author=expert, title=title, problem=problem, created_by=by)
    _save(proposal, by=by, reason="submitted")
    proposal.domains.set(found)
    Point.objects.bulk_create(Point(proposal=proposal, text=t, position=i) for i, t in enumerate(texts))
    for name, data in files:
        _attach(proposal, name, data)
    proposal.digest = content_digest(proposal_content(proposal))
    _save(proposal, by=by, reason="sealed", update_fields=["digest"])
    realtime.send_to_board("proposal.submitted", proposal=proposal.pk, state=proposal.state)
    return proposal


def _attach(proposal, name, data):
    digest = hashlib.sha256(data).hexdigest()
    attachment = ProposalAttachment(proposal=proposal, title=name, size=len(data), sha256=digest)
    extension = ".pdf" if name.lower().endswith(".pdf") else ".docx"
    attachment.file.save(f"proposal-{proposal.pk}{extension}", ContentFile(data), save=False)
    attachment.save()


def _save(proposal, *, by, reason, **kwargs):
    proposal._history_user = by
    proposal._change_reason = reason[:100]
    proposal.save(**kwargs)


# ---------------------------------------------------------------- the states


@transaction.atomic
def transition_proposal(proposal, to, *, by, reason="", **changes):
    """The one way a proposal's state changes: the table, then ``changes``, history and the
    board. Raises ``StateConflict`` when the move is not allowed."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if to not in TRANSITIONS[locked.state]:
        raise StateConflict(
            _("A proposal that is “{state}” cannot become “{to}”.").format(
                state=locked.get_state_display(), to=Proposal.State(to).label
            )
        )
    before = locked.state
    locked.state = to
    for name, value in changes.items():
        setattr(locked, name, value)
    _save(locked, by=by, reason=reason or f"{before} → {to}")
    realtime.send_to_board("proposal.state_changed", proposal=locked.pk, state=to, previous=before)
    proposal.state = locked.state
    return locked


def _require_screener(by):
    if not can_screen(by):
        raise PermissionDenied(_("The secretariat screens proposals."))


@transaction.atomic
def route_proposal(proposal, *, by, organizations, point_organizations=None):
    """Route to one or more departments; a suggestion goes to the one chosen for it, else to all
    of them (to the one when there is one). The expert and the departments' staff are told."""
    _require_screener(by)
    errors = {}
    orgs = cleaning.clean_organizations(organizations, errors)
    routes = cleaning.clean_point_routes(proposal, orgs, point_organizations, errors) if orgs else {}
    if errors:
        raise ValidationError(errors)
    routed = transition_proposal(proposal, Proposal.State.ROUTED, by=by, reason="routed")
    routed.routed_to.set(orgs)
    for point_id, org_id in routes.items():
        Point.objects.filter(pk=point_id).update(organization_id=org_id)  # Point has no history; None: all
    names = "、".join(o.name for o in orgs)
    _tell_author(
        routed,
        kind="proposal_routed",
        text=_("Your proposal “{title}” was sent to {names} for an answer.").format(title=routed.title, names=names),
        subject=_("Your proposal was routed"),
    )
    _tell_departments(routed, orgs)
    return routed


@transaction.atomic
def merge_proposal(proposal, *, into, by):
    """Merge a duplicate into another proposal; the expert is told that one's title (the link is
    to their own proposal: the other expert's is not theirs to read)."""
    _require_screener(by)
    if into is None or into.pk == proposal.pk:
        raise ValidationError({"into": [_("Choose another proposal to merge into.")]})
    # Both rows at once, in pk order: crossed merges (A into B, B into A) queue instead of
    # deadlocking, and the second one then finds its target merged and is refused.
    both = Proposal.objects.select_for_update().filter(pk__in=[proposal.pk, into.pk]).order_by("pk")
    locked = {p.pk: p for p in both}
    target = locked[into.pk]
    if target.state in (Proposal.State.MERGED, Proposal.State.RETURNED):
        raise StateConflict(_("A proposal is merged into one that is still open (not merged or returned)."))
    _refuse_if_others_merged_into(locked[proposal.pk])
    merged = transition_proposal(proposal, Proposal.State.MERGED, by=by, reason="merged", merged_into=target)
    _tell_author(
        merged,
        kind="proposal_merged",
        text=_("Your proposal “{title}” was merged into “{into}”, which makes the same point.").format(
            title=merged.title, into=target.title
        ),
        subject=_("Your proposal was merged"),
    )
    return merged


def _refuse_if_others_merged_into(proposal):
    """No chains: a proposal others were merged into stands for them, so it is neither merged nor
    returned itself (it is routed and answered for all of them)."""
    if Proposal.objects.filter(merged_into_id=proposal.pk).exists():
        raise StateConflict(_("Other proposals were merged into this one: it is routed, not merged or returned."))


@transaction.atomic
def return_proposal(proposal, *, by, reason):
    """Return it to the expert with the reason (required); not one others were merged into."""
    _require_screener(by)
    reason = cleaning.clean_return_reason(reason)
    _refuse_if_others_merged_into(Proposal.objects.select_for_update().get(pk=proposal.pk))
    returned = transition_proposal(proposal, Proposal.State.RETURNED, by=by, reason="returned", return_reason=reason)
    _tell_author(
        returned,
        kind="proposal_returned",
        text=_("Your proposal “{title}” was returned: {reason}").format(title=returned.title, reason=reason),
        subject=_("Your proposal was returned"),
    )
    return returned


# ---------------------------------------------------------------- answers (the proposal kind of point: kinds.py)


def answer_proposal_point(point, *, by, status, reason):
    """Record the answer to a suggestion; the expert hears of it at once, and once every live
    suggestion is answered the proposal becomes ``answered`` (and the expert is told again)."""
    proposal = Proposal.objects.select_for_update().get(pk=point.proposal_id)
    if proposal.state not in LIVE_STATES:
        raise StateConflict(_("Suggestions are answered once the proposal is routed."))
    if proposal.public_page_id:
        raise StateConflict(_("The proposal is published: its answers no longer change."))
    response = write_response(point, by=by, status=status, reason=reason)
    if proposal.author.user_id:
        from core.notify import notify

        notify(
            proposal.author.user,
            kind="response",
            text=_("A suggestion of your proposal “{title}” was answered: {status}.").format(
                title=proposal.title, status=Response.Status(status).label
            ),
            url=reverse("consultations:proposal", args=[proposal.pk]),
        )
    realtime.send_to_board("proposal.answered", proposal=proposal.pk, point=point.pk)
    open_left = proposal.points.filter(removed=False, response__isnull=True).exists()
    if proposal.state == Proposal.State.ROUTED and not open_left:
        transition_proposal(proposal, Proposal.State.ANSWERED, by=by, reason="every suggestion answered")
        _tell_author(
            proposal,
            kind="proposal_answered",
            text=_("Every suggestion of your proposal “{title}” has been answered.").format(title=proposal.title),
            subject=_("Your proposal has been answered"),
            sms=("answer", {"title": proposal.title}),
        )
    return response


# ---------------------------------------------------------------- telling people


def _tell_author(proposal, *, kind, text, subject, url=None, sms=None):
    """The portal and mail; a text message only for the kinds with an approved template (``sms``)."""
    from experts.notices.outbox import tell_expert

    tell_expert(
        proposal.author,
        kind=kind,
        text=text,
        subject=subject,
        url=url or reverse("consultations:proposal", args=[proposal.pk]),
        sms=sms,
    )


def _tell_departments(proposal, organizations):
    from core.notify import notify
    from reviews.models import DepartmentStaff

    staff = DepartmentStaff.objects.filter(organization__in=organizations).select_related("user")
    for row in staff:
        notify(
            row.user,
            kind="proposal_routed",
            text=_("An expert's proposal “{title}” waits for your answer.").format(title=proposal.title),
            url=reverse("consultations:proposal", args=[proposal.pk]),
        )


# ---------------------------------------------------------------- publication


@transaction.atomic
def consent_to_publication(proposal, *, by):
    """The author agrees that the adopted proposal may be published (recorded, with history)."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not is_author(by, locked):
        raise PermissionDenied(_("Only its author consents to publishing a proposal."))
    if not is_adopted(locked):
        raise StateConflict(_("A proposal is published once it is answered and at least partly adopted."))
    if locked.publication_consent_at:
        raise StateConflict(_("You have already agreed to publication."))
    locked.publication_consent_at = timezone.now()
    _save(locked, by=by, reason="consent to publication")
    return locked


@transaction.atomic
def publish_proposal(proposal, *, by):
    """Have the committee site draft a ``ProposalPage`` under its conclusions, submitted to the
    approval workflow (the secretariat approves it there). Needs the author's consent; made once."""
    _require_screener(by)
    locked = Proposal.objects.select_for_update().select_related("author").get(pk=proposal.pk)
    if not is_adopted(locked):
        raise StateConflict(_("A proposal is published once it is answered and at least partly adopted."))
    if not locked.publication_consent_at:
        raise StateConflict(_("The expert has not agreed to publication."))
    if locked.public_page_id:
        raise StateConflict(_("This proposal already has its page."))
    page = signals.drafted_page(signals.proposal_page_requested, sender=Proposal, proposal=locked, by=by)
    locked.public_page_id = page.pk
    _save(locked, by=by, reason="page drafted for publication", update_fields=["public_page_id"])
    return page
