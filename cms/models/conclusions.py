"""Published conclusions and expert proposals, under the conclusions' index page, and the
lists the site shows of them."""

import string

from django.db import models
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField

from cms import blocks
from cms.models.base import RICH_TEXT_FEATURES, IndexPage, SitePage, visible
from cms.paging import paginate


class ConclusionIndexPage(IndexPage):
    subpage_types = ["cms.ConclusionPage", "cms.ProposalPage"]

    class Meta:
        verbose_name = _("conclusion index")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["items"] = paginate(request, conclusions_under(self))
        context["proposals"] = proposals_under(self)[:50]
        return context


class ConclusionPage(SitePage):
    """A published conclusion: the plan, the panel's consolidated opinion and how each point was
    answered. Made as a draft from a finalised response package (``cms.publishing.draft_conclusion_page``,
    receiving ``consultations.consolidation.package.publish_conclusion``'s signal; the package keeps the
    page's id), or written by hand for older conclusions."""

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
    ``cms.publishing.draft_proposal_page``, receiving ``consultations.proposals.services.publish_proposal``'s
    signal, and approved through the site's workflow."""

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


def recent_conclusions(*, limit):
    return list(visible(ConclusionPage).order_by("-concluded_on", "-id")[:limit])


def conclusions_under(index):
    return visible(ConclusionPage).child_of(index).order_by("-concluded_on", "-id")


def proposals_under(index):
    return visible(ProposalPage).child_of(index).order_by("-answered_on", "-id")
