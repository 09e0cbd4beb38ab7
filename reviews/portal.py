"""The reviews app's contributions to the portal shell: navigation and "my tasks" sections."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.portal import nav_item, task_provider
from reviews import rules, selectors


@nav_item
def _nav(user):
    items = []
    if rules.is_expert(user):
        items.append({"title": _("Invitations and panels"), "url": reverse("reviews:invitations")})
    if rules.is_department_staff(user):
        items.append({"title": _("Our plans"), "url": reverse("reviews:my-plans")})
    return items


@task_provider
def _expert_tasks(user):
    if not rules.is_expert(user):
        return []
    waiting = list(selectors.invitations_waiting(user)[:20])
    return [
        {
            "title": _("Invitations to answer"),
            "items": [
                {
                    "title": a.review.plan.title,
                    "url": reverse("reviews:invitations"),
                    "meta": _("Answer by {date:%Y-%m-%d}").format(date=timezone.localtime(a.reply_by)),
                }
                for a in waiting
            ],
            "empty": _("No invitation is waiting for an answer."),
        }
    ]


@task_provider
def _department_tasks(user):
    if not rules.is_department_staff(user):
        return []
    return [
        {
            "title": _("Our plans"),
            "items": [
                {"title": plan.title, "url": reverse("reviews:my-plans"), "meta": plan.get_state_display()}
                for plan in selectors.plans_visible_to(user)[:10]
            ],
            "empty": _("No plans submitted yet."),
        }
    ]
