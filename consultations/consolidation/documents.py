"""The consolidated opinion as documents to file: .docx (GB/T 9704 layout, from the template kept
in ``doc_templates/``), .pdf (WeasyPrint, with the CJK fonts on the machine behind the official
font names) and .xlsx (every score and point). Made in the background (Django tasks), kept per
content key so the same version is never made twice, with a progress figure meanwhile.
"""

import hashlib
import io
import logging
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.consolidation.charts import conclusion_label, spread_chart, tally_chart
from consultations.consolidation.content import (  # noqa: F401 (agreement_label, response_text: the page's)
    _local,
    agreement_label,
    document_content,
    independence_rows,
    panel_rows,
    response_text,
    seal_line,
    title,
)
from consultations.consolidation.models import Confirmation, Consolidation, GeneratedDocument
from consultations.consolidation.selectors import consolidate
from consultations.consolidation.services import ensure_consolidation
from consultations.doc_templates import official
from consultations.doc_templates.official import append_text_row, render_official_docx
from consultations.opinions.models import Opinion, OpinionVersion
from consultations.responses.models import Response

logger = logging.getLogger(__name__)


def docx_bytes(data):
    return render_official_docx(
        {
            "title": title(data),
            "subtitle": timezone.localtime(timezone.now()).strftime("%Y-%m-%d"),
            "parts": document_content(data),
            "signature_title": _("Signatures of the panel"),
            "signature_note": _(
                "Each member answered the group opinion in the portal: confirmed, confirmed with reservations, or "
                "refused to sign, with the time and the text of the answer; a member who did not answer by the "
                "deadline is shown so."
            ),
            "columns": [_("Name"), _("Title"), _("Role"), _("Answer")],
            "panel": panel_rows(data),
            "seal_line": seal_line(data),
        }
    )


# ---------------------------------------------------------------- PDF


class StaticOnlyFetcher:
    """WeasyPrint's fetcher, allowed to read our own static files and nothing else: no network,
    no other file (an opinion's ``<img src="file:///etc/passwd">`` gets nothing)."""

    def __new__(cls):
        from weasyprint.urls import URLFetcher

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                return super().fetch(allowed_url(url), headers)

        return _Fetcher(timeout=5, allowed_protocols=["file"], allow_redirects=False, fail_on_errors=False)


FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".woff", ".woff2")


def static_roots():
    return [Path(p).resolve() for p in settings.STATICFILES_DIRS]


def allowed_url(url):
    """``url`` if it names a file inside our static directories, or a font file of the system's
    font directories (what a ``local()`` font alias resolves to); else ``ValueError``."""
    from urllib.parse import unquote, urlparse

    parsed = urlparse(url)
    if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
        raise ValueError(f"refused: {url[:100]}")
    path = Path(unquote(parsed.path)).resolve()
    if any(path.is_relative_to(root) for root in static_roots()):
        return url
    if path.suffix.lower() in FONT_SUFFIXES and any(path.is_relative_to(d) for d in FONT_DIRS):
        return url
    raise ValueError(f"refused: {url[:100]}")


def pdf_bytes(data, *, variant=None):
    """The PDF (``variant="pdf/a-3b"``: PDF/A for the review's archive)."""
    from weasyprint import HTML

    html = render_to_string(
        "consultations/consolidation/document.html",
        {
            **data,
            "title": title(data),
            "parts": document_content(data),
            "panel_rows": panel_rows(data),
            "seal_line": seal_line(data),
            "tally_chart": tally_chart(data["tallies"]),
            "spread_chart": spread_chart(data["scores"]),
        },
    )
    base = static_roots()[0].as_uri() + "/"
    options = {"pdf_variant": variant} if variant else {}
    return HTML(string=html, base_url=base, url_fetcher=StaticOnlyFetcher()).write_pdf(**options)


# ---------------------------------------------------------------- spreadsheet


def xlsx_bytes(data):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "scores"
    criteria = list(data["scores"].items())
    sheet.append([_("Expert"), _("Conclusion"), *[row["label"] for _k, row in criteria], _("Submitted"),
                  _("Changed after reading the others")])  # fmt: skip
    for opinion in data["opinions"]:
        sheet.append(
            [
                opinion.author,
                conclusion_label(opinion.conclusion),
                *[(opinion.scores or {}).get(key) for key, _row in criteria],
                timezone.localtime(opinion.submitted_at).strftime("%Y-%m-%d %H:%M"),
                _("yes") if opinion.independence["changed_after_reading_others"] else _("no"),
            ]
        )
    for label, field in ((_("Mean"), "mean"), (_("Median"), "median"), (_("Minimum"), "min"),
                         (_("Maximum"), "max"), (_("Standard deviation"), "stdev")):  # fmt: skip
        sheet.append([label, "", *[row[field] for _k, row in criteria]])
    points = workbook.create_sheet("points")
    points.append([_("Point"), _("Section"), _("Expert"), _("Text"), _("Response"), _("Reason")])
    for point in data["points"]:
        response = point["response"] or {}
        append_text_row(points, [point["id"], point["section"], point["author"], point["text"],
                                 response.get("status", ""), response.get("reason", "")])  # fmt: skip
    answers = workbook.create_sheet("answers")
    answers.append([_("Expert"), _("Role"), _("Answer"), _("Text"), _("At")])
    for member in data["panel"]:
        answer = member["confirmation"]
        append_text_row(answers, [member["name"], _("Chair") if member["chair"] else _("Member"),
                                  answer.get_kind_display() if answer else _("not answered yet"),
                                  answer.text if answer else "", _local(answer.at) if answer else ""])  # fmt: skip
    independence = workbook.create_sheet("independence")
    independence.append([_("Expert"), _("Could read the others from"), _("Changed after reading the others"),
                         _("What changed")])  # fmt: skip
    for author, read_from, changed, changes in independence_rows(data):
        append_text_row(independence, [author, read_from, _("yes") if changed else _("no"), "\n".join(changes)])
    for ws in (sheet, points, answers, independence):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BUILDERS = {"docx": docx_bytes, "pdf": pdf_bytes, "xlsx": xlsx_bytes}
CONTENT_TYPES = {kind: official.CONTENT_TYPES[kind] for kind in BUILDERS}


# ---------------------------------------------------------------- background generation and the cache


def content_key(review, names=True):
    """Changes when anything a document shows changes: the consolidation's version, deadline and
    seal, the panel's answers, the sealed opinions (digests, versions kept, when their authors
    could read the others) and the answers to points."""
    consolidation = (
        Consolidation.objects.filter(review=review)
        .values_list("version", "sealed_at", "sealed_by", "confirm_by")
        .first()
    )
    confirmations = list(
        Confirmation.objects.filter(consolidation__review=review)
        .order_by("id")
        .values_list("expert_id", "version", "kind", "text", "at")
    )
    opinions = list(
        Opinion.objects.filter(review=review, submitted_at__isnull=False)
        .order_by("id")
        .values_list("digest", "read_others_at")
    )
    versions = list(
        OpinionVersion.objects.filter(opinion__review=review, after_reading_others=True)
        .order_by("id")
        .values_list("opinion_id", "number")
    )
    answers = list(
        Response.objects.filter(point__opinion__review=review)
        .order_by("point_id")
        .values_list("point_id", "status", "at")
    )
    raw = repr((consolidation, confirmations, opinions, versions, answers, bool(names)))
    return hashlib.sha256(raw.encode()).hexdigest()


def request_document(review, kind, *, names=True):
    """The document of ``kind`` for the review as it is now: the cached one, or a new one queued
    for the background worker (made at once with the immediate backend). ``names`` False: the
    experts appear as letters (the department's copy of a consolidation blind to it)."""
    consolidation = ensure_consolidation(review)
    key = content_key(review, names)
    existing = GeneratedDocument.objects.filter(consolidation=consolidation, key=key, kind=kind).first()
    if existing is not None and existing.state != GeneratedDocument.State.FAILED:
        return existing
    if existing is not None:
        existing.delete()
    try:
        with transaction.atomic():
            document = GeneratedDocument.objects.create(
                consolidation=consolidation, key=key, kind=kind, version=consolidation.version, names=bool(names)
            )
    except IntegrityError:
        return GeneratedDocument.objects.get(consolidation=consolidation, key=key, kind=kind)
    transaction.on_commit(lambda: make_document.enqueue(document.pk))
    return document


def _progress(document, progress, state=GeneratedDocument.State.RUNNING, **fields):
    GeneratedDocument.objects.filter(pk=document.pk).update(progress=progress, state=state, **fields)


@task
def make_document(document_id):
    """Build one document (in the committee's language) and store it in private storage."""
    document = GeneratedDocument.objects.select_related("consolidation__review__plan").filter(pk=document_id).first()
    if document is None or document.state == GeneratedDocument.State.DONE:
        return
    _progress(document, 10)
    try:
        with translation.override(settings.LANGUAGE_CODE):
            data = consolidate(document.consolidation.review, names=document.names)
            _progress(document, 40)
            content = BUILDERS[document.kind](data)
        _progress(document, 90)
        name = f"consolidation-{document.consolidation.review_id}-v{document.version}.{document.kind}"
        document.file.save(name, ContentFile(content), save=False)
        _progress(document, 100, state=GeneratedDocument.State.DONE, file=document.file.name)
    except Exception as error:  # a failed document is shown as failed and made again on request
        logger.exception("document %s failed", document_id)
        _progress(document, 0, state=GeneratedDocument.State.FAILED, error=str(error)[:500])
