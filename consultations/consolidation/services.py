"""The panel's group opinion (专家组意见): the chair drafts it with the secretariat, every panel
member confirms the current version, and once all have it is sealed and the review becomes
consolidated. Writes check the actor, the state and the version (``core.versioning``: a write
based on an older version is refused with ``StaleConsolidation``, the API's 409)."""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.consolidation.models import Confirmation, Consolidation
from consultations.consolidation.rules import can_edit, panel_expert
from consultations.opinions.canonical import normalise_text
from core.errors import StateConflict
from core.versioning import compare_and_set, require_version
from reviews import events as review_events
from reviews.models import Assignment, Review

MAX_GROUP_OPINION = 50000
WORKING_STATES = (Review.State.CLOSED, Review.State.CONSOLIDATED)


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


def _locked(review):
    ensure_consolidation(review)
    return Consolidation.objects.select_for_update().select_related("review").get(review=review)


def _working(review):
    if not is_working(review):
        raise StateConflict(_("The group opinion is written after the review closes and before the package is final."))


def _clean_text(text):
    text = normalise_text(text)
    if len(text) > MAX_GROUP_OPINION:
        raise ValidationError(
            {"group_opinion": [_("The group opinion is at most {n} characters.").format(n=MAX_GROUP_OPINION)]}
        )
    return text


@transaction.atomic
def save_group_opinion(review, *, by, text, expected_version, reason=""):
    """Save the group opinion over ``expected_version`` or raise ``StaleConsolidation``.

    Once sealed, a change is a new version that needs ``reason``; the confirmations start again."""
    if not can_edit(by, review):
        raise PermissionDenied(_("The chair and the secretariat write the group opinion."))
    _working(review)
    require_version(expected_version)
    text = _clean_text(text)
    reason = normalise_text(reason)[:500]
    # The row lock keeps the seal of a confirmation that is under way out of this write's way.
    consolidation = _locked(review)
    if not compare_and_set(Consolidation.objects, consolidation.pk, expected_version):
        raise StaleConsolidation(consolidation)
    if consolidation.sealed_at and not reason:  # the transaction takes the version back
        raise ValidationError({"reason": [_("The group opinion is sealed: a change needs a reason.")]})
    consolidation.version = expected_version + 1
    consolidation.group_opinion = text
    consolidation.saved_at, consolidation.saved_by = timezone.now(), by
    consolidation.change_reason = reason
    consolidation.digest = text_digest(review.pk, consolidation.version, text)
    consolidation.sealed_at = None
    consolidation._history_user = by
    consolidation._change_reason = reason or "saved"
    consolidation.save()
    review_events.emit_review_event(
        review, "consolidation.saved", version=consolidation.version, sealed=False, confirmed=0
    )
    return consolidation


@transaction.atomic
def confirm_group_opinion(review, *, by, version):
    """A panel member confirms ``version``; when all have, the text is sealed and the review
    becomes consolidated. Raises ``StaleConsolidation`` when the text changed meanwhile."""
    _working(review)
    expert = panel_expert(by, review)
    if expert is None:
        raise StateConflict(_("Only a panel member confirms the group opinion."))
    consolidation = _locked(review)
    if consolidation.version != version:  # not require_version: a form without one is stale, not bad
        raise StaleConsolidation(consolidation)
    if not consolidation.group_opinion:
        raise StateConflict(_("There is no group opinion to confirm yet."))
    Confirmation.objects.get_or_create(
        consolidation=consolidation, expert=expert, version=version, defaults={"digest": consolidation.digest}
    )
    confirmed = sorted(consolidation.confirmations.filter(version=version).values_list("expert_id", flat=True))
    if _whole_panel(review) <= set(confirmed) and not consolidation.sealed_at:
        _seal(consolidation, review, by=by)
    review_events.emit_review_event(
        review,
        "consolidation.saved",
        version=consolidation.version,
        sealed=bool(consolidation.sealed_at),
        confirmed=len(confirmed),  # a count: the department in the group may not learn who
    )
    return consolidation


def _whole_panel(review):
    return set(
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED).values_list("expert_id", flat=True)
    )


def _seal(consolidation, review, *, by):
    from reviews.services import transition

    consolidation.sealed_at = timezone.now()
    consolidation._history_user = by
    consolidation._change_reason = "sealed"
    consolidation.save()
    if review.state == Review.State.CLOSED:
        transition(review, Review.State.CONSOLIDATED, by=by, reason="group opinion confirmed")
