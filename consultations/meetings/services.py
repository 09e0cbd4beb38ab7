"""Writes of a review's meeting: the agenda and the chair's place on it, check-in by the room's
code and presence marked by hand, the days a presence counts for, the vote on the group opinion.
Each checks its actor (``rules``), the meeting's state, and sends its live event after commit
(``reviews.events``: ids and counts only; the socket leaves out who for those who may not see the
panel)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.meetings import rules, selectors
from consultations.meetings.checkin import code_problem
from consultations.meetings.models import AgendaItem, Attendance, Meeting, Vote
from consultations.opinions.canonical import normalise_text
from consultations.opinions.cleaning import plan_sections
from consultations.opinions.models import Discussion
from core.errors import StateConflict
from experts.models import Expert
from reviews import events as review_events
from reviews.models import Assignment, Review

MAX_ITEMS = 50
MAX_DAYS = Decimal("10")


def _require_meeting_review(review):
    if review.mode != Review.Mode.MEETING:
        raise StateConflict(_("This review is written (书面函审): it has no meeting."))


def _lock_review(review):
    """Hold the review's row until the commit: two check-ins or votes of one member at once (a
    double tap, a hand-marking while they scan) run one after the other, and the second finds the
    first's row instead of breaking the unique constraint."""
    list(Review.objects.select_for_update().filter(pk=review.pk).values_list("pk", flat=True))


def _locked_meeting(review):
    Meeting.objects.get_or_create(review=review)
    return Meeting.objects.select_for_update().get(review=review)


def _save(obj, by, reason):
    obj._history_user = by
    obj._change_reason = reason
    obj.save()
    return obj


def clean_days(value, key="days"):
    """Days as a positive multiple of 0.5 up to ``MAX_DAYS``, or ``ValidationError`` on ``key``."""
    try:
        days = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        days = None
    if days is None or isinstance(value, bool) or not days.is_finite() or days <= 0 or days > MAX_DAYS \
            or days % Decimal("0.5"):  # fmt: skip
        raise ValidationError({key: [_("Days are counted in halves: 0.5, 1, 1.5 … up to {n}.").format(n=MAX_DAYS)]})
    return days


# ---------------------------------------------------------------- the agenda


def _clean_items(review, items):
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise ValidationError({"items": [_("The agenda is a list of at most {n} items.").format(n=MAX_ITEMS)]})
    sections, cleaned, errors = plan_sections(review), [], []
    for index, item in enumerate(items, start=1):
        item = item if isinstance(item, dict) else {}
        title = normalise_text(str(item.get("title") or "")).strip()
        section = str(item.get("section") or "").strip()
        if not title or len(title) > 200:
            errors.append(_("Item {n} needs a title of at most 200 characters.").format(n=index))
        if section and section not in sections:
            errors.append(_("“{section}” is not a section of the plan.").format(section=section))
        cleaned.append((title, section))
    if errors:
        raise ValidationError({"items": errors})
    return cleaned


def _count_checked_in_for(review, length, *, by):
    """A length set after some checked in: their presence counts for it too, unless the
    secretariat corrected their days by hand (a row with a reason keeps its days)."""
    for attendance in Attendance.objects.filter(review=review, how=Attendance.How.CODE, reason="").exclude(days=length):
        attendance.days = length
        _save(attendance, by, "meeting length")


@transaction.atomic
def set_agenda(review, *, by, items, meeting_length=None):
    """Replace the meeting's agenda with ``items`` (``[{"title", "section"}]``, in order), and set
    the meeting's length in days if given. The secretariat prepares it until the meeting is over."""
    if not rules.prepares_meeting(by, review):
        raise PermissionDenied(_("The secretariat prepares the agenda."))
    _require_meeting_review(review)
    if review.state not in (*rules.MEETING_STATES, Review.State.DRAFT, Review.State.DRAWING, Review.State.INVITING):
        raise StateConflict(_("The meeting is over: the group opinion is consolidated."))
    cleaned = _clean_items(review, items)
    meeting = _locked_meeting(review)
    if meeting_length is not None:
        meeting.length = clean_days(meeting_length, "length")
        _count_checked_in_for(review, meeting.length, by=by)
    for old in AgendaItem.objects.filter(review=review):
        old._history_user, old._change_reason = by, "agenda replaced"
        old.delete()
    made = [
        _save(AgendaItem(review=review, position=n, title=title, section=section), by, "agenda")
        for n, (title, section) in enumerate(cleaned, start=1)
    ]
    meeting.current_item = None
    _save(meeting, by, "agenda")
    review_events.emit_review_event(review, "agenda.moved", item=None, section="", items=len(made))
    return made


@transaction.atomic
def move_agenda(review, *, by, item=None, step=None):
    """Move the chair's "now discussing" to agenda ``item`` (an id), or ``step`` items on (1 or
    -1, from the first); the discussion marker follows the item's plan section."""
    if not rules.moves_agenda(by, review):
        raise PermissionDenied(_("The chair moves the discussion."))
    _require_meeting_review(review)
    items = selectors.agenda(review)
    if not items:
        raise StateConflict(_("The meeting has no agenda yet."))
    meeting = _locked_meeting(review)
    if item is not None:
        target = next((i for i in items if i.pk == item), None)
        if target is None:
            raise ValidationError({"item": [_("Not an item of this meeting's agenda.")]})
    elif step in (1, -1):
        ids = [i.pk for i in items]
        index = ids.index(meeting.current_item_id) + step if meeting.current_item_id in ids else 0
        target = items[max(0, min(len(items) - 1, index))]
    else:
        raise ValidationError({"item": [_("Name an item of the agenda, or a step of 1 or -1.")]})
    meeting.current_item, meeting.moved_by, meeting.moved_at = target, by, timezone.now()
    _save(meeting, by, "moved")
    discussion = Discussion.objects.select_for_update().filter(review=review).first() or Discussion(review=review)
    discussion.section, discussion.moved_by, discussion.moved_at = target.section, by, meeting.moved_at
    _save(discussion, by, "agenda moved")
    review_events.emit_review_event(review, "agenda.moved", item=target.pk, section=target.section, items=len(items))
    return target


# ---------------------------------------------------------------- check-in and attendance


def _emit_attendance(review, expert_id):
    present = Attendance.objects.filter(review=review).count()
    review_events.emit_review_event(review, "attendance.changed", expert=expert_id, present=present)


@transaction.atomic
def check_in(review, *, by, code):
    """``by`` checks in to the meeting with the room's ``code`` (from their own signed-in phone).
    Checking in twice keeps the first time. Counts ``Meeting.length`` days."""
    assignment = rules.panel_assignment(by, review)
    if assignment is None:
        raise PermissionDenied(_("Only the panel's members check in to this meeting."))
    problem = rules.meeting_problem(review, minutes_filed=selectors.minutes_filed(review))
    if problem:
        raise StateConflict(problem)
    problem = code_problem(review, code)
    if problem:
        raise ValidationError({"code": [problem]})
    _lock_review(review)
    existing = Attendance.objects.filter(review=review, expert=assignment.expert).first()
    if existing is not None:
        return existing
    length = selectors.meeting_of(review).length
    attendance = Attendance(review=review, expert=assignment.expert, how=Attendance.How.CODE, recorded_by=by,
                            days=length)  # fmt: skip
    _save(attendance, by, "checked in")
    _emit_attendance(review, assignment.expert_id)
    return attendance


def _panel_expert(review, expert_id):
    if isinstance(expert_id, bool) or not isinstance(expert_id, int):
        raise ValidationError({"expert": [_("Name a member of the panel by their id.")]})
    accepted = Assignment.objects.filter(review=review, expert_id=expert_id, state=Assignment.State.ACCEPTED)
    if not accepted.exists():
        raise ValidationError({"expert": [_("This expert is not on the panel.")]})
    return Expert.objects.get(pk=expert_id)


@transaction.atomic
def mark_present(review, *, by, expert, reason, days=None):
    """The secretariat marks panel member ``expert`` (an id) present by hand, with ``reason``; or,
    for one already present, corrects the ``days`` their presence counts for (with ``reason``)."""
    if not rules.prepares_meeting(by, review):
        raise PermissionDenied(_("The secretariat marks members present by hand."))
    _require_meeting_review(review)
    reason = normalise_text(str(reason or "")).strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why (for example: the phone had no signal).")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("The reason is at most 200 characters.")]})
    member = _panel_expert(review, expert)
    days = clean_days(days) if days is not None else None
    if review.state not in rules.MEETING_STATES or selectors.minutes_filed(review):
        raise StateConflict(_("The meeting is over: its attendance is part of the record."))
    _lock_review(review)
    attendance = Attendance.objects.select_for_update().filter(review=review, expert=member).first()
    if attendance is None:
        attendance = Attendance(review=review, expert=member, how=Attendance.How.HAND,
                                days=days or selectors.meeting_of(review).length)  # fmt: skip
    elif days is None:
        return attendance  # already present: nothing to correct
    else:
        attendance.days = days
    attendance.reason, attendance.recorded_by = reason, by
    _save(attendance, by, reason[:100])
    _emit_attendance(review, member.pk)
    return attendance


# ---------------------------------------------------------------- the vote


def _vote_problem(review):
    consolidation = selectors.group_opinion(review)
    if consolidation is None or consolidation.version == 0:
        return _("There is no group opinion to vote on yet: the chair drafts it once the review closes.")
    if consolidation.sealed_at:
        return _("The group opinion is sealed: the vote is over.")
    return ""


@transaction.atomic
def cast_vote(review, *, by, vote):
    """``by``, present at the meeting, votes on the current version of the group opinion. One
    vote per member per version; a member may change it until the meeting is over (the history
    keeps each)."""
    assignment = rules.panel_assignment(by, review)
    if assignment is None:
        raise PermissionDenied(_("Only the panel's members vote."))
    if vote not in Vote.Choice.values:
        raise ValidationError({"vote": [_("Vote agree, against or abstain.")]})
    problem = rules.meeting_problem(review, minutes_filed=selectors.minutes_filed(review)) or _vote_problem(review)
    if problem:
        raise StateConflict(problem)
    if not selectors.is_present(review, assignment.expert):
        raise PermissionDenied(_("Check in first: only members present at the meeting vote."))
    _lock_review(review)
    version = selectors.current_version(review)
    row = Vote.objects.select_for_update().filter(review=review, expert=assignment.expert, version=version).first()
    row = row or Vote(review=review, expert=assignment.expert, version=version)
    row.vote, row.at = vote, timezone.now()
    _save(row, by, "voted")
    counts = selectors.tally(selectors.votes(review, version))
    review_events.emit_review_event(review, "vote.cast", expert=assignment.expert_id, version=version, **counts)
    return row
