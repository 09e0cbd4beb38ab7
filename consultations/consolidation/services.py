"""The panel's group opinion (专家组意见): the chair drafts it with the secretariat; every panel
member answers the current version and it is sealed (``confirmations``), and the review becomes
consolidated. Writes check the actor, the state and the version (``core.versioning``: a write
based on an older version is refused with ``StaleConsolidation``, the API's 409)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.consolidation.base import (  # noqa: F401 (the names callers import from here)
    SIGNED,
    WORKING_STATES,
    StaleConsolidation,
    emit_saved,
    ensure_consolidation,
    has_package,
    is_working,
    lock_consolidation,
    require_working,
    text_digest,
)
from consultations.consolidation.confirmations import answer_group_opinion
from consultations.consolidation.models import Confirmation, Consolidation
from consultations.consolidation.rules import can_edit
from consultations.opinions.canonical import normalise_text
from core.versioning import compare_and_set, require_version

MAX_GROUP_OPINION = 50000


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
    require_working(review)
    require_version(expected_version)
    text = _clean_text(text)
    reason = normalise_text(reason)[:500]
    # The row lock keeps the seal of a confirmation that is under way out of this write's way.
    consolidation = lock_consolidation(review)
    if not compare_and_set(Consolidation.objects, consolidation.pk, expected_version):
        raise StaleConsolidation(consolidation)
    if consolidation.sealed_at and not reason:  # the transaction takes the version back
        raise ValidationError({"reason": [_("The group opinion is sealed: a change needs a reason.")]})
    consolidation.version = expected_version + 1
    consolidation.group_opinion = text
    consolidation.saved_at, consolidation.saved_by = timezone.now(), by
    consolidation.change_reason = reason
    consolidation.digest = text_digest(review.pk, consolidation.version, text)
    consolidation.sealed_at = consolidation.sealed_by = None
    if consolidation.confirm_by and consolidation.confirm_by <= consolidation.saved_at:
        consolidation.confirm_by = None  # a passed deadline does not carry over to a new version
    consolidation._history_user = by
    consolidation._change_reason = reason or "saved"
    consolidation.save()
    emit_saved(review, consolidation)
    return consolidation


def confirm_group_opinion(review, *, by, version):
    """A panel member confirms ``version`` without reservations (``answer_group_opinion``)."""
    return answer_group_opinion(review, by=by, kind=Confirmation.Kind.CONFIRM, version=version)
