"""The home page and the standard page."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField

from cms import blocks
from cms.models.base import RICH_TEXT_FEATURES, SitePage


class HomePage(SitePage):
    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    intro_en = RichTextField(_("introduction in English"), blank=True, features=RICH_TEXT_FEATURES)

    translated_fields = {**SitePage.translated_fields, "intro": "intro_en"}
    search_text_fields = ("intro", "intro_en")
    content_panels = SitePage.content_panels + [FieldPanel("intro"), FieldPanel("intro_en")]
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = [
        "cms.StandardPage",
        "cms.NewsIndexPage",
        "cms.NoticeIndexPage",
        "cms.MemberDirectoryPage",
        "cms.ConclusionIndexPage",
        "cms.PolicyLibraryPage",
    ]
    max_count = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        # Imported here, not above: the home page's class comes first, as it always has, in the
        # order Django registers the page types (and numbers their content types).
        from cms.models.conclusions import recent_conclusions
        from cms.models.news import latest_news, upcoming_meetings

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = latest_news(limit=5)
        context["upcoming_meetings"] = upcoming_meetings(limit=5)
        context["recent_conclusions"] = recent_conclusions(limit=5)
        return context


class StandardPage(SitePage):
    body = StreamField(blocks.BodyBlock(), verbose_name=_("body"), blank=True)
    body_en = StreamField(blocks.BodyBlock(), verbose_name=_("body in English"), blank=True)

    translated_fields = {**SitePage.translated_fields, "body": "body_en"}
    search_text_fields = ("body", "body_en")
    content_panels = SitePage.content_panels + [FieldPanel("body"), FieldPanel("body_en")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage", "cms.PolicyLibraryPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
