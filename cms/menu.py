"""The site's navigation, shared between requests.

The menu is the live, public children of a site's home page marked "show in menus", in tree
order. Reading it was 7 of the 18 queries of every public page and 46% of its time
(docs/benchmarks.md), so its entries are kept in the shared cache per site and language, and
forgotten whenever something they come from may have changed: a page saved, deleted, moved or
unpublished, a page's privacy, a site. Forgetting starts a new generation of keys (one cache
write), so no signal handler needs to know which sites or languages were cached.
"""

import uuid
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils.translation import get_language
from wagtail.models import Page, PageViewRestriction, Site, get_page_models
from wagtail.signals import page_unpublished, post_page_move

GENERATION_KEY = "cms:menu:generation"
MENU_SECONDS = 24 * 3600  # a bound, not the rule: every change forgets the menu at once


class MenuEntry(NamedTuple):
    """What the navigation shows of a section: ``pk`` and ``path`` mark the current one."""

    pk: int
    path: str
    url: str
    lang: str
    title: str


def _generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.add(GENERATION_KEY, generation, None)
        generation = cache.get(GENERATION_KEY, generation)
    return generation


def site_menu(site, request=None):
    """The menu entries of ``site`` in the active language, from the cache when it holds them."""
    key = f"cms:menu:{_generation()}:{site.pk}:{get_language() or ''}"
    entries = cache.get(key)
    if entries is None:
        sections = site.root_page.get_children().live().public().in_menu().specific()
        entries = [
            MenuEntry(page.pk, page.path, page.get_url(request=request), page.content_lang, page.display_title)
            for page in sections
        ]
        cache.set(key, entries, MENU_SECONDS)
    return entries


def new_generation():
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def forget_menus(**kwargs):
    """Every site's menu, in every language, is read afresh on its next request: now, and again
    when the change commits (a request between the two may have cached what was there before)."""
    new_generation()
    transaction.on_commit(new_generation)


def connect():
    """Forget the menus on every change they may come from (``CmsConfig.ready``). Each model is
    named: a receiver for every model would stop Django's fast deletes everywhere."""
    for model in [*get_page_models(), Page, PageViewRestriction, Site]:
        post_save.connect(forget_menus, sender=model, dispatch_uid=f"cms.menu.saved.{model._meta.label}")
        post_delete.connect(forget_menus, sender=model, dispatch_uid=f"cms.menu.deleted.{model._meta.label}")
    post_page_move.connect(forget_menus, dispatch_uid="cms.menu.moved")
    page_unpublished.connect(forget_menus, dispatch_uid="cms.menu.unpublished")
