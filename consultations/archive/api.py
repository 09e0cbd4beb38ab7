"""``GET /api/v1/reviews/{id}/archive.zip``: the review's whole record (docs/archive.md). Whoever
may not see the review gets 404; those who see it but may not have its archive 403; before the
review is consolidated 409."""

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, OpenApiTypes, extend_schema
from rest_framework import exceptions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.views import APIView

from consultations.archive.build import build_archive
from consultations.consolidation.rules import can_download_archive
from reviews import rules as review_rules
from reviews import selectors as review_selectors

CONTENT_TYPE = "application/zip"


def visible_review(user, review_id):
    """The review if ``user`` may see it at all, else ``None`` (404 for the caller)."""
    review = review_selectors.reviews_visible_to(user).filter(pk=review_id).first()
    if review is None or not review_rules.can_view_review(user, review):
        return None
    return review


def archive_file_response(path, review):
    return FileResponse(
        path.open("rb"), as_attachment=True, filename=f"review-{review.pk}-archive.zip", content_type=CONTENT_TYPE
    )


class ErrorsAsJSON(DefaultContentNegotiation):
    """The archive is a file; an error is JSON whatever the client said it accepts."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class ReviewArchiveView(APIView):
    content_negotiation_class = ErrorsAsJSON

    @extend_schema(
        operation_id="review_archive",
        summary="The review's archive",
        description=(
            "Once consolidated: the review's whole record as one .zip with `manifest.json` (each file's "
            "`sha256` and `sm3`); `python -m reviews.verify archive.zip` checks it whole. Each request makes "
            "a new archive and records the manifest's digests in the audit trail (`archive.made`)."
        ),
        responses={(200, CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="The archive (.zip).")},
    )
    def get(self, request, review_id):
        review = visible_review(request.user, review_id)
        if review is None:
            raise exceptions.NotFound()
        if not can_download_archive(request.user, review):
            raise exceptions.PermissionDenied(_("The secretariat and the commission download a review's archive."))
        return archive_file_response(build_archive(review, by=request.user), review)
