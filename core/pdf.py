"""HTML to PDF (WeasyPrint) that reads our own static files and the system's fonts and nothing
else: no network, no other file (an opinion's ``<img src="file:///etc/passwd">`` gets nothing).
``variant="pdf/a-3b"`` makes a PDF/A for filing."""

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings

FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")


def static_roots():
    return [Path(p).resolve() for p in settings.STATICFILES_DIRS]


def allowed_url(url):
    """``url`` if it names a file inside our static directories, or a font file of the system's
    font directories (what a ``local()`` font alias resolves to); else ``ValueError``."""
    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise ValueError(f"refused: {url[:100]}")
    path = Path(unquote(parsed.path)).resolve()
    if any(path.is_relative_to(root) for root in static_roots()):
        return url
    if path.suffix.lower() in FONT_SUFFIXES and any(path.is_relative_to(d) for d in FONT_DIRS):
        return url
    raise ValueError(f"refused: {url[:100]}")


class StaticOnlyFetcher:
    """WeasyPrint's fetcher, allowed only what ``allowed_url`` allows."""

    def __new__(cls):
        from weasyprint.urls import URLFetcher

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                return super().fetch(allowed_url(url), headers)

        return _Fetcher(timeout=5, allowed_protocols=["file"], allow_redirects=False, fail_on_errors=False)


def html_to_pdf(html, *, variant=None):
    """The PDF of ``html`` (relative URLs resolve in our static files)."""
    from weasyprint import HTML

    base = static_roots()[0].as_uri() + "/"
    options = {"pdf_variant": variant} if variant else {}
    return HTML(string=html, base_url=base, url_fetcher=StaticOnlyFetcher()).write_pdf(**options)
