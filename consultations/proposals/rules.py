"""Who may do what with experts' proposals. One visibility rule (``proposal_filter``) serves
every path: its author, the secretariat, the commission and the staff of the organisations it
was routed to (once routed), as API.md lists. The authors of proposals merged into it do not
see it (they are told its title). Everyone else gets 404, the same as for one that does not
exist."""

from django.db.models import Q

from consultations.proposals.models import Proposal
from consultations.responses.models import Response
from experts import roles
from reviews import rules as review_rules

LIVE_STATES = (Proposal.State.ROUTED, Proposal.State.ANSWERED)  # when the departments routed to see it


def sees_every_proposal(user):
    return roles.has_role(user, roles.SECRETARIAT) or roles.has_role(user, roles.COMMISSION)


def proposal_filter(user):
    """The one visibility rule, as a filter on ``Proposal`` rows."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if sees_every_proposal(user):
        return Q()
    rule = Q(author__user=user)
    org = review_rules.staff_organization_id(user)
    if org is not None:
        routed = Proposal.routed_to.through.objects.filter(organization_id=org).values("proposal_id")
        rule |= Q(state__in=LIVE_STATES, pk__in=routed)
    return rule


def can_see_proposal(user, proposal):
    return Proposal.objects.filter(proposal_filter(user)).filter(pk=proposal.pk).exists()


def can_screen(user):
    """Route, merge, return, publish: the secretariat."""
    return review_rules.is_secretariat(user)


def can_answer_proposal_point(user, point):
    """The commission, or the staff of the department the suggestion was routed to (of any
    department the proposal was routed to, for a suggestion routed to all of them), while the
    proposal is routed or answered (an answer may be corrected until the proposal is published)."""
    if not user.is_authenticated or point.removed or point.proposal.state not in LIVE_STATES:
        return False
    if point.proposal.public_page_id:
        return False
    if roles.has_role(user, roles.COMMISSION):
        return True
    own = review_rules.staff_organization_id(user)
    if own is None:
        return False
    if point.organization_id is None:  # routed to every department the proposal went to
        return point.proposal.routed_to.filter(pk=own).exists()
    return own == point.organization_id


def is_author(user, proposal):
    return user.is_authenticated and proposal.author.user_id == user.id


def is_adopted(proposal):
    """Answered, with at least one suggestion adopted or partly adopted: it may be published."""
    return (
        proposal.state == Proposal.State.ANSWERED
        and proposal.points.filter(
            removed=False,
            response__status__in=[Response.Status.ADOPTED, Response.Status.PARTLY_ADOPTED],
        ).exists()
    )


def can_consent(user, proposal):
    """Its author agrees to publication, once, when it is adopted."""
    return is_author(user, proposal) and not proposal.publication_consent_at and is_adopted(proposal)


def is_publishable(proposal):
    """Adopted, consented to by its author, and without its page yet."""
    return bool(is_adopted(proposal) and proposal.publication_consent_at and not proposal.public_page_id)
