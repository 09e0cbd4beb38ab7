"""RSS for news and notices (django.contrib.syndication)."""

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from cms.models import MeetingNoticePage, NewsPage, visible

FEED_LENGTH = 20


class PageFeed(Feed):
    model = None
    order_by = ()

    def link(self):
        return "/"

    def items(self):
        return visible(self.model).order_by(*self.order_by)[:FEED_LENGTH]

    def item_title(self, item):
        return item.display_title

    def item_link(self, item):
        return item.get_url()

    def item_pubdate(self, item):
        return item.first_published_at


class NewsFeed(PageFeed):
    model = NewsPage
    order_by = ("-date", "-id")
    title = _("Committee news")
    description = _("News of the Shenyang Strategic Emerging Industries Expert Advisory Committee")

    def item_description(self, item):
        return item.translated("summary")


class NoticeFeed(PageFeed):
    model = MeetingNoticePage
    order_by = ("-meeting_at", "-id")
    title = _("Meeting notices")
    description = _("Meetings of the Shenyang Strategic Emerging Industries Expert Advisory Committee")

    def item_description(self, item):
        when = date_format(timezone.localtime(item.meeting_at), "DATETIME_FORMAT")
        return f"{when} · {item.translated('location')} · {item.translated('review_title')}"
