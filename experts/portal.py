"""The roster's contributions to the portal shell."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.portal import nav_item
from experts import roles


@nav_item
def profile_link(user):
    """Experts reach their own profile page from the navigation."""
    if roles.has_role(user, roles.EXPERT):
        return [{"title": _("My profile"), "url": reverse("expert-profile")}]
    return []
