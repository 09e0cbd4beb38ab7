"""Issue 6's part of the portal shell: the workspace link, answers to one's points, and the
group opinions waiting for one's answer (unsealed, with their deadline)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.consolidation.rules import may_chase_answers, may_use_workspace
from core.portal import nav_item, task_provider
from experts import roles


@nav_item
def _nav(user):
    items = []
    if may_use_workspace(user):
        items.append({"title": _("Consolidated opinions"), "url": reverse("consultations:workspace")})
    if may_chase_answers(user):
        items.append({"title": _("Answers overdue"), "url": reverse("consultations:answers-overdue")})
    if roles.has_role(user, roles.EXPERT):
        items.append({"title": _("Answers to my points"), "url": reverse("consultations:my-points")})
    return items


@task_provider
def _to_confirm(user):
    if not roles.has_role(user, roles.EXPERT):
        return []
    from consultations.consolidation.models import Confirmation
    from reviews.models import Assignment, Review

    panels = (
        Assignment.objects.filter(
            expert__user=user,
            state=Assignment.State.ACCEPTED,
            review__state__in=(Review.State.CLOSED, Review.State.CONSOLIDATED),
            review__consolidation__version__gt=0,
            review__consolidation__sealed_at__isnull=True,
            review__response_package__isnull=True,
        )
        .exclude(review__consolidation__group_opinion="")
        .select_related("review__plan", "review__consolidation")
        .order_by("review__due_at")[:20]
    )
    panels = list(panels)
    confirmed = set(
        Confirmation.objects.filter(
            expert__user=user, consolidation__review__in=[a.review_id for a in panels]
        ).values_list("consolidation__review_id", "version")
    )
    items = [
        {
            "title": a.review.plan.title,
            "url": reverse("consultations:consolidation", args=[a.review_id]),
            "meta": _meta(a.review.consolidation),
        }
        for a in panels
        if (a.review_id, a.review.consolidation.version) not in confirmed
    ]
    if not items:
        return []
    return [{"title": _("Group opinions to answer"), "items": items, "empty": ""}]


def _meta(consolidation):
    if consolidation.confirm_by:
        return _("Group opinion version {v} to answer by {at}").format(
            v=consolidation.version, at=timezone.localtime(consolidation.confirm_by).strftime("%Y-%m-%d %H:%M")
        )
    return _("Group opinion version {v} to answer").format(v=consolidation.version)
