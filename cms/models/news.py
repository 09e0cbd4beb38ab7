"""News and meeting notices: their index pages, the pages, and the lists the site shows of them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField

from cms import blocks
from cms.models.base import IndexPage, SitePage, visible
from cms.paging import paginate


class NewsIndexPage(IndexPage):
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = paginate(request, news_under(self))
        return context


class NewsPage(SitePage):
    date = models.DateField(_("date"), default=timezone.localdate)
    summary = models.TextField(_("summary"), max_length=300, blank=True)
    summary_en = models.TextField(_("summary in English"), max_length=300, blank=True)
    body = StreamField(blocks.BodyBlock(), verbose_name=_("body"), blank=True)
    body_en = StreamField(blocks.BodyBlock(), verbose_name=_("body in English"), blank=True)

    translated_fields = {**SitePage.translated_fields, "summary": "summary_en", "body": "body_en"}
    search_text_fields = ("summary", "summary_en", "body", "body_en")
    content_panels = SitePage.content_panels + [
        FieldPanel("date"),
        FieldPanel("summary"),
        FieldPanel("summary_en"),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    @property
    def og_description(self):
        return self.search_description or self.translated("summary")


class NoticeIndexPage(IndexPage):
    subpage_types = ["cms.MeetingNoticePage"]

    class Meta:
        verbose_name = _("notice index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = paginate(request, notices_under(self))
        return context


class MeetingNoticePage(SitePage):
    """A public notice of a meeting. It names the plan under review, when and where, and never the
    panel: who was drawn stays confidential until the meeting (the page has no field for it)."""

    meeting_at = models.DateTimeField(_("meeting time"))
    location = models.CharField(_("place"), max_length=200)
    location_en = models.CharField(_("place in English"), max_length=200, blank=True)
    review = models.ForeignKey(
        "reviews.Review",
        verbose_name=_("review announced"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        limit_choices_to={"mode": "meeting"},
        help_text=_("Only the plan's title is shown; the panel stays confidential."),
    )
    review_title = models.CharField(
        _("plan under review"),
        max_length=300,
        blank=True,
        help_text=_("Leave empty to show the title of the review's plan. Never name the panel."),
    )
    review_title_en = models.CharField(_("review announced, in English"), max_length=300, blank=True)
    body = StreamField(blocks.BodyBlock(), verbose_name=_("body"), blank=True)
    body_en = StreamField(blocks.BodyBlock(), verbose_name=_("body in English"), blank=True)

    translated_fields = {
        **SitePage.translated_fields,
        "location": "location_en",
        "review_title": "review_title_en",
        "body": "body_en",
    }
    search_text_fields = ("location", "location_en", "review_title", "review_title_en", "body", "body_en")
    content_panels = SitePage.content_panels + [
        MultiFieldPanel(
            [FieldPanel("meeting_at"), FieldPanel("location"), FieldPanel("location_en")], heading=_("When and where")
        ),
        FieldPanel("review"),
        FieldPanel("review_title"),
        FieldPanel("review_title_en"),
        FieldPanel("body"),
        FieldPanel("body_en"),
    ]
    parent_page_types = ["cms.NoticeIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("meeting notice")
        verbose_name_plural = _("meeting notices")

    def clean(self):
        super().clean()
        if self.review_id and self.review.mode != "meeting":
            raise ValidationError({"review": _("Choose a review held as a meeting.")})

    def save(self, *args, **kwargs):
        if self.review_id and not self.review_title.strip():
            self.review_title = self.review.plan.title
        return super().save(*args, **kwargs)

    @property
    def is_upcoming(self):
        return self.meeting_at >= timezone.now()

    @property
    def og_description(self):
        return self.search_description or self.translated("review_title")


def latest_news(*, limit):
    return list(visible(NewsPage).order_by("-date", "-id")[:limit])


def news_under(index):
    return visible(NewsPage).child_of(index).order_by("-date", "-id")


def upcoming_meetings(*, limit):
    return list(visible(MeetingNoticePage).filter(meeting_at__gte=timezone.now()).order_by("meeting_at", "id")[:limit])


def notices_under(index):
    return visible(MeetingNoticePage).child_of(index).order_by("-meeting_at", "-id")
