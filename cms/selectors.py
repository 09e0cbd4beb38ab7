"""Reads for the committee site: lists of live public pages, and the site search."""

from django.core.paginator import Paginator
from django.utils import timezone
from wagtail.models import Page

from cms.models import ConclusionPage, MeetingNoticePage, NewsPage, SitePage

PAGE_SIZE = 20
MAX_QUERY_LENGTH = 100


def visible(model):
    return model.objects.live().public()


def latest_news(*, limit):
    return list(visible(NewsPage).order_by("-date", "-id")[:limit])


def upcoming_meetings(*, limit):
    return list(visible(MeetingNoticePage).filter(meeting_at__gte=timezone.now()).order_by("meeting_at", "id")[:limit])


def recent_conclusions(*, limit):
    return list(visible(ConclusionPage).order_by("-concluded_on", "-id")[:limit])


def news_under(index):
    return visible(NewsPage).child_of(index).order_by("-date", "-id")


def notices_under(index):
    return visible(MeetingNoticePage).child_of(index).order_by("-meeting_at", "-id")


def conclusions_under(index):
    return visible(ConclusionPage).child_of(index).order_by("-concluded_on", "-id")


def proposals_under(index):
    from cms.models import ProposalPage

    return visible(ProposalPage).child_of(index).order_by("-answered_on", "-id")


def paginate(request, queryset, *, per_page=PAGE_SIZE):
    """One page of a list; a page number that is not a number or out of range gives the last
    or first page rather than an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


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
