"""Proposals in the portal shell: the navigation link, and "my tasks" for a department
(suggestions waiting for its answer)."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from core.portal import nav_item, task_provider
from experts import roles
from reviews import rules as review_rules


@nav_item
def _nav(user):
    if roles.has_role(user, roles.EXPERT):
        return [{"title": _("My proposals"), "url": reverse("consultations:proposals")}]
    if review_rules.staff_organization_id(user) is not None:
        return [{"title": _("Proposals routed to us"), "url": reverse("consultations:proposals")}]
    if roles.has_role(user, roles.COMMISSION) or roles.has_role(user, roles.SECRETARIAT):
        return [{"title": _("Experts' proposals"), "url": reverse("consultations:proposals")}]
    return []


@task_provider
def _to_answer(user):
    org = review_rules.staff_organization_id(user)
    if org is None:
        return []
    from consultations.proposals.models import Proposal

    waiting = (
        Proposal.objects.filter(
            Q(points__organization_id=org) | Q(points__organization_id__isnull=True, routed_to__id=org),
            state=Proposal.State.ROUTED,
            points__removed=False,
            points__response__isnull=True,
        )
        .distinct()
        .order_by("submitted_at", "id")[:20]
    )
    items = [
        {"title": p.title, "url": reverse("consultations:proposal", args=[p.pk]), "meta": _("Suggestions to answer")}
        for p in waiting
    ]
    if not items:
        return []
    return [{"title": _("Proposals waiting for our answer"), "empty": "", "items": items}]
