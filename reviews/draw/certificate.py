"""The draw certificate: one page (and the same as a PDF) that a witness, an inspector or a filing
clerk can read without the system. It says what was committed, the public value and the witness
inputs, the panel and the alternates in order, the exclusions by rule, and carries a QR code of
the record's address, which ``python -m reviews.verify`` checks. Who may see it is who may see the
draw (``reviews.rules.can_view_draw``)."""

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from core.pdf import html_to_pdf
from experts.models import Expert
from reviews.models import Draw


def certificate_context(draw, *, record_url):
    """What the page and the PDF show of ``draw`` (its commitment read once)."""
    commitment = draw.commitment
    ids = [*draw.selected, *draw.alternates]
    names = dict(Expert.objects.filter(pk__in=ids).values_list("pk", "name"))
    return {
        "draw": draw,
        "review": draw.review,
        "commitment": commitment,
        "witnessed": draw.seed_source == Draw.SeedSource.BEACON,
        "legacy": draw.seed_source in Draw.LEGACY_SOURCES,
        "witness_rows": _witness_rows(commitment, draw.witness_inputs),
        "panel": [(i, names.get(i, "")) for i in draw.selected],
        "alternates": [(i, names.get(i, "")) for i in draw.alternates],
        "exclusions": _exclusions(draw),
        "pool_size": len(draw.pool),
        "record_url": record_url,
        "qr_svg": qr_svg(record_url),
    }


def _witness_rows(commitment, inputs):
    witnesses = list(commitment.witnesses) if commitment else []
    inputs = list(inputs or [])
    return [(name, inputs[n] if n < len(inputs) else "") for n, name in enumerate(witnesses)]


def _exclusions(draw):
    """``[(rule, count)]`` in rule order: the ids themselves are in the record."""
    excluded = draw.excluded or {}
    if isinstance(excluded, list):  # records from before the exclusions were kept by rule
        return [(_("excluded"), len(excluded))]
    return [(rule, len(ids)) for rule, ids in sorted(excluded.items())]


def qr_svg(url):
    import segno

    return segno.make(url, error="m").svg_inline(scale=3, border=2)


def record_url(request, draw):
    return request.build_absolute_uri(reverse("api-draw-record", args=[draw.pk]))


def certificate_pdf(context, *, variant=None):
    """The certificate as a PDF (``variant="pdf/a-3b"`` for the archive)."""
    return html_to_pdf(render_to_string("reviews/draw/certificate_pdf.html", context), variant=variant)
