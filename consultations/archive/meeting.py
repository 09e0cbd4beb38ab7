"""The meeting's parts of a review's archive (meeting mode only): the agenda, who was present,
every vote on every version of the group opinion, and the minutes (their text, and the .docx as
filed, or as it stands when the archive is made if they were never filed). Reads only."""

from consultations.archive.parts import moment
from consultations.meetings import minutes, selectors
from consultations.meetings.models import Vote
from reviews.models import Review


def has_meeting(review):
    return review.mode == Review.Mode.MEETING


def agenda_part(review):
    meeting = selectors.meeting_of(review)
    items = [{"position": i.position, "title": i.title, "section": i.section} for i in selectors.agenda(review)]
    return {"length_days": str(meeting.length), "items": items}


def attendance_part(review):
    return [
        {
            "expert": row.expert_id,
            "name": row.expert.name,
            "checked_in_at": moment(row.checked_in_at),
            "how": row.how,
            "reason": row.reason,
            "days": str(row.days),
            "recorded_by": row.recorded_by.get_username() if row.recorded_by_id else None,
        }
        for row in selectors.attendance(review)
    ]


def votes_part(review):
    rows = Vote.objects.filter(review=review).select_related("expert").order_by("version", "at", "id")
    return [
        {"version": v.version, "expert": v.expert_id, "name": v.expert.name, "vote": v.vote, "at": moment(v.at)}
        for v in rows
    ]


def minutes_part(review):
    row = selectors.minutes_of(review)
    return {
        "text": minutes.current_text(review, row),
        "version": row.version,
        "filed_at": moment(row.filed_at),
        "filed_by": row.filed_by.get_username() if row.filed_by_id else None,
        "digest": row.digest,
    }


def meeting_files(review, as_json):
    """``(path, bytes)`` of the meeting's files, none for a written review."""
    if not has_meeting(review):
        return
    yield "meeting/agenda.json", as_json(agenda_part(review))
    yield "meeting/attendance.json", as_json(attendance_part(review))
    yield "meeting/votes.json", as_json(votes_part(review))
    yield "meeting/minutes.json", as_json(minutes_part(review))
    yield "documents/minutes.docx", minutes.minutes_docx(review)
