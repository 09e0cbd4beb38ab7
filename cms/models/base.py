"""What every page of the site shares: the English version of a page and its search text
(see the package's docstring), the index pages' common fields, and the one definition of a
page the public may see."""

from django.db import models
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page

RICH_TEXT_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link", "h3", "h4"]


def reading_english():
    return (get_language() or "").startswith("en")


class SitePage(Page):
    """What every page of the site shares: an optional English version and its search text."""

    title_en = models.CharField(
        _("English title"),
        max_length=255,
        blank=True,
        help_text=_(
            "Fill this to publish an English version of the page; English fields left empty show the Chinese text."
        ),
    )
    search_text = models.TextField(editable=False, blank=True, default="")

    # Chinese field -> its English twin.
    translated_fields = {"title": "title_en"}
    # Fields whose text the site search matches, besides the titles.
    search_text_fields = ()

    content_panels = Page.content_panels + [FieldPanel("title_en")]

    class Meta:
        abstract = True

    @property
    def has_english(self):
        return bool(self.title_en.strip())

    @property
    def shows_english(self):
        return self.has_english and reading_english()

    @property
    def content_lang(self):
        return "en" if self.shows_english else "zh-hans"

    def translated(self, name):
        twin = self.translated_fields.get(name)
        if twin and self.shows_english:
            value = getattr(self, twin)
            if value:
                return value
        return getattr(self, name)

    @property
    def display_title(self):
        return self.translated("title")

    @property
    def tr(self):
        """For templates: ``{{ page.tr.summary }}`` is ``page.translated("summary")``."""
        return _Translated(self)

    @property
    def og_description(self):
        return self.search_description or ""

    def build_search_text(self):
        parts = [self.title, self.title_en]
        for name in self.search_text_fields:
            field = self._meta.get_field(name)
            value = getattr(self, name)
            if hasattr(field, "get_searchable_content"):
                parts.extend(str(item) for item in field.get_searchable_content(value))
            elif value:
                parts.append(strip_tags(str(value)))
        return "\n".join(part for part in parts if part)

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        return super().save(*args, **kwargs)


class _Translated:
    def __init__(self, page):
        self._page = page

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._page.translated(name)


class IndexPage(SitePage):
    """A list of child pages with an introduction above it."""

    intro = RichTextField(_("introduction"), blank=True, features=RICH_TEXT_FEATURES)
    intro_en = RichTextField(_("introduction in English"), blank=True, features=RICH_TEXT_FEATURES)

    translated_fields = {**SitePage.translated_fields, "intro": "intro_en"}
    search_text_fields = ("intro", "intro_en")
    content_panels = SitePage.content_panels + [FieldPanel("intro"), FieldPanel("intro_en")]
    parent_page_types = ["cms.HomePage"]
    max_count = 1

    class Meta:
        abstract = True


def visible(model):
    """Live pages of ``model`` that the public may see."""
    return model.objects.live().public()
