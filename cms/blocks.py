"""The few blocks an editor may use: nothing that can break the layout, the CSP or the contrast."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.contrib.table_block.blocks import TableBlock
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

# Paragraph text: emphasis, lists and links only. Headings have their own block, so the outline
# of a page stays sound (h2 from the heading block, h1 is the title).
PARAGRAPH_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]

TABLE_OPTIONS = {
    "minSpareRows": 0,
    "startRows": 3,
    "startCols": 3,
    "colHeaders": False,
    "rowHeaders": False,
    "contextMenu": [
        "row_above",
        "row_below",
        "---------",
        "col_left",
        "col_right",
        "---------",
        "remove_row",
        "remove_col",
        "---------",
        "undo",
        "redo",
    ],
    "editor": "text",
    "stretchH": "all",
    "renderer": "text",
    "autoColumnSize": False,
}


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("document"))
    label = blocks.CharBlock(
        label=_("link text"), required=False, max_length=200, help_text=_("Leave empty to use the document's title.")
    )

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document.html"
        label = _("Document")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("quotation"), max_length=2000)
    source = blocks.CharBlock(label=_("source"), required=False, max_length=200)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"
        label = _("Quote")


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), max_length=120, form_classname="title", template="cms/blocks/heading.html"
    )
    paragraph = blocks.RichTextBlock(label=_("Paragraph"), features=PARAGRAPH_FEATURES)
    table = TableBlock(label=_("Table"), table_options=TABLE_OPTIONS)
    image = ImageBlock(label=_("Image"), template="cms/blocks/image.html")
    document = DocumentLinkBlock()
    quote = QuoteBlock()


RESPONSE_STATUSES = [
    ("adopted", _("Adopted")),
    ("partly_adopted", _("Partly adopted")),
    ("not_adopted", _("Not adopted")),
]


class ResponseRowBlock(blocks.StructBlock):
    """One row of a conclusion's table of responses: a point, who raised it, and its answer."""

    section = blocks.CharBlock(label=_("section of the plan"), required=False, max_length=200)
    point = blocks.TextBlock(label=_("point raised"), max_length=2000)
    expert = blocks.CharBlock(label=_("expert"), required=False, max_length=50)
    status = blocks.ChoiceBlock(
        label=_("response"),
        choices=RESPONSE_STATUSES,
    )
    reason = blocks.TextBlock(label=_("reason"), required=False, max_length=2000)

    class Meta:
        icon = "list-ul"
        label = _("Response")
