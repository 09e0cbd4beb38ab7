"""The committee's website: Wagtail page types.

Language: the site is written in Chinese. A page has an English version when its English title
(``title_en``) is filled; then, for a visitor reading in English, each field with an ``_en``
twin shows the English text (falling back to the Chinese one where the twin is empty), and the
rest of the page is marked ``lang="zh-hans"``. Wagtail's own localisation (one page tree per
locale) is off: the committee translates a few pages, not a second site.

Search: every page keeps ``search_text``, the plain text of its title and body, refreshed on
each save of the live page; the site search matches substrings of it, which works for Chinese
where the database backend's word tokenizer does not (it does not segment ``机器人``).
"""

import string

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page

from cms import blocks

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
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = selectors.latest_news(limit=5)
        context["upcoming_meetings"] = selectors.upcoming_meetings(limit=5)
        context["recent_conclusions"] = selectors.recent_conclusions(limit=5)
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


class NewsIndexPage(IndexPage):
    subpage_types = ["cms.NewsPage"]

    class Meta:
        verbose_name = _("news index")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["items"] = selectors.paginate(request, selectors.news_under(self))
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
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["items"] = selectors.paginate(request, selectors.notices_under(self))
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


class MemberDirectoryPage(IndexPage):
    """The members, built from the roster each time it is shown: never typed in twice."""

    class Order(models.TextChoices):
        STROKES = "strokes", _("By surname stroke count")
        MANUAL = "manual", _("In the secretariat's manual order")

    order = models.CharField(_("order within a domain"), max_length=10, choices=Order.choices, default=Order.STROKES)

    content_panels = IndexPage.content_panels + [FieldPanel("order")]
    subpage_types = []

    class Meta:
        verbose_name = _("member directory")

    def get_context(self, request, *args, **kwargs):
        from experts.public import public_directory_page

        context = super().get_context(request, *args, **kwargs)
        context.update(public_directory_page(order=self.order, number=request.GET.get("page")))
        return context


class ConclusionIndexPage(IndexPage):
    subpage_types = ["cms.ConclusionPage", "cms.ProposalPage"]

    class Meta:
        verbose_name = _("conclusion index")

    def get_context(self, request, *args, **kwargs):
        from cms import selectors

        context = super().get_context(request, *args, **kwargs)
        context["items"] = selectors.paginate(request, selectors.conclusions_under(self))
        context["proposals"] = selectors.proposals_under(self)[:50]
        return context


class ConclusionPage(SitePage):
    """A published conclusion: the plan, the panel's consolidated opinion and how each point was
    answered. Made as a draft from a finalised response package (``responses.publish_conclusion``,
    which keeps the page's id on the package), or written by hand for older conclusions."""

    plan_title = models.CharField(_("plan"), max_length=300)
    plan_title_en = models.CharField(_("plan, in English"), max_length=300, blank=True)
    concluded_on = models.DateField(_("concluded on"), default=timezone.localdate)
    opinion = RichTextField(_("consolidated opinion"), features=RICH_TEXT_FEATURES)
    opinion_en = RichTextField(_("consolidated opinion in English"), blank=True, features=RICH_TEXT_FEATURES)
    responses = StreamField(
        [("response", blocks.ResponseRowBlock())], verbose_name=_("responses to the points"), blank=True
    )
    show_expert_names = models.BooleanField(
        _("show experts' names"),
        default=False,
        help_text=_("Off: each expert appears as Expert A, Expert B ... in the table of responses."),
    )

    translated_fields = {**SitePage.translated_fields, "plan_title": "plan_title_en", "opinion": "opinion_en"}
    search_text_fields = ("plan_title", "plan_title_en", "opinion", "opinion_en", "responses")
    content_panels = SitePage.content_panels + [
        FieldPanel("plan_title"),
        FieldPanel("plan_title_en"),
        FieldPanel("concluded_on"),
        FieldPanel("opinion"),
        FieldPanel("opinion_en"),
        FieldPanel("show_expert_names"),
        FieldPanel("responses"),
    ]
    parent_page_types = ["cms.ConclusionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("conclusion")
        verbose_name_plural = _("conclusions")

    def build_search_text(self):
        text = super().build_search_text()
        if self.show_expert_names:
            return text
        # Redacted names must not be findable either.
        for row in self.responses:
            name = (row.value.get("expert") or "").strip()
            if name:
                text = text.replace(name, "")
        return text

    def response_rows(self):
        """The table of responses, with each expert's name or a stable letter in its place."""
        letters = {}
        rows = []
        for row in self.responses:
            value = row.value
            name = (value.get("expert") or "").strip()
            if name and not self.show_expert_names:
                if name not in letters:
                    letters[name] = _redacted_label(len(letters))
                name = letters[name]
            rows.append(
                {
                    "section": value.get("section"),
                    "point": value.get("point"),
                    "expert": name,
                    "status": value.get("status"),
                    "status_label": dict(blocks.RESPONSE_STATUSES).get(value.get("status"), ""),
                    "reason": value.get("reason"),
                }
            )
        return rows

    @property
    def og_description(self):
        return self.search_description or strip_tags(self.translated("opinion"))[:200]


class ProposalPage(SitePage):
    """An adopted expert proposal (专家建言), published with its author's consent: the problem,
    each suggestion and how the department it went to answered it. Made as a draft by
    ``consultations.proposals.services.publish_proposal`` and approved through the site's workflow."""

    author_name = models.CharField(_("expert"), max_length=100, blank=True)
    answered_on = models.DateField(_("answered on"), default=timezone.localdate)
    problem = models.TextField(_("the problem"))
    problem_en = models.TextField(_("the problem, in English"), blank=True)
    responses = StreamField(
        [("response", blocks.ResponseRowBlock())], verbose_name=_("suggestions and their answers"), blank=True
    )

    translated_fields = {**SitePage.translated_fields, "problem": "problem_en"}
    search_text_fields = ("author_name", "problem", "problem_en", "responses")
    content_panels = SitePage.content_panels + [
        FieldPanel("author_name"),
        FieldPanel("answered_on"),
        FieldPanel("problem"),
        FieldPanel("problem_en"),
        FieldPanel("responses"),
    ]
    parent_page_types = ["cms.ConclusionIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("expert proposal")
        verbose_name_plural = _("expert proposals")

    def response_rows(self):
        return [
            {
                "department": row.value.get("section"),
                "point": row.value.get("point"),
                "status": row.value.get("status"),
                "status_label": dict(blocks.RESPONSE_STATUSES).get(row.value.get("status"), ""),
                "reason": row.value.get("reason"),
            }
            for row in self.responses
        ]

    @property
    def og_description(self):
        return self.search_description or self.translated("problem")[:200]


def _redacted_label(index):
    from django.utils.translation import gettext

    letters = string.ascii_uppercase
    label = letters[index % 26] + (str(index // 26) if index >= 26 else "")
    return gettext("Expert %(letter)s") % {"letter": label}


class PolicyLibraryPage(IndexPage):
    subpage_types = ["cms.StandardPage"]

    content_panels = IndexPage.content_panels + [InlinePanel("documents", label=_("documents"))]

    class Meta:
        verbose_name = _("policy library")

    def build_search_text(self):
        text = super().build_search_text()
        if self.pk:
            entries = self.documents.all()
            text += "\n" + "\n".join(f"{entry.title} {entry.issuer} {entry.summary}" for entry in entries)
        return text

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["entries"] = self.documents.select_related("document").all()
        context["subpages"] = self.get_children().live().public().specific()
        return context


class PolicyDocument(Orderable):
    page = ParentalKey(PolicyLibraryPage, on_delete=models.CASCADE, related_name="documents")
    document = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("document"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=300)
    issuer = models.CharField(_("issued by"), max_length=200, blank=True)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    summary = models.TextField(_("summary"), max_length=1000, blank=True)

    panels = [
        FieldPanel("document"),
        FieldPanel("title"),
        FieldPanel("issuer"),
        FieldPanel("issued_on"),
        FieldPanel("summary"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("policy document")
        verbose_name_plural = _("policy documents")

    def __str__(self):
        return self.title
