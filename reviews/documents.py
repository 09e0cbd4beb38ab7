"""One-time conversion of a plan version for reading in the browser.

``.docx``: mammoth to HTML, then nh3 keeps only harmless tags (no scripts, styles, event
attributes or images: a plan's text is what experts comment on). ``.pdf``: pypdf's text, page by
page, one block per paragraph. Every block gets a stable ``section`` anchor (``s1``, ``s2`` ...
in document order; ``p3-2`` for page 3, paragraph 2) that opinions point at; the blocks are
stored on the version and never recomputed, so an anchor keeps meaning what it meant.
"""

import io
import logging

import lxml.html
import nh3

from core.html import sanitize_html

logger = logging.getLogger(__name__)

ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "strong", "em", "b", "i", "u", "sup", "sub", "br", "blockquote",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}


def sanitize(html):
    return sanitize_html(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES)  # config/html.py: the one sanitiser


def docx_blocks(data):
    import mammoth

    result = mammoth.convert_to_html(io.BytesIO(data))
    clean = sanitize(result.value)
    if not clean.strip():
        return []
    fragments = lxml.html.fragments_fromstring(clean)
    blocks = []
    for fragment in fragments:
        if isinstance(fragment, str):
            if not fragment.strip():
                continue
            kind, html = "p", f"<p>{nh3.clean_text(fragment)}</p>"
        else:
            kind = fragment.tag
            html = lxml.html.tostring(fragment, encoding="unicode")
            if not fragment.text_content().strip() and kind != "table":
                continue
        blocks.append({"section": f"s{len(blocks) + 1}", "kind": kind, "html": sanitize(html)})
    return blocks


def pdf_blocks(data):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    blocks = []
    for page_number, page in enumerate(reader.pages, start=1):
        text = page.extract_text() or ""
        paragraphs = [p.strip() for p in text.replace("\r", "").split("\n\n") if p.strip()]
        if len(paragraphs) <= 1:
            paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
        for index, paragraph in enumerate(paragraphs, start=1):
            blocks.append({"section": f"p{page_number}-{index}", "kind": "p", "page": page_number, "text": paragraph})
    return blocks


def convert(name, data):
    """``(blocks, problem)`` for a document; a document that cannot be read gives no blocks and a
    message (the original stays downloadable)."""
    try:
        blocks = pdf_blocks(data) if name.lower().endswith(".pdf") else docx_blocks(data)
    except Exception as error:  # a malformed upload must not fail the upload; say what happened
        logger.info("plan document %s could not be converted", name, exc_info=True)
        return [], f"{type(error).__name__}: {error}"[:500]
    return blocks, ""
