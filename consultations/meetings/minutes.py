"""The meeting's minutes (会议纪要): a text drafted from the agenda and the discussion, which the
secretariat edits (``version``, If-Match: a stale write is refused with the current minutes) until
it files them; filing freezes the text and keeps the .docx made then, with its SHA-256. The .docx
is the committee's official layout (``doc_templates.official``): the meeting, the agenda, the
discussion (the text), the vote, the group opinion, and the attendance as the signature table."""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.doc_templates.official import number_parts, render_official_docx
from consultations.meetings import rules, selectors
from consultations.meetings.models import Attendance, Minutes, Vote
from consultations.opinions.canonical import normalise_text
from consultations.opinions.models import Comment
from core.errors import StaleVersion, StateConflict
from core.versioning import compare_and_set, require_version
from reviews.models import Assignment, Review

MAX_MINUTES = 50000


class StaleMinutes(StaleVersion):
    """A write based on an older version: 409 with ``minutes`` (the current ones)."""

    def __init__(self, minutes):
        Exception.__init__(self, f"stale: current version is {minutes.version}")
        self.minutes = minutes


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _speaker(comment):
    if comment.expert_id:
        return comment.expert.name
    return comment.author.get_full_name() or comment.author.get_username()


def draft_text(review):
    """The minutes' first draft: each agenda item with what was said on its section, then what
    was said on the plan as a whole or on sections not on the agenda."""
    comments = list(Comment.objects.filter(review=review).select_related("expert", "author"))
    lines, used = [], set()
    for item in selectors.agenda(review):
        anchor = f"（§{item.section}）" if item.section else ""
        lines.append(f"{item.position}. {item.title}{anchor}")
        for comment in comments:
            if item.section and comment.section == item.section:
                used.add(comment.pk)
                lines.append(f"    {_speaker(comment)}：{comment.text}")
    rest = [c for c in comments if c.pk not in used]
    if rest:
        lines.append(_("Other remarks"))
        lines.extend(f"    {_speaker(c)}：{c.text}" for c in rest)
    return "\n".join(lines)


def current_text(review, minutes):
    """What the minutes say now: the saved text, or the draft while nobody has saved one."""
    return minutes.text if minutes.version else draft_text(review)


@transaction.atomic
def save_minutes(review, *, by, text, expected_version):
    """Save the minutes' text over ``expected_version`` (``StaleMinutes`` if someone saved first)."""
    if not rules.prepares_meeting(by, review):
        raise PermissionDenied(_("The secretariat writes the minutes."))
    if review.mode != Review.Mode.MEETING:
        raise StateConflict(_("This review is written (书面函审): it has no meeting."))
    require_version(expected_version)
    text = normalise_text(str(text or ""))
    if len(text) > MAX_MINUTES:
        raise ValidationError({"text": [_("The minutes are at most {n} characters.").format(n=MAX_MINUTES)]})
    minutes, _created = Minutes.objects.get_or_create(review=review)
    if minutes.filed_at:
        raise StateConflict(_("The minutes are filed: they no longer change."))
    if not compare_and_set(Minutes.objects, minutes.pk, expected_version):
        raise StaleMinutes(Minutes.objects.get(pk=minutes.pk))
    minutes = Minutes.objects.get(pk=minutes.pk)
    minutes.text, minutes.saved_at, minutes.saved_by = text, timezone.now(), by
    minutes._history_user, minutes._change_reason = by, "saved"
    minutes.save()
    return minutes


@transaction.atomic
def file_minutes(review, *, by):
    """File the minutes: the text is frozen as it is (the draft if never edited), the .docx made
    now is kept with its SHA-256, and the meeting is over (no more check-in or votes)."""
    if not rules.prepares_meeting(by, review):
        raise PermissionDenied(_("The secretariat files the minutes."))
    if review.mode != Review.Mode.MEETING:
        raise StateConflict(_("This review is written (书面函审): it has no meeting."))
    minutes, _created = Minutes.objects.select_for_update().get_or_create(review=review)
    if minutes.filed_at:
        raise StateConflict(_("The minutes are already filed."))
    minutes.text = current_text(review, minutes)
    minutes.filed_at, minutes.filed_by = timezone.now(), by
    minutes.document = docx_bytes(review, minutes)
    minutes.digest = hashlib.sha256(minutes.document).hexdigest()
    minutes.version += 1
    minutes._history_user, minutes._change_reason = by, "filed"
    minutes.save()
    return minutes


def minutes_docx(review):
    """The minutes as .docx: the filed document once filed, else made from what is there now."""
    minutes = selectors.minutes_of(review)
    if minutes.filed_at and minutes.document:
        return bytes(minutes.document)
    return docx_bytes(review, minutes)


# ---------------------------------------------------------------- the document


def _vote_lines(review, version):
    rows = selectors.votes(review, version) if version else []
    counts = selectors.tally(rows)
    labels = dict(Vote.Choice.choices)
    lines = [
        _("On version {version} of the group opinion: agree {agree}, against {against}, abstain {abstain}.").format(
            version=version, **counts
        )
    ]
    lines.extend(f"{row.expert.name}：{labels[row.vote]}" for row in rows)
    return lines


def _attendance_rows(review):
    rows, chair = [], review.chair_id
    for row in selectors.attendance(review):
        how = (
            _("scanned the room's code")
            if row.how == Attendance.How.CODE
            else _("by hand: {reason}").format(reason=row.reason)
        )
        rows.append({"name": row.expert.name, "title": row.expert.title, "role": _("Chair") if row.expert_id == chair
                     else _("Member"), "confirmed": f"{_local(row.checked_in_at)} {how}"})  # fmt: skip
    return rows


def minutes_parts(review, minutes):
    """The minutes' parts, numbered 一、二、 …, each ``heading`` and ``lines``."""
    consolidation = selectors.group_opinion(review)
    version = consolidation.version if consolidation else 0
    panel = Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED).count()
    present = Attendance.objects.filter(review=review).count()
    meeting = [
        _("Plan: {title}").format(title=review.plan.title),
        _("Time: {at}").format(at=_local(review.meeting_at)),
        _("Place: {place}").format(place=review.location or "—"),
        _("Chair: {name}").format(name=review.chair.name if review.chair_id else "—"),
        _("Present: {present} of the panel's {panel} members.").format(present=present, panel=panel),
    ]
    agenda = [f"{item.position}. {item.title}" + (f"（§{item.section}）" if item.section else "")
              for item in selectors.agenda(review)]  # fmt: skip
    text = current_text(review, minutes)
    group = consolidation.group_opinion if consolidation and consolidation.group_opinion else _("Not yet written.")
    return number_parts([
        {"heading": _("The meeting"), "lines": meeting},
        {"heading": _("The agenda"), "lines": agenda or [_("No agenda was set.")]},
        {"heading": _("The discussion"), "lines": [line.strip() for line in text.splitlines() if line.strip()]},
        {"heading": _("The vote on the group opinion"), "lines": _vote_lines(review, version)},
        {"heading": _("The group opinion"), "lines": [line for line in group.splitlines() if line.strip()]},
    ])  # fmt: skip


def docx_bytes(review, minutes):
    filed = _("Filed {at}, version {version}.").format(at=_local(minutes.filed_at), version=minutes.version + 1)
    return render_official_docx(
        {
            "title": _("Minutes of the meeting on “{plan}”").format(plan=review.plan.title),
            "subtitle": timezone.localdate(review.meeting_at).isoformat() if review.meeting_at else "",
            "parts": minutes_parts(review, minutes),
            "signature_title": _("Attendance"),
            "signature_note": _("Each member present checked in with their own phone or was marked present by hand."),
            "columns": [_("Name"), _("Title"), _("Role"), _("Present since")],
            "panel": _attendance_rows(review),
            "seal_line": filed if minutes.filed_at else _("Draft, not yet filed."),
        }
    )
