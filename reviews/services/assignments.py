"""Writes for assignments: an expert accepts or declines an invitation, withdraws; the secretariat
replaces; the periodic chase reminds and then gives the seat to the next alternate. A seat that
falls free goes to whom ``reviews.draw.replacement`` names; access follows the assignment
(``reviews.permissions``); consultations reacts to ``reviews.signals.assignment_accepted``.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import StateConflict
from experts import audit
from reviews import events, invitations, permissions, rules, signals
from reviews.draw import replacement
from reviews.history import save_with_history
from reviews.models import Assignment, DrawChange, Review

NO_CONFLICT_TEXT = gettext_lazy(
    "I declare that I have no interest in the plan under review, its submitting organisation or the "
    "organisations it names, and that I will tell the secretariat at once should one arise."
)
CONFIDENTIALITY_TEXT = gettext_lazy(
    "I undertake to keep the plan documents and the panel's deliberations confidential, to use them "
    "only for this review, and not to copy or pass them on."
)
ANSWERABLE = (Review.State.INVITING, Review.State.OPEN)  # review states in which a panel still changes


def declaration_texts():
    """The texts an expert agrees to, in the language of the request (kept with the assignment)."""
    return {"no_conflict": str(NO_CONFLICT_TEXT), "confidentiality": str(CONFIDENTIALITY_TEXT)}


def _lock_assignment(assignment):
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the user.
    locked = Assignment.objects.select_for_update(of=("self",)).select_related("review__plan", "expert__user")
    return locked.get(pk=assignment.pk)


def _changed(assignment):
    events.emit_review_event(assignment.review, "assignment.changed", assignment=assignment.pk, state=assignment.state)


def _check_invitee(by, assignment):
    rules.require(rules.is_invitee, by, assignment, message=_("Only the invited expert answers an invitation."))


@transaction.atomic
def accept_assignment(assignment, *, by, no_conflict, confidentiality):
    """Accept an invitation with both declarations; grants reading the review and its plan, and
    announces ``assignment_accepted`` in the same transaction (the draft opinion opens)."""
    _check_invitee(by, assignment)
    locked = _lock_assignment(assignment)
    errors = {}
    if no_conflict is not True:
        errors["no_conflict"] = [_("Declare that you have no conflict of interest to accept.")]
    if confidentiality is not True:
        errors["confidentiality"] = [_("Accept the confidentiality undertaking to accept.")]
    if errors:
        raise ValidationError(errors)
    if locked.state != Assignment.State.INVITED or locked.review.state not in ANSWERABLE:
        raise StateConflict(_("This invitation can no longer be accepted."))
    texts = declaration_texts()
    locked.state = Assignment.State.ACCEPTED
    locked.responded_at = timezone.now()
    locked.no_conflict_text = texts["no_conflict"]
    locked.confidentiality_text = texts["confidentiality"]
    save_with_history(locked, by=by, reason="accepted with declarations")
    permissions.grant_review_access(locked)
    signals.assignment_accepted.send(sender=Assignment, assignment=locked)
    _changed(locked)
    if locked.review.mode == Review.Mode.MEETING and locked.review.meeting_at:
        invitations.send_meeting_notice(locked)
    return locked


@transaction.atomic
def decline_assignment(assignment, *, by, reason):
    """Decline with a reason; the next alternate is invited under the same rules."""
    _check_invitee(by, assignment)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you decline.")]})
    locked = _lock_assignment(assignment)
    if locked.state not in Assignment.ACTIVE_STATES or locked.review.state not in ANSWERABLE:
        raise StateConflict(_("This invitation can no longer be declined."))
    return _end(locked, state=Assignment.State.DECLINED, kind=DrawChange.Kind.DECLINED, reason=reason, by=by)


@transaction.atomic
def withdraw_assignment(assignment, *, by, reason):
    """An accepted expert steps down (told to the secretariat); the next alternate is invited."""
    rules.require(rules.can_withdraw, by, assignment, message=_("Only the secretariat changes a review."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    locked = _lock_assignment(assignment)
    if locked.state != Assignment.State.ACCEPTED or locked.review.state not in ANSWERABLE:
        raise StateConflict(_("Only an expert on an active panel can withdraw."))
    return _end(locked, state=Assignment.State.WITHDRAWN, kind=DrawChange.Kind.WITHDRAWN, reason=reason, by=by)


@transaction.atomic
def replace_assignment(assignment, *, by, reason, expert=None):
    """The secretariat replaces an expert by hand: by ``expert``, who must be eligible now and keep
    the panel within the composition rules (a ``ValidationError`` on ``expert`` names the rule
    broken), or by the next alternate. Recorded in the draw's history."""
    rules.require(rules.can_manage_review, by, message=_("Only the secretariat changes a review."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason for the replacement.")]})
    locked = _lock_assignment(assignment)
    if locked.state not in Assignment.ACTIVE_STATES or locked.review.state not in ANSWERABLE:
        raise StateConflict(_("Only an expert on an active panel can be replaced."))
    if expert is not None:
        code, problem = replacement.replacement_problem(locked.review, locked, expert)
        if problem:
            raise ValidationError({"expert": [ValidationError(problem, code=code)]})
    audit.record(audit.ASSIGNMENT_REPLACE, actor=by, obj=locked, outcome=audit.SUCCESS, reason=reason)
    return _end(
        locked, state=Assignment.State.REPLACED, kind=DrawChange.Kind.REPLACED, reason=reason, by=by, incoming=expert
    )


def _end(assignment, *, state, kind, reason, by, incoming=None):
    """End ``assignment`` (access revoked), record the change on the draw and invite ``incoming``
    or, without one, the next alternate (the draw records that none was left)."""
    review = assignment.review
    assignment.state = state
    assignment.responded_at = assignment.responded_at or timezone.now()
    if state == Assignment.State.DECLINED:
        assignment.decline_reason = reason[:500]
    else:
        assignment.end_reason = reason[:500]
    save_with_history(assignment, by=by, reason=kind)
    permissions.revoke_review_access(assignment)
    _changed(assignment)
    if incoming is None:
        incoming = replacement.next_alternate(review)
    draw = assignment.draw or getattr(review, "draw", None)
    if draw is not None:
        DrawChange.objects.create(
            draw=draw,
            kind=kind if incoming is not None else DrawChange.Kind.EXHAUSTED,
            expert_out=assignment.expert,
            expert_in=incoming,
            reason=reason[:500],
            by=by,
        )
    if incoming is not None:
        invitations.invite(review, incoming, draw=draw, by=by)
    return assignment


def chase_unanswered(*, now=None):
    """Invitations past their reply date: a reminder and one more day, then the next alternate.
    Returns ``(reminded, expired)`` counts. Run by the periodic task."""
    now = now or timezone.now()
    reminded = expired = 0
    overdue = Assignment.objects.filter(state=Assignment.State.INVITED, reply_by__lte=now).select_related(
        "review", "expert__user"
    )
    for assignment in overdue:
        with transaction.atomic():
            locked = _lock_assignment(assignment)
            if locked.state != Assignment.State.INVITED or locked.reply_by > now:
                continue
            if locked.reminded_at is None:
                locked.reminded_at = now
                locked.reply_by = now + timedelta(days=1)
                save_with_history(locked, by=None, reason="reply reminder")
                invitations.send_reply_reminder(locked)
                reminded += 1
            else:
                reason = str(_("No answer by the reply date."))
                _end(locked, state=Assignment.State.EXPIRED, kind=DrawChange.Kind.NO_ANSWER, reason=reason, by=None)
                expired += 1
    return reminded, expired
