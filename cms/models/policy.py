"""The policy library: a page of documents with their issuer, date and summary."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.models import Orderable

from cms.models.base import IndexPage


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
