"""Writes for opinions: drafts, versions, the seal, addenda, comments and presence."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.opinions.canonical import digest as content_digest
from consultations.opinions.canonical import normalise_text, opinion_content
from core import live as realtime
from core.errors import StaleVersion, StateConflict
from experts import audit
from reviews import events as review_events
from reviews.permissions import CLOSED_STATES

# ---------------------------------------------------------------- opinions (issue 5)
#
# The saving rule. An opinion is one row, saved in place, whose ``version`` counts every accepted
# write and is the concurrency token. Autosaves (a few seconds after typing stops) only update
# that row: no history rows, so keystrokes never flood the history. An ``OpinionVersion`` (full
# content, digest, who, when, why) is written when the expert saves a named version, when they
# submit (the seal), for every addendum after submission, and when a conflict is resolved by a
# merge. After the review closes the opinion is read-only.

MAX_SUMMARY = 20000
MAX_POINT = 5000
MAX_POINTS = 200
MAX_COMMENT = 2000
DEFAULT_SCALE = 100


def ensure_opinion(assignment):
    """The opinion of an accepted assignment: an empty draft, version 0, from acceptance on.

    Called by ``reviews.services.accept_assignment``; also safe to call later (idempotent)."""
    from consultations.opinions.models import Opinion

    opinion, _created = Opinion.objects.get_or_create(
        assignment=assignment, defaults={"review_id": assignment.review_id, "expert_id": assignment.expert_id}
    )
    return opinion


def plan_sections(review):
    """The anchors a point or comment may name: the reviewed plan version's block sections."""
    return [b.get("section") for b in (review.plan_version.blocks or []) if b.get("section")]


def _clean_section(value, sections, errors, key):
    section = str(value or "").strip()
    if section and section not in sections:
        errors.setdefault(key, []).append(_("“{section}” is not a section of the plan.").format(section=section))
    return section


def _clean_scores(review, raw, errors):
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors["scores"] = [_("Scores are an object of criterion and whole number.")]
        return {}
    criteria = {c["key"]: c for c in (review.criteria or []) if isinstance(c, dict) and c.get("key")}
    scores = {}
    for key, value in raw.items():
        if key not in criteria:
            errors.setdefault("scores", []).append(_("“{key}” is not a criterion of this review.").format(key=key))
            continue
        if value is None or value == "":
            continue
        top = int(criteria[key].get("max") or DEFAULT_SCALE)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
            errors.setdefault("scores", []).append(
                _("The score for “{key}” is a whole number from 0 to {top}.").format(key=key, top=top)
            )
            continue
        scores[key] = value
    return scores


def is_id(value):
    """A whole number as an id (not a bool, list or dict: those are not hashable or not ids)."""
    return isinstance(value, int) and not isinstance(value, bool)


def _point_text(item, errors, key):
    """The point's normalised text, or ``None`` (with the error) when it is not a string."""
    raw = item.get("text")
    if raw is not None and not isinstance(raw, str):
        errors.setdefault(key, []).append(_("The text must be a string."))
        return None
    return normalise_text(raw)


def _clean_point_items(opinion, raw, errors, *, shape, limit, foreign, clean_item):
    """The points of an opinion or of a consultation answer: a list of objects, at most
    ``MAX_POINTS``, each with some text and, if it names an ``id``, one of this opinion's live
    points. ``clean_item(item, key)`` checks what the kind adds (a section, a question) and returns
    those fields. The messages say which kind it is."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        errors["points"] = [shape]
        return []
    if len(raw) > MAX_POINTS:
        errors["points"] = [limit]
        return []
    known = set(opinion.points.filter(removed=False).values_list("id", flat=True))
    points = []
    for index, item in enumerate(raw):
        key = f"points.{index}"
        text = _point_text(item, errors, key)
        if text is None:
            text = ""
        elif not text:
            errors.setdefault(key, []).append(_("A point needs some text."))
        elif len(text) > MAX_POINT:
            errors.setdefault(key, []).append(_("A point is at most {n} characters.").format(n=MAX_POINT))
        point_id = item.get("id")
        if point_id is not None and (not is_id(point_id) or point_id not in known):
            errors.setdefault(key, []).append(foreign)
        points.append({"id": point_id, **clean_item(item, key), "text": text})
    return points


def _clean_points(opinion, raw, sections, errors):
    def clean_item(item, key):
        return {"section": _clean_section(item.get("section"), sections, errors, key)}

    return _clean_point_items(
        opinion,
        raw,
        errors,
        shape=_("Points are a list of objects with “section” and “text”."),
        limit=_("An opinion has at most {n} points.").format(n=MAX_POINTS),
        foreign=_("This point is not part of this opinion."),
        clean_item=clean_item,
    )


def _clean_answer_points(opinion, raw, errors):
    """A consultation answer's points: each names one of the consultation's questions."""
    from consultations.inquiries.services import question_ids

    questions = question_ids(opinion.consultation)

    def clean_item(item, key):
        question = item.get("question")
        if not is_id(question) or question not in questions:
            errors.setdefault(key, []).append(_("Say which question of this consultation the point answers."))
        if item.get("section"):
            errors.setdefault(key, []).append(_("An answer's points name a question, not a plan section."))
        return {"section": "", "question": question}

    return _clean_point_items(
        opinion,
        raw,
        errors,
        shape=_("Points are a list of objects with “question” and “text”."),
        limit=_("An answer has at most {n} points.").format(n=MAX_POINTS),
        foreign=_("This point is not part of this answer."),
        clean_item=clean_item,
    )


def _clean_answer_data(opinion, data):
    """A consultation answer is its points only: no conclusion, scores or summary."""
    errors = {}
    for field in ("conclusion", "scores", "summary"):
        if data.get(field):
            errors[field] = [_("An answer to a consultation has no {field}.").format(field=field)]
    points = _clean_answer_points(opinion, data.get("points"), errors)
    if errors:
        raise ValidationError(errors)
    return {"conclusion": "", "scores": {}, "summary": "", "points": points}


def clean_opinion_data(opinion, data):
    """Validate a write; raise ``ValidationError`` (field → messages) and change nothing."""
    from consultations.opinions.models import Opinion

    if not isinstance(data, dict):
        raise ValidationError(_("The opinion is a JSON object."))
    if opinion.consultation_id:
        return _clean_answer_data(opinion, data)
    errors = {}
    conclusion = str(data.get("conclusion") or "")
    if conclusion and conclusion not in Opinion.Conclusion.values:
        errors["conclusion"] = [_("Choose agree, agree_with_revisions, disagree or abstain.")]
    summary = normalise_text(data.get("summary"))
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = [_("The summary is at most {n} characters.").format(n=MAX_SUMMARY)]
    scores = _clean_scores(opinion.review, data.get("scores"), errors)
    points = _clean_points(opinion, data.get("points"), plan_sections(opinion.review), errors)
    if errors:
        raise ValidationError(errors)
    return {"conclusion": conclusion, "scores": scores, "summary": summary, "points": points}


def _writable(opinion, *, by):
    from reviews.models import Review

    if opinion.consultation_id:
        from consultations.inquiries.services import check_answer_writable

        return check_answer_writable(opinion, by=by)
    if opinion.expert.user_id != getattr(by, "id", None):
        raise StateConflict(_("Only its author writes an opinion."))
    if opinion.assignment.state != "accepted":
        raise StateConflict(_("You are no longer on this panel."))
    if opinion.review.state != Review.State.OPEN:
        if opinion.review.state in CLOSED_STATES:
            raise StateConflict(_("The review is closed: the opinion is read-only."))
        raise StateConflict(_("Opinions are written once the review is open."))


def _write_points(opinion, points):
    """Update, add and (before submission: delete; after: mark removed) points, keeping ids."""
    from consultations.opinions.models import Point

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
    from django.db.models import Max

    from consultations.opinions.models import OpinionVersion

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
        by=by,
    )


def _compare_and_set(opinion, expected_version, **fields):
    """Move the row from ``expected_version`` to the next one, or raise ``StaleVersion``.

    A single conditional UPDATE: on PostgreSQL the winner's row lock makes the loser re-check
    the condition after the winner commits; on SQLite writes are serialised (IMMEDIATE)."""
    from consultations.opinions.models import Opinion

    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationError({"version": [_("Send the version you started from (If-Match).")]})
    now = timezone.now()
    updated = Opinion.objects.filter(pk=opinion.pk, version=expected_version).update(
        version=expected_version + 1, saved_at=now, **fields
    )
    current = Opinion.objects.select_related("review__plan_version", "consultation", "expert", "assignment").get(
        pk=opinion.pk
    )
    if not updated:
        raise StaleVersion(current)
    return current


def _refuse_if_stale(opinion, expected_version):
    """A write based on an older version is refused as stale before its content is checked: a
    point deleted on another device would otherwise make it a 400 ("not part of this opinion")
    instead of the 409 that shows the page the current version to merge with. The conditional
    UPDATE in ``_compare_and_set`` still decides a race between two writes."""
    from consultations.opinions.models import Opinion

    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        return  # _compare_and_set says what is wrong with it
    if Opinion.objects.filter(pk=opinion.pk).values_list("version", flat=True).first() != expected_version:
        raise StaleVersion(
            Opinion.objects.select_related("review__plan_version", "consultation", "expert", "assignment").get(
                pk=opinion.pk
            )
        )


@transaction.atomic
def save_opinion(opinion, *, by, data, expected_version, label="", reason="", merged=False):
    """Save ``data`` over ``opinion`` if nobody saved since ``expected_version``.

    A plain save (an autosave) updates the draft in place. ``label`` also keeps a named
    version; after submission every change is an addendum and needs ``reason``; ``merged``
    records a version after the expert resolved a conflict. Raises ``ValidationError`` (bad
    input), ``StateConflict`` (closed, not theirs) or ``StaleVersion`` (someone saved first)."""
    from consultations.opinions.models import OpinionVersion

    _writable(opinion, by=by)
    _refuse_if_stale(opinion, expected_version)
    label, reason = normalise_text(label)[:200], normalise_text(reason)[:500]
    if opinion.submitted_at and not reason:
        raise ValidationError({"reason": [_("After submission a change is an addendum: give the reason.")]})
    clean = clean_opinion_data(opinion, data)
    points = clean.pop("points")
    current = _compare_and_set(opinion, expected_version, saved_by=by, **clean)
    _write_points(current, points)
    if current.submitted_at:
        version = _record_version(current, kind=OpinionVersion.Kind.ADDENDUM, by=by, reason=reason)
        audit.record(audit.OPINION_ADDENDUM, actor=by, obj=current, outcome=audit.SUCCESS, version=version.pk)
        current.digest = version.digest
        current.save(update_fields=["digest"])
    elif label or merged:
        kind = OpinionVersion.Kind.MERGED if merged and not label else OpinionVersion.Kind.NAMED
        _record_version(current, kind=kind, by=by, reason=label)
    _tell(current, "opinion.saved", opinion=current.pk, expert=current.expert_id, version=current.version)
    return current


def _tell(subject, type, **payload):
    """The live event of an opinion's write: on its review's channel, or for a consultation's
    answer on the consultation's (as ``answer.saved`` / ``answer.submitted``)."""
    if subject.consultation_id:  # ids only, and no expert id: an anonymous consultation stays so
        payload = {"answer": payload["opinion"], **({"version": payload["version"]} if "version" in payload else {})}
        realtime.emit_consultation_event(subject.consultation, type.replace("opinion.", "answer."), **payload)
    else:
        review_events.emit_review_event(subject.review, type, **payload)


@transaction.atomic
def submit_opinion(opinion, *, by, expected_version=None):
    """Seal the opinion: a ``submitted`` version with the SHA-256 digest of its canonical content.

    Needs a conclusion and, unless abstaining, a score for every criterion."""
    from consultations.opinions.models import Opinion, OpinionVersion

    _writable(opinion, by=by)
    if opinion.submitted_at:
        raise StateConflict(_("This opinion has already been submitted; later changes are addenda."))
    current = Opinion.objects.get(pk=opinion.pk)
    if current.consultation_id:
        from consultations.inquiries.services import check_answer_complete

        check_answer_complete(current)
    errors = {}
    if current.consultation_id:
        pass  # an answer has no conclusion or scores
    elif not current.conclusion:
        errors["conclusion"] = [_("Choose a conclusion before submitting.")]
    if not current.consultation_id and current.conclusion != Opinion.Conclusion.ABSTAIN:
        missing = [c["key"] for c in current.review.criteria or [] if c.get("key") not in (current.scores or {})]
        if missing:
            errors["scores"] = [_("Score every criterion before submitting: {keys}.").format(keys=", ".join(missing))]
    if errors:
        raise ValidationError(errors)
    expected = current.version if expected_version is None else expected_version
    now = timezone.now()
    current = _compare_and_set(opinion, expected, submitted_at=now, saved_by=by)
    version = _record_version(current, kind=OpinionVersion.Kind.SUBMITTED, by=by, reason="")
    audit.record(audit.OPINION_SUBMIT, actor=by, obj=current, outcome=audit.SUCCESS, digest=version.digest)
    current.digest = version.digest
    current.save(update_fields=["digest"])
    _tell(current, "opinion.submitted", opinion=current.pk, expert=current.expert_id)
    return current


# ---------------------------------------------------------------- the discussion


@transaction.atomic
def add_comment(review, *, by, text, section="", dissent=False):
    """A message in the review's discussion (optionally on a section; ``dissent`` records
    disagreement with that section). Told to the review's channel by id only."""
    from consultations.opinions.models import Comment
    from reviews.models import Review

    text = normalise_text(text)
    errors = {}
    if not text:
        errors["text"] = [_("Write something first.")]
    elif len(text) > MAX_COMMENT:
        errors["text"] = [_("A comment is at most {n} characters.").format(n=MAX_COMMENT)]
    section = _clean_section(section, plan_sections(review), errors, "section")
    if dissent and not section:
        errors["section"] = [_("Dissent is recorded against a section.")]
    if errors:
        raise ValidationError(errors)
    if review.state != Review.State.OPEN:
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
    from consultations.opinions.models import Discussion

    errors = {}
    section = _clean_section(section, plan_sections(review), errors, "section")
    if errors:
        raise ValidationError(errors)
    discussion = Discussion.objects.select_for_update().filter(review=review).first() or Discussion(review=review)
    discussion.section, discussion.moved_by, discussion.moved_at = section, by, timezone.now()
    discussion._history_user = by
    discussion._change_reason = "moved"
    discussion.save()
    review_events.emit_review_event(review, "discussion.moved", section=section)
    return discussion


# ---------------------------------------------------------------- presence


def _present_users(review_id):
    from consultations.opinions.models import Presence

    return sorted(set(Presence.objects.filter(review_id=review_id).values_list("user_id", flat=True)))


@transaction.atomic
def join_review(review, *, user, channel_name):
    """A socket opened on the review's channel: record it and tell the group who is here."""
    from consultations.opinions.models import Presence

    Presence.objects.update_or_create(channel_name=channel_name, defaults={"review": review, "user": user})
    review_events.emit_review_event(review, "presence", users=_present_users(review.pk))


@transaction.atomic
def leave_review(review, *, channel_name):
    from consultations.opinions.models import Presence

    Presence.objects.filter(channel_name=channel_name).delete()
    review_events.emit_review_event(review, "presence", users=_present_users(review.pk))
