"""Template helpers of the committee site."""

from django import template
from wagtail.models import Site

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context):
    """The sections shown in the site's navigation: live children of the home page marked
    "show in menus", in tree order."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    return list(site.root_page.get_children().live().public().in_menu().specific())


@register.filter
def within(page, section):
    """Whether ``page`` lies below ``section`` in the tree."""
    return bool(page and section and getattr(page, "path", "").startswith(section.path) and page.pk != section.pk)
