"""The member directory: built from the roster each time it is shown (experts/public.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel

from cms.models.base import IndexPage
from experts.public import public_directory_page


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
        context = super().get_context(request, *args, **kwargs)
        context.update(public_directory_page(order=self.order, number=request.GET.get("page")))
        return context
