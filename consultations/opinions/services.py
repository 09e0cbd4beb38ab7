"""Writes for opinions (and, through their kind, the answers to consultations): drafts, versions,
the seal, addenda; the review's discussion (who is present: ``presence``).

The saving rule. An opinion is one row, saved in place, whose ``version`` counts every accepted
write and is the concurrency token (``core.versioning``). Autosaves (a few seconds after typing
stops) only update that row: no history rows, so keystrokes never flood the history. An
``OpinionVersion`` (full content, digest, who, when, why) is written when the expert saves a named
version, when they submit (the seal), for every addendum after submission, and when a conflict is
resolved by a merge. After the review closes the opinion is read-only.

What differs between a review's opinion and a consultation's answer (who may write it, what its
content must be, what the seal needs, where its live events go) is its kind (``kinds``).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.opinions import rules
from consultations.opinions.canonical import digest as content_digest
from consultations.opinions.canonical import normalise_text, opinion_content
from consultations.opinions.cleaning import clean_comment, clean_section, plan_sections
from consultations.opinions.kinds import clean_opinion_data, kind_of
from consultations.opinions.models import Comment, Discussion, Opinion, OpinionVersion, Point
from core import versioning
from core.errors import StaleVersion, StateConflict
from experts import audit
from reviews import events as review_events
from reviews.models import Review


def ensure_opinion(assignment):
    """The opinion of an accepted assignment: an empty draft, version 0, from acceptance on.
    Idempotent: also safe to call later (an assignment accepted before opinions existed)."""
    opinion, _created = Opinion.objects.get_or_create(
        assignment=assignment, defaults={"review_id": assignment.review_id, "expert_id": assignment.expert_id}
    )
    return opinion


def open_draft_on_acceptance(sender, *, assignment, **kwargs):
    """Receiver of ``reviews.signals.assignment_accepted`` (connected in ``ConsultationsConfig.ready``):
    the expert's empty draft opens in the same transaction as the acceptance."""
    ensure_opinion(assignment)


# ---------------------------------------------------------------- writing and sealing


def _write_points(opinion, points):
    """Update, add and (before submission: delete; after: mark removed) points, keeping ids."""
    existing = {p.id: p for p in opinion.points.filter(removed=False)}
    kept = set()
    for position, item in enumerate(points):
        point = existing.get(item["id"]) if item["id"] else None
        if point is None:
            point = Point(opinion=opinion)
        point.section, point.text, point.position = item["section"], item["text"], position
        point.question_id = item.get("question")
        point.save()
        kept.add(point.id)
    gone = [pid for pid in existing if pid not in kept]
    if gone and opinion.submitted_at:
        Point.objects.filter(pk__in=gone).update(removed=True)
    elif gone:
        Point.objects.filter(pk__in=gone).delete()


def _record_version(opinion, *, kind, by, reason):
    """The one place a kept version is made. ``opinion`` is the row as just written (read again
    under the write's row lock), so ``after_reading_others`` says whether its author could already
    read the others' opinions when this version was kept (``read_others_at`` set)."""
    content = opinion_content(opinion)
    number = (opinion.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    return OpinionVersion.objects.create(
        opinion=opinion,
        number=number,
        kind=kind,
        reason=reason[:500],
        content=content,
        digest=content_digest(content),
        opinion_version=opinion.version,
        after_reading_others=opinion.read_others_at is not None,
        by=by,
    )


def _current(opinion):
    return Opinion.objects.select_related("review__plan_version", "consultation", "expert", "assignment").get(
        pk=opinion.pk
    )


def _refuse_if_stale(opinion, expected_version):
    """A write based on an older version is refused as stale before its content is checked: a
    point deleted on another device would otherwise make it a 400 ("not part of this opinion")
    instead of the 409 that shows the page the current version to merge with. The conditional
    UPDATE of ``_compare_and_set`` still decides a race between two writes; a value that is no
    version at all is left for it to refuse."""
    if versioning.is_version(expected_version) and not versioning.is_current(
        Opinion.objects, opinion.pk, expected_version
    ):
        raise StaleVersion(_current(opinion))


def _compare_and_set(opinion, expected_version, **fields):
    """Move the row from ``expected_version`` to the next one (``core.versioning``), or raise
    ``StaleVersion`` with the current one."""
    applied = versioning.compare_and_set(
        Opinion.objects, opinion.pk, expected_version, saved_at=timezone.now(), **fields
    )
    current = _current(opinion)
    if not applied:
        raise StaleVersion(current)
    return current


def _keep_version(opinion, *, by, label, reason, merged):
    """After submission every change is an addendum (with its digest); before, a named or merged
    save keeps a version, an autosave none. Before keeping one, the author's moment is checked
    again (an answer opened after the others sealed has had no event of its own yet)."""
    if not (opinion.submitted_at or label or merged):
        return
    if opinion.read_others_at is None and note_readable_others(
        review=opinion.review, consultation=opinion.consultation, only=opinion
    ):
        opinion.refresh_from_db(fields=["read_others_at"])
    if opinion.submitted_at:
        version = _record_version(opinion, kind=OpinionVersion.Kind.ADDENDUM, by=by, reason=reason)
        audit.record(audit.OPINION_ADDENDUM, actor=by, obj=opinion, outcome=audit.SUCCESS, version=version.pk)
        opinion.digest = version.digest
        opinion.save(update_fields=["digest"])
    else:
        kind = OpinionVersion.Kind.MERGED if merged and not label else OpinionVersion.Kind.NAMED
        _record_version(opinion, kind=kind, by=by, reason=label)


@transaction.atomic
def save_opinion(opinion, *, by, data, expected_version, label="", reason="", merged=False):
    """Save ``data`` over ``opinion`` if nobody saved since ``expected_version``.

    A plain save (an autosave) updates the draft in place. ``label`` also keeps a named
    version; after submission every change is an addendum and needs ``reason``; ``merged``
    records a version after the expert resolved a conflict. Raises ``ValidationError`` (bad
    input), ``StateConflict`` (closed, not theirs) or ``StaleVersion`` (someone saved first)."""
    kind = kind_of(opinion)
    kind.check_writable(opinion, by=by)
    _refuse_if_stale(opinion, expected_version)
    label, reason = normalise_text(label)[:200], normalise_text(reason)[:500]
    if opinion.submitted_at and not reason:
        raise ValidationError({"reason": [_("After submission a change is an addendum: give the reason.")]})
    clean = clean_opinion_data(opinion, data)
    points = clean.pop("points")
    current = _compare_and_set(opinion, expected_version, saved_by=by, **clean)
    _write_points(current, points)
    _keep_version(current, by=by, label=label, reason=reason, merged=merged)
    kind.tell(current, "saved")
    return current


@transaction.atomic
def submit_opinion(opinion, *, by, expected_version=None):
    """Seal the opinion: a ``submitted`` version with the SHA-256 digest of its canonical content.

    Needs what its kind asks (a review opinion: a conclusion and, unless abstaining, a score for
    every criterion; an answer: a point for every question). Without ``expected_version`` the
    current version is sealed."""
    kind = kind_of(opinion)
    kind.check_writable(opinion, by=by)
    if opinion.submitted_at:
        raise StateConflict(_("This opinion has already been submitted; later changes are addenda."))
    current = Opinion.objects.get(pk=opinion.pk)
    kind.check_complete(current)
    # Could the author already read the others before sealing (a shared consultation)? Asked before
    # the seal, which may itself open the others (``until_own_submission``) and is then not marked.
    note_readable_others(review=current.review, consultation=current.consultation, only=current)
    expected = current.version if expected_version is None else expected_version
    current = _compare_and_set(opinion, expected, submitted_at=timezone.now(), saved_by=by)
    version = _record_version(current, kind=OpinionVersion.Kind.SUBMITTED, by=by, reason="")
    audit.record(audit.OPINION_SUBMIT, actor=by, obj=current, outcome=audit.SUCCESS, digest=version.digest)
    current.digest = version.digest
    current.save(update_fields=["digest"])
    note_readable_others(review=current.review, consultation=current.consultation)
    kind.tell(current, "submitted")
    return current


# ---------------------------------------------------------------- the independence record


def note_readable_others(*, review=None, consultation=None, only=None):
    """THE one place ``Opinion.read_others_at`` is set: now, for every opinion of ``review`` (or
    answer of ``consultation``) whose author can now read at least one *other* sealed opinion by
    its kind's rule (``may_read_others``: for a review, the blindness after their own submission,
    or the close, whose consolidation the panel reads) and had no moment yet. Called after each
    event that can make others readable: a seal (``submit_opinion``: one's own, or another's that
    gives something to read), a review's close and a consultation's close or sharing (the
    receivers below), and before a version is kept for ``only`` that opinion (``_keep_version``).
    Set once, never moved. Returns the ids it marked."""
    siblings = Opinion.objects.filter(review=review, consultation=consultation)
    sealed = set(siblings.filter(submitted_at__isnull=False).values_list("pk", flat=True))
    if not sealed:
        return []
    waiting = siblings.filter(read_others_at__isnull=True).select_related("expert__user", "review", "consultation")
    if only is not None:
        waiting = waiting.filter(pk=only.pk)
    marked = []
    for opinion in waiting:
        user, rule = opinion.expert.user, kind_of(opinion).may_read_others
        if user is not None and rule is not None and sealed - {opinion.pk} and rule(user, opinion):
            marked.append(opinion.pk)
    Opinion.objects.filter(pk__in=marked, read_others_at__isnull=True).update(read_others_at=timezone.now())
    return marked


def _note_on_review_save(sender, instance, update_fields=None, **kwargs):
    """A review that closes opens the others' opinions to its panel (``until_closed``, and the
    consolidation for everyone on it): reviews never imports this app, so the app listens."""
    if instance.state in rules.CLOSED_STATES and (update_fields is None or "state" in update_fields):
        note_readable_others(review=instance)


def _note_on_consultation_save(sender, instance, **kwargs):
    """A consultation that closes, or shares its answers, opens the others' answers to its
    recipients (``inquiries.rules.others_visible``)."""
    if instance.state == "closed" or instance.answers_shared:
        note_readable_others(consultation=instance)


# Connected on import (``ConsultationsConfig.ready`` imports this module); the consultation by its
# label, as the questions put to the committee import this package, never the reverse.
post_save.connect(_note_on_review_save, sender=Review, dispatch_uid="opinions.note_readable_others.review")
post_save.connect(
    _note_on_consultation_save,
    sender="consultations.Consultation",
    dispatch_uid="opinions.note_readable_others.answers",
)


# ---------------------------------------------------------------- the discussion


@transaction.atomic
def add_comment(review, *, by, text, section="", dissent=False):
    """A message in the review's discussion (optionally on a section; ``dissent`` records
    disagreement with that section). Told to the review's channel by id only."""
    if not rules.can_discuss(by, review):
        raise PermissionDenied(_("The discussion is the panel's."))
    text, section = clean_comment(review, text=text, section=section, dissent=dissent)
    if not rules.discussion_is_open(review):
        raise StateConflict(_("The discussion is open while the review is."))
    expert = by.expert if hasattr(by, "expert") else None
    comment = Comment.objects.create(
        review=review, author=by, expert=expert, text=text, section=section, dissent=bool(dissent)
    )
    review_events.emit_review_event(review, "comment.created", comment=comment.pk)
    return comment


@transaction.atomic
def move_discussion(review, *, by, section):
    """Move the meeting's "now discussing" marker; every open reader follows it."""
    if not rules.can_move_marker(by, review):
        raise PermissionDenied(_("The chair moves the discussion."))
    errors = {}
    section = clean_section(section, plan_sections(review), errors, "section")
    if errors:
        raise ValidationError(errors)
    discussion = Discussion.objects.select_for_update().filter(review=review).first() or Discussion(review=review)
    discussion.section, discussion.moved_by, discussion.moved_at = section, by, timezone.now()
    discussion._history_user = by
    discussion._change_reason = "moved"
    discussion.save()
    review_events.emit_review_event(review, "discussion.moved", section=section)
    return discussion
