"""Recreate what Wagtail's and our migrations put in the page tree, after a test flush."""

from django.contrib.contenttypes.models import ContentType
from wagtail.models import Locale, Page, Site

from cms.models import HomePage


def ensure_wagtail_tree():
    if Site.objects.filter(is_default_site=True).exists():
        return
    locale, _ = Locale.objects.get_or_create(language_code="zh-hans")
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(
            instance=Page(
                title="Root", slug="root", content_type=ContentType.objects.get_for_model(Page), locale=locale
            )
        )
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="沈阳市战略性新兴产业专家顾问委员会", slug="home", locale=locale))
    Site.objects.create(hostname="localhost", root_page=home, is_default_site=True, site_name="专家顾问委员会")
