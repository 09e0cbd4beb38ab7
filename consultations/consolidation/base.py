"""What the group opinion's writers (``services``) and the panel's answers (``confirmations``)
share: the review's ``Consolidation`` row and its lock, the stages in which it changes, the digest
of its text, and its live event."""

import hashlib
import json

from django.utils.translation import gettext as _

from consultations.consolidation.models import Confirmation, Consolidation
from core.errors import StateConflict
from reviews import events as review_events
from reviews.models import Review

WORKING_STATES = (Review.State.CLOSED, Review.State.CONSOLIDATED)
SIGNED = (Confirmation.Kind.CONFIRM, Confirmation.Kind.RESERVATION)


class StaleConsolidation(Exception):
    """The write was based on an older version: 409 with ``consolidation`` (the current one)."""

    def __init__(self, consolidation):
        super().__init__(f"stale: current version is {consolidation.version}")
        self.consolidation = consolidation


def ensure_consolidation(review):
    """The review's ``Consolidation``, made (empty, version 0) the first time anyone asks."""
    consolidation, _created = Consolidation.objects.get_or_create(review=review)
    consolidation.review = review
    return consolidation


def text_digest(review_id, version, text):
    canonical = json.dumps(
        {"review": review_id, "version": version, "group_opinion": text}, ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def has_package(review):
    from consultations.responses.models import ResponsePackage

    return ResponsePackage.objects.filter(review=review).exists()


def is_working(review):
    """The group opinion and the answers change after the review closes and before the package
    is final."""
    return review.state in WORKING_STATES and not has_package(review)


def lock_consolidation(review):
    ensure_consolidation(review)
    return Consolidation.objects.select_for_update().select_related("review").get(review=review)


def require_working(review):
    if not is_working(review):
        raise StateConflict(_("The group opinion is written after the review closes and before the package is final."))


def emit_saved(review, consolidation):
    """``consolidation.saved`` on the review's channel after commit: the version, whether it is
    sealed, the deadline and counts of the answers to this version. Counts only: the plan's
    department is in the group and may not learn who answered what."""
    kinds = list(consolidation.confirmations.filter(version=consolidation.version).values_list("kind", flat=True))
    review_events.emit_review_event(
        review,
        "consolidation.saved",
        version=consolidation.version,
        sealed=bool(consolidation.sealed_at),
        confirmed=sum(k in SIGNED for k in kinds),
        answered=sum(k != Confirmation.Kind.NO_ANSWER for k in kinds),
        confirm_by=consolidation.confirm_by.isoformat() if consolidation.confirm_by else None,
    )
