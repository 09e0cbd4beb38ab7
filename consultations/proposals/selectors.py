"""Reads of proposals: those a user may see (and the portal's list of them), the secretariat's
board, the departments one may be routed to, the department that answers a suggestion, the
answered suggestions a published page lists."""

from django.db.models import Count, Q

from consultations.proposals.models import Proposal
from consultations.proposals.rules import proposal_filter


def proposals_visible_to(user):
    return Proposal.objects.filter(proposal_filter(user)).distinct()


def visible_proposal(user, proposal_id):
    return proposals_visible_to(user).filter(pk=proposal_id).first()


def departments():
    """The organisations a proposal may be routed to: government bodies and any organisation with
    department staff (not the experts' employers)."""
    from experts.models import Organization

    return Organization.objects.filter(Q(kind=Organization.Kind.GOVERNMENT) | Q(staff__isnull=False)).distinct()


def answering_department(point):
    """The department that answers for a suggestion: the one it was routed to; for one routed to
    all of the proposal's departments, that of the staff member who answered it (``None`` while
    unanswered or when the commission answered). Select ``response__by__department_staff__organization``."""
    if point.organization_id:
        return point.organization
    response = getattr(point, "response", None)
    staff = getattr(response.by, "department_staff", None) if response is not None and response.by_id else None
    return staff.organization if staff is not None else None


def answered_points(proposal):
    """The live suggestions that have an answer, in their order, ready for ``answering_department``."""
    points = (
        proposal.points.filter(removed=False)
        .select_related("response__by__department_staff__organization", "organization")
        .order_by("position")
    )
    return [p for p in points if hasattr(p, "response")]


def list_rows(user):
    """The proposals the caller may see, with counts of suggestions and answers (fixed queries)."""
    live = Q(points__removed=False)
    return (
        proposals_visible_to(user)
        .select_related("author")
        .annotate(
            n_points=Count("points", filter=live, distinct=True),
            n_answered=Count("points", filter=live & Q(points__response__isnull=False), distinct=True),
        )
        .order_by("-submitted_at", "-id")
    )


def board_rows(state=""):
    rows = (
        Proposal.objects.select_related("author")
        .annotate(n_points=Count("points", filter=Q(points__removed=False)))
        .order_by("-submitted_at", "-id")
    )
    return rows.filter(state=state) if state in Proposal.State.values else rows
