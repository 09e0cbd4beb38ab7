"""The panel's answers to the group opinion, its confirmation deadline and the seal (§30: dissent
recorded truthfully, and no member can hold the opinion hostage).

- Each panel member answers the current version with one of: confirm; confirm with reservations
  (text required); refuse to sign (reason required). One answer per member per version; it can
  be changed until the seal, and every change is kept (``Confirmation.history``).
- The chair or the secretariat sets the deadline (``confirm_by``), when putting the group
  opinion up or later; a save of a new version after the deadline passed clears it.
- The seal: at once when every member has answered the current version (whatever the answers);
  by the chair or the secretariat once the deadline has passed; by ``seal_overdue`` (the task
  ``consultations.consolidation.tasks.seal_due``, enqueued by ``manage.py seal_group_opinions``)
  at the deadline. Members who did not answer are recorded as ``no_answer``. Reservations and
  refusals never block the seal, and a sealed opinion lets the package be finalised.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.consolidation.base import (
    WORKING_STATES,
    StaleConsolidation,
    emit_saved,
    has_package,
    lock_consolidation,
    require_working,
)
from consultations.consolidation.models import Confirmation, Consolidation
from consultations.consolidation.rules import can_seal, panel_expert
from consultations.opinions.canonical import normalise_text
from core import moments
from core.errors import StateConflict
from reviews.models import Assignment, Review

Kind = Confirmation.Kind
ANSWER_KINDS = (Kind.CONFIRM, Kind.RESERVATION, Kind.REFUSAL)
MAX_ANSWER_TEXT = 5000


def clean_answer(kind, text):
    """``(kind, text)`` checked: a kind a member may give, and a text for a reservation or a
    refusal (none for a plain confirmation). Raises ``ValidationError`` naming the field."""
    if kind not in ANSWER_KINDS:
        raise ValidationError({"kind": [_("Choose confirm, confirm with reservations, or refuse to sign.")]})
    text = normalise_text(text)
    if kind == Kind.RESERVATION and not text:
        raise ValidationError({"text": [_("Write your reservations: a confirmation with reservations needs them.")]})
    if kind == Kind.REFUSAL and not text:
        raise ValidationError({"text": [_("Give the reason why you refuse to sign.")]})
    if kind == Kind.CONFIRM and text:
        raise ValidationError(
            {"text": [_("A plain confirmation has no text: choose “confirm with reservations” to add one.")]}
        )
    if len(text) > MAX_ANSWER_TEXT:
        raise ValidationError({"text": [_("The text is at most {n} characters.").format(n=MAX_ANSWER_TEXT)]})
    return kind, text


def panel_ids(review):
    return set(
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED).values_list("expert_id", flat=True)
    )


def answered_ids(consolidation):
    return set(consolidation.confirmations.filter(version=consolidation.version).values_list("expert_id", flat=True))


def _open_for_answers(consolidation):
    if not consolidation.group_opinion:
        raise StateConflict(_("There is no group opinion to answer yet."))
    if consolidation.sealed_at:
        raise StateConflict(_("The group opinion is sealed: its answers no longer change."))


@transaction.atomic
def answer_group_opinion(review, *, by, kind, text="", version=None):
    """A panel member's answer to the current version (or to ``version``, which must still be
    the current one: ``StaleConsolidation`` otherwise). Replaces the member's earlier answer to
    the same version; seals the text once every member has answered. Returns the consolidation."""
    require_working(review)
    expert = panel_expert(by, review)
    if expert is None:
        raise StateConflict(_("Only a panel member answers the group opinion."))
    kind, text = clean_answer(kind, text)
    consolidation = lock_consolidation(review)
    if version is not None and consolidation.version != version:
        raise StaleConsolidation(consolidation)
    _open_for_answers(consolidation)
    answer = consolidation.confirmations.filter(expert=expert, version=consolidation.version).first()
    if answer is None:
        answer = Confirmation(consolidation=consolidation, expert=expert, version=consolidation.version)
    if answer.pk is None or (answer.kind, answer.text) != (kind, text):
        answer.kind, answer.text, answer.digest, answer.at = kind, text, consolidation.digest, timezone.now()
        answer._history_user, answer._change_reason = by, kind
        answer.save()
    if panel_ids(review) <= answered_ids(consolidation):
        _seal(consolidation, review, by=by, reason="sealed: every member answered", automatic=True)
    emit_saved(review, consolidation)
    return consolidation


@transaction.atomic
def set_confirmation_deadline(review, *, by, confirm_by, now=None):
    """The chair or the secretariat sets (or, with ``None``, clears) the confirmation deadline of
    the unsealed group opinion; it must lie in the future. Returns the consolidation."""
    if not can_seal(by, review):
        raise PermissionDenied(_("The chair and the secretariat set the confirmation deadline."))
    require_working(review)
    now = now or timezone.now()
    if confirm_by is not None and (not moments.writable(confirm_by) or confirm_by <= now):
        raise ValidationError({"confirm_by": [_("Give a deadline in the future.")]})
    consolidation = lock_consolidation(review)
    if consolidation.sealed_at:
        raise StateConflict(_("The group opinion is sealed: its deadline no longer changes."))
    consolidation.confirm_by = confirm_by
    consolidation._history_user, consolidation._change_reason = by, "confirmation deadline"
    consolidation.save(update_fields=["confirm_by"])
    emit_saved(review, consolidation)
    return consolidation


def missing_answers(review, consolidation):
    return panel_ids(review) - answered_ids(consolidation)


def may_seal_now(review, consolidation, *, now=None):
    """Whether the seal is due: every member answered, or the deadline has passed."""
    if not missing_answers(review, consolidation):
        return True
    return bool(consolidation.confirm_by and consolidation.confirm_by <= (now or timezone.now()))


@transaction.atomic
def seal_group_opinion(review, *, by, now=None):
    """The chair or the secretariat seals the current version: once the deadline has passed, or
    earlier when every member has answered. Members who did not answer are recorded as
    ``no_answer``; the review becomes consolidated. Returns the consolidation."""
    if not can_seal(by, review):
        raise PermissionDenied(_("The chair and the secretariat seal the group opinion."))
    require_working(review)
    consolidation = lock_consolidation(review)
    if consolidation.sealed_at:
        raise StateConflict(_("The group opinion is already sealed."))
    if not consolidation.group_opinion:
        raise StateConflict(_("There is no group opinion to seal yet."))
    if not may_seal_now(review, consolidation, now=now):
        raise StateConflict(_not_due_message(review, consolidation))
    _seal(consolidation, review, by=by, reason="sealed")
    emit_saved(review, consolidation)
    return consolidation


def _not_due_message(review, consolidation):
    missing = len(missing_answers(review, consolidation))
    if consolidation.confirm_by is None:
        return _("{n} member(s) have not answered and no deadline is set: set one, or wait for every answer.").format(
            n=missing
        )
    return _("{n} member(s) have not answered and the deadline ({at}) has not passed.").format(
        n=missing, at=timezone.localtime(consolidation.confirm_by).strftime("%Y-%m-%d %H:%M")
    )


def _seal(consolidation, review, *, by, reason, automatic=False):
    """Record ``no_answer`` for the members who did not answer, seal, and move the review on.
    ``sealed_by`` is the chair or the secretariat who sealed, ``None`` for an automatic seal."""
    from reviews.services import transition

    now = timezone.now()
    for expert_id in sorted(missing_answers(review, consolidation)):
        missing = Confirmation(
            consolidation=consolidation,
            expert_id=expert_id,
            version=consolidation.version,
            kind=Kind.NO_ANSWER,
            digest=consolidation.digest,
            at=now,
        )
        missing._history_user, missing._change_reason = by, "no answer at the seal"
        missing.save()
    consolidation.sealed_at, consolidation.sealed_by = now, None if automatic else by
    consolidation._history_user, consolidation._change_reason = by, reason
    consolidation.save()
    if review.state == Review.State.CLOSED:
        transition(review, Review.State.CONSOLIDATED, by=by, reason="group opinion sealed")


def seal_overdue(*, now=None):
    """Seal every unsealed group opinion whose deadline has passed (the deadline task), each in
    its own transaction; those who did not answer are recorded as ``no_answer``. Returns how
    many were sealed."""
    now = now or timezone.now()
    due = Consolidation.objects.filter(
        confirm_by__lte=now, sealed_at__isnull=True, review__state__in=WORKING_STATES
    ).exclude(group_opinion="")
    sealed = 0
    for review_id in due.values_list("review_id", flat=True):
        review = Review.objects.select_related("plan").get(pk=review_id)
        if not has_package(review) and _seal_if_due(review, now):
            sealed += 1
    return sealed


@transaction.atomic
def _seal_if_due(review, now):
    consolidation = lock_consolidation(review)
    if consolidation.sealed_at or not consolidation.group_opinion or not may_seal_now(review, consolidation, now=now):
        return False  # sealed or changed meanwhile
    _seal(consolidation, review, by=None, reason="sealed at the deadline", automatic=True)
    emit_saved(review, consolidation)
    return True
