"""Reads for the committee site: the site search over live public pages.

The lists a page shows of its children (news, notices, conclusions) sit beside their page types
in ``cms/models/``: the models use them, and models never import selectors."""

from wagtail.models import Page

from cms.models import SitePage, visible

MAX_QUERY_LENGTH = 100

__all__ = ["MAX_QUERY_LENGTH", "clean_query", "page_models", "search_pages", "visible"]


def page_models():
    """Every concrete page type of the site (they all keep ``search_text``)."""

    def concrete(cls):
        for sub in cls.__subclasses__():
            if not sub._meta.abstract:
                yield sub
            yield from concrete(sub)

    return list(dict.fromkeys(concrete(SitePage)))


def clean_query(raw):
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


def search_pages(query, *, limit=50):
    """Live public pages whose text contains every word of ``query`` as a substring.

    Substrings, not tokens: Chinese has no spaces, so ``机器`` must find ``机器人``.
    """
    words = clean_query(query).split()
    if not words:
        return []
    ids = []
    for model in page_models():
        matches = visible(model)
        for word in words:
            matches = matches.filter(search_text__icontains=word)
        ids.extend(matches.values_list("id", flat=True)[:limit])
    return list(Page.objects.filter(id__in=ids).order_by("-first_published_at", "-id").specific()[:limit])
