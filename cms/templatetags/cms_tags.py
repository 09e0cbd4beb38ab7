"""Template helpers of the committee site."""

from django import template
from wagtail.models import Site

from cms import menu

register = template.Library()


@register.simple_tag(takes_context=True)
def site_menu(context):
    """The sections shown in the site's navigation (``cms.menu.site_menu``: cached entries)."""
    request = context.get("request")
    site = Site.find_for_request(request) if request else None
    if site is None:
        return []
    return menu.site_menu(site, request)


@register.filter
def within(page, section):
    """Whether ``page`` lies below ``section`` in the tree."""
    return bool(page and section and getattr(page, "path", "").startswith(section.path) and page.pk != section.pk)
