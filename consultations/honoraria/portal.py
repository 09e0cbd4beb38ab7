"""Honoraria in the portal's navigation: an expert's own fees."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.portal import nav_item
from reviews import rules as review_rules


@nav_item
def _nav(user):
    if review_rules.is_expert(user):
        return [{"title": _("My fees"), "url": reverse("consultations:my-honoraria")}]
    return []
