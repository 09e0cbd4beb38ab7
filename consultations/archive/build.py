"""Making a review's archive (§33): one .zip with the whole record and a ``manifest.json`` of every
file's SHA-256 and SM3 (``reviews.manifest``), kept in private storage under ``archives/``. The
manifest's own digest goes into the audit trail (``archive.made``) when the archive is made.

The archive is written to a hidden temporary file beside its final place and moved into place
(an atomic rename) only once it is whole and its audit record is written; anything that fails on
the way removes the temporary file, so a failed archive leaves nothing behind.
"""

import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.archive import documents, parts
from consultations.archive.meeting import meeting_files
from consultations.consolidation.rules import can_download_archive
from consultations.responses.models import ResponsePackage
from core.errors import StateConflict
from core.storage import private_storage
from experts import audit
from reviews import manifest
from reviews.draw import selectors as draw_selectors
from reviews.models import Draw, Review

DIRECTORY = "archives"


def archive_problem(review):
    """Why the review has no archive yet (a message), or ``""``: it must have been consolidated
    (consolidated or responded; archived after its response package: a review archived straight
    from draft or inviting never was)."""
    if review.state in (Review.State.CONSOLIDATED, Review.State.RESPONDED):
        return ""
    if review.state == Review.State.ARCHIVED and ResponsePackage.objects.filter(review=review).exists():
        return ""
    return _("The archive is made once the panel's group opinion is consolidated; this review is “{state}”.").format(
        state=review.get_state_display()
    )


def as_json(value):
    return (json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


def draw_record(review):
    """The draw's self-contained record (docs/draw-record.md), or ``None`` without a draw."""
    draw = Draw.objects.filter(review=review).select_related("commitment").first()
    return None if draw is None else draw_selectors.draw_record(draw)


def archive_files(review, made_at):
    """``(path, bytes)`` of every file of the archive but the manifest, one at a time."""
    plan_rows = []
    for row, name, content in parts.plan_versions(review):
        plan_rows.append(row)
        yield name, content
    yield "plan/versions.json", as_json(plan_rows)
    yield "review.json", as_json(parts.review_part(review))
    record = draw_record(review)
    if record is not None:
        yield manifest.RECORD, as_json(record)
    certificate = documents.draw_certificate(review)
    if certificate is not None:
        yield "documents/draw-certificate.pdf", certificate
    data = {
        "review": parts.review_part(review),
        "plan_versions": plan_rows,
        "declarations": parts.declarations(review),
        "changes": parts.draw_changes(review),
        "opinions": parts.opinions_part(review),
        "discussion": parts.discussion_part(review),
        "group": parts.group_opinion_part(review),
        "responses": parts.responses_part(review),
        "audit": parts.audit_part(review),
    }
    yield "panel/declarations.json", as_json({"declarations": data["declarations"], "changes": data["changes"]})
    yield "opinions/opinions.json", as_json(data["opinions"])
    yield "discussion/comments.json", as_json(data["discussion"])
    yield "consolidation/group-opinion.json", as_json(data["group"])
    yield "responses/responses.json", as_json(data["responses"])
    yield "audit/audit.json", as_json(data["audit"])
    yield from meeting_files(review, as_json)
    yield "documents/consolidation.pdf", documents.consolidation_pdf(review)
    yield "documents/record.pdf", documents.record_pdf(review, data, made_at=made_at)
    yield "README.txt", documents.readme(review, made_at).encode("utf-8")


def archive_directory(review):
    path = Path(private_storage().path(f"{DIRECTORY}/review-{review.pk}"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def build_archive(review, *, by):
    """Make the archive of ``review`` and return its path (a file in private storage).

    ``by`` must be allowed (``can_download_archive``; ``None`` is the system); the review must
    have been consolidated, else ``StateConflict`` (409). Audited as ``archive.made`` with the
    manifest's SHA-256 and SM3."""
    if by is not None and not can_download_archive(by, review):
        raise PermissionDenied(_("The secretariat and the commission make a review's archive."))
    problem = archive_problem(review)
    if problem:
        raise StateConflict(problem)
    made_at = timezone.localtime()
    directory = archive_directory(review)
    handle = tempfile.NamedTemporaryFile(dir=directory, prefix=".building-", suffix=".zip", delete=False)
    try:
        with handle, translation.override(settings.LANGUAGE_CODE):
            writer = manifest.ArchiveWriter(handle, review_id=review.pk, created_at=made_at)
            try:
                for path, content in archive_files(review, made_at):
                    writer.add(path, content)
                own = writer.finish()
            finally:
                writer.close()
        final = directory / f"review-{review.pk}-{made_at:%Y%m%dT%H%M%S}-{own['sha256'][:12]}.zip"
        with transaction.atomic():
            audit.record(
                audit.ARCHIVE_MADE,
                actor=by,
                obj=review,
                outcome=audit.SUCCESS,
                file=final.name,
                files=len(writer.rows),
                size=os.path.getsize(handle.name),
                manifest_sha256=own["sha256"],
                manifest_sm3=own["sm3"],
            )
            os.replace(handle.name, final)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return final
