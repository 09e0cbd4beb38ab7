"""The portal's "Download the archive" button (the consolidation page), for the secretariat and
the commission: the same archive as the API, or back to the page with the reason."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect

from consultations.archive.api import archive_file_response, visible_review
from consultations.archive.build import build_archive
from consultations.consolidation.rules import can_download_archive
from core.errors import StateConflict


@login_required
def download(request, review_id):
    review = visible_review(request.user, review_id)
    if review is None:
        raise Http404
    if not can_download_archive(request.user, review):
        raise PermissionDenied
    try:
        path = build_archive(review, by=request.user)
    except StateConflict as error:
        messages.error(request, error.message)
        return redirect("consultations:consolidation", review.pk)
    return archive_file_response(path, review)
