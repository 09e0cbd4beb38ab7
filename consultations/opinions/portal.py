"""The consultations app's part of the portal shell: opinions to write, boards to watch."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.portal import task_provider
from experts import roles
from reviews.models import Assignment, Review


@task_provider
def _opinions_to_write(user):
    if not roles.has_role(user, roles.EXPERT):
        return []
    open_panels = (
        Assignment.objects.filter(expert__user=user, state=Assignment.State.ACCEPTED, review__state=Review.State.OPEN)
        .select_related("review__plan", "opinion")
        .order_by("review__due_at")[:20]
    )
    items = []
    for a in open_panels:
        opinion = getattr(a, "opinion", None)
        done = bool(opinion and opinion.submitted_at)
        items.append(
            {
                "title": a.review.plan.title,
                "url": reverse("consultations:write", args=[a.review_id]),
                "meta": _("Submitted")
                if done
                else _("Due {date:%Y-%m-%d %H:%M}").format(date=timezone.localtime(a.review.due_at)),
            }
        )
    return [{"title": _("Opinions to write"), "items": items, "empty": _("No opinion to write now.")}]


@task_provider
def _boards(user):
    if not roles.has_role(user, roles.SECRETARIAT):
        return []
    reviews = Review.objects.filter(state=Review.State.OPEN).select_related("plan").order_by("due_at")[:20]
    return [
        {
            "title": _("Opinions in progress"),
            "items": [
                {
                    "title": r.plan.title,
                    "url": reverse("consultations:board", args=[r.pk]),
                    "meta": _("Due {date:%Y-%m-%d %H:%M}").format(date=timezone.localtime(r.due_at)),
                }
                for r in reviews
            ],
            "empty": _("No review is open."),
        }
    ]
