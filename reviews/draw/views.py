"""The draw certificate as a page and as a PDF, for those who may see the draw (404 for others)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from reviews import rules
from reviews.draw.certificate import certificate_context, certificate_pdf, record_url
from reviews.models import Draw


def _visible_draw(request, draw_id):
    draw = Draw.objects.select_related("review__plan", "commitment").filter(pk=draw_id).first()
    if draw is None or not rules.can_view_draw(request.user, draw):
        raise Http404
    return draw


@login_required
def certificate_page(request, draw_id):
    draw = _visible_draw(request, draw_id)
    context = certificate_context(draw, record_url=record_url(request, draw))
    return render(request, "reviews/draw/certificate.html", context)


@login_required
def certificate_download(request, draw_id):
    draw = _visible_draw(request, draw_id)
    data = certificate_pdf(certificate_context(draw, record_url=record_url(request, draw)))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}-certificate.pdf"'
    return response
