"""The one HTML sanitiser: every piece of user- or document-supplied HTML goes through here.

nh3 (ammonia) keeps an allow-list of tags and attributes, drops scripts, styles, event
attributes and ``javascript:`` URLs, and its output is a fixed point: sanitising it again
changes nothing (tests/security/test_hostile_input.py checks both).
"""

import nh3

TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "thead", "tbody", "tr", "th", "td",
    "strong", "em", "b", "i", "u", "sup", "sub", "br", "blockquote", "a",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitize_html(html, *, tags=None, attributes=None):
    """``html`` with only the allowed ``tags`` and ``attributes`` (the defaults above); links get
    ``rel="noopener noreferrer"``."""
    tags = TAGS if tags is None else set(tags)
    attributes = ATTRIBUTES if attributes is None else attributes
    return nh3.clean(
        str(html or ""),
        tags=tags,
        attributes={tag: set(names) for tag, names in attributes.items() if tag in tags},
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer" if "a" in tags else None,
        strip_comments=True,
    )
