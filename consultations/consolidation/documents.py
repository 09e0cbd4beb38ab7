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
from consultations.consolidation.models import Consolidation, GeneratedDocument
from consultations.consolidation.selectors import consolidate
from consultations.consolidation.services import ensure_consolidation
from consultations.doc_templates import official
from consultations.doc_templates.official import append_text_row, chinese_number, number_parts, render_official_docx
from consultations.opinions.models import Opinion
from consultations.responses.models import Response

logger = logging.getLogger(__name__)


def _fmt(value):
    return "—" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


# ---------------------------------------------------------------- content shared by the documents


def response_text(response):
    if not response:
        return _("not answered yet")
    label = dict(Response.Status.choices)[response["status"]]
    return f"{label}: {response['reason']}" if response["reason"] else str(label)


def document_content(data):
    """The ordered parts of the document (headings 一、（一）1.), from ``consolidate(...)``."""
    review = data["review"]
    consolidation = data["consolidation"]
    scores = data["scores"]
    parts = [
        {
            "heading": _("Overview"),
            "lines": [
                _("Plan: {plan} (version {version}).").format(
                    plan=review.plan.title, version=review.plan_version.number
                ),
                _("Mode: {mode}; panel of {n}; {m} sealed opinion(s).").format(
                    mode=review.get_mode_display(), n=len(data["panel"]), m=len(data["opinions"])
                ),
            ],
        },
        {
            "heading": _("Conclusions"),
            "lines": [f"{conclusion_label(c)}: {n}" for c, n in data["tallies"].items()]
            + [_("Agreement: {state}.").format(state=agreement_label(data["agreement"]))],
        },
        {
            "heading": _("Scores"),
            "lines": [
                _(
                    "{label}: mean {mean}, median {median}, minimum {min}, maximum {max}, spread {stdev} (of {scale})."
                ).format(
                    label=row["label"],
                    mean=_fmt(row["mean"]),
                    median=_fmt(row["median"]),
                    min=_fmt(row["min"]),
                    max=_fmt(row["max"]),
                    stdev=_fmt(row["stdev"]),
                    scale=row["scale"],
                )
                for row in scores.values()
            ],
        },
        {"heading": _("Group opinion"), "lines": consolidation.group_opinion.splitlines() or [_("(not written yet)")]},
        {"heading": _("Points by section of the plan"), "lines": [], "groups": _point_groups(data)},
        {
            "heading": _("Dissenting opinions"),
            "lines": [
                line
                for o in data["dissent"]
                for line in [f"{o.author}（{conclusion_label(o.conclusion)}）: {o.summary}"]
                + [f"— {p.text}" for p in o.live]
            ]
            + [
                f"{c.expert.name if (c.expert_id and data['names']) else ''} {c.text}".strip()
                for c in data["dissent_comments"]
            ]
            or [_("None.")],
        },
    ]
    return number_parts(parts)


def _point_groups(data):
    groups = []
    for index, group in enumerate(data["groups"], start=1):
        title = group["title"] or (group["section"] or _("General"))
        groups.append(
            {
                "heading": f"（{chinese_number(index)}）{title}",
                "points": [
                    f"{number}. {p['text']}（{p['author']}）{_('Response')}: {response_text(p['response'])}"
                    for number, p in enumerate(group["points"], start=1)
                ],
            }
        )
    return groups


def agreement_label(state):
    return {
        "unanimous": _("unanimous"),
        "mixed": _("mixed"),
        "conflicting": _("conflicting"),
    }.get(state, _("no sealed opinion"))


def panel_rows(data):
    rows = []
    for member in data["panel"]:
        confirmation = member["confirmation"]
        rows.append(
            {
                "name": member["name"],
                "title": member["title"],
                "role": _("Chair") if member["chair"] else _("Member"),
                "confirmed": timezone.localtime(confirmation.at).strftime("%Y-%m-%d %H:%M")
                if confirmation
                else _("not confirmed"),
            }
        )
    return rows


def _title(data):
    return _("Expert panel opinion on “{plan}”").format(plan=data["review"].plan.title)


def _seal_line(data):
    consolidation = data["consolidation"]
    if consolidation.sealed_at:
        return _("Sealed {at}, version {version}, SHA-256 {digest}").format(
            at=timezone.localtime(consolidation.sealed_at).strftime("%Y-%m-%d %H:%M"),
            version=consolidation.version,
            digest=consolidation.digest,
        )
    return _("Version {version}, not yet confirmed by the whole panel.").format(version=consolidation.version)


def docx_bytes(data):
    return render_official_docx(
        {
            "title": _title(data),
            "subtitle": timezone.localtime(timezone.now()).strftime("%Y-%m-%d"),
            "parts": document_content(data),
            "signature_title": _("Signatures of the panel"),
            "signature_note": _("Each member confirmed the group opinion in the portal at the time shown."),
            "columns": [_("Name"), _("Title"), _("Role"), _("Confirmed")],
            "panel": panel_rows(data),
            "seal_line": _seal_line(data),
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
            "title": _title(data),
            "parts": document_content(data),
            "panel_rows": panel_rows(data),
            "seal_line": _seal_line(data),
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
    sheet.append([_("Expert"), _("Conclusion"), *[row["label"] for _k, row in criteria], _("Submitted")])
    for opinion in data["opinions"]:
        sheet.append(
            [
                opinion.author,
                conclusion_label(opinion.conclusion),
                *[(opinion.scores or {}).get(key) for key, _row in criteria],
                timezone.localtime(opinion.submitted_at).strftime("%Y-%m-%d %H:%M"),
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
    for ws in (sheet, points):
        for cell in ws[1]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


BUILDERS = {"docx": docx_bytes, "pdf": pdf_bytes, "xlsx": xlsx_bytes}
CONTENT_TYPES = {kind: official.CONTENT_TYPES[kind] for kind in BUILDERS}


# ---------------------------------------------------------------- background generation and the cache


def content_key(review, names=True):
    """Changes when anything a document shows changes: the consolidation's version, the sealed
    opinions (digests) and the answers."""
    consolidation = Consolidation.objects.filter(review=review).values_list("version", "sealed_at").first()
    digests = list(
        Opinion.objects.filter(review=review, submitted_at__isnull=False)
        .order_by("id")
        .values_list("digest", flat=True)
    )
    answers = list(
        Response.objects.filter(point__opinion__review=review)
        .order_by("point_id")
        .values_list("point_id", "status", "at")
    )
    raw = repr((consolidation, digests, answers, bool(names)))
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
