"""The roster's contributions to the portal shell."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.portal import nav_item, task_provider
from experts import roles


@nav_item
def profile_link(user):
    """Experts reach their own profile page from the navigation."""
    if roles.has_role(user, roles.EXPERT):
        return [{"title": _("My profile"), "url": reverse("expert-profile")}]
    return []


@task_provider
def welcome(user):
    """Someone signed in with no role yet is told who gives them one."""
    if roles.roles_of(user):
        return []
    return [
        {
            "title": _("No role yet"),
            "items": [],
            "empty": _("Your account has no role in the committee yet. The secretariat assigns roles."),
        }
    ]
