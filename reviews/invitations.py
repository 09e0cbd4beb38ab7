"""Inviting experts and telling them: ``invite`` (and ``invite_panel``, ``invite_many``) make the
assignments; the portal (a notification), email (with a calendar file for meetings) and a text
message through ``core.notify`` tell them. Mail and SMS leave after the commit, so nobody is
invited to something that was rolled back.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core import notify
from experts.models import Expert
from experts.notices import outbox
from reviews import events
from reviews.history import save_with_history
from reviews.models import Assignment

logger = logging.getLogger(__name__)
ICS_DOMAIN = "committee.local"


def calendar_uid(review):
    """Stable for the life of the review: a calendar updates the event instead of adding one."""
    return f"review-{review.pk}@{ICS_DOMAIN}"


def meeting_ics(review, *, cancelled=False):
    """The meeting as an iCalendar file; SEQUENCE is the review's ``calendar_sequence``."""
    from icalendar import Calendar, Event

    calendar = Calendar()
    calendar.add("prodid", "-//Expert Advisory Committee//Reviews//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", calendar_uid(review))
    event.add("sequence", review.calendar_sequence)
    event.add("dtstamp", timezone.now())
    start = review.meeting_at or review.opens_at
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(hours=3))
    event.add("summary", _("Review meeting: {plan}").format(plan=review.plan.title))
    event.add("location", review.location)
    if cancelled:
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    return calendar.to_ical()


def _portal_url():
    return reverse("reviews:invitations")


def _deliver(assignment, *, kind, text, subject, sms, attach_ics=False):
    """The portal at once; after the commit, a mail (if the expert takes mail) and ``sms``'s
    ``(kind, params)`` as a text message notice, sent by the task worker."""
    expert = assignment.expert
    if expert.user_id:
        notify.notify(expert.user, kind=kind, text=text, url=_portal_url())
    review = assignment.review
    if outbox.wants_email(expert):
        _mail_after_commit(assignment, kind=sms[0], text=text, subject=subject, attach_ics=attach_ics)
    # after the mail's hook: a text message that fails at once (the immediate task backend) finds
    # the mail recorded and does not mail the invitation a second time
    outbox.queue_sms(expert, kind=sms[0], params=sms[1], about=review)


def _mail_after_commit(assignment, *, kind, text, subject, attach_ics):
    expert, review = assignment.expert, assignment.review
    ics = meeting_ics(review) if attach_ics and review.mode == review.Mode.MEETING else None

    def send():
        message = EmailMessage(subject=subject, body=text, to=[expert.email], from_email=settings.DEFAULT_FROM_EMAIL)
        if ics:
            message.attach("review.ics", ics, "text/calendar")
        try:
            message.send()
            sent = True
        except Exception:  # a mail outage must not undo the invitation; the portal has it
            logger.warning("mail to expert %s not sent", expert.pk, exc_info=True)
            sent = False
        outbox.record_email(expert, kind=kind, subject=subject, sent=sent, about=review)

    transaction.on_commit(send)


def _day(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else "-"


def _invitation_params(assignment):
    return {"plan": assignment.review.plan.title, "reply_by": _day(assignment.reply_by)}


def _invitation_text(assignment):
    review = assignment.review
    return _(
        "You are invited to review “{plan}” ({mode}), due {due:%Y-%m-%d %H:%M}. Please answer by {reply:%Y-%m-%d}."
    ).format(
        plan=review.plan.title,
        mode=review.get_mode_display(),
        due=timezone.localtime(review.due_at),
        reply=timezone.localtime(assignment.reply_by),
    )


def send_invitation(assignment):
    _deliver(
        assignment,
        kind="invitation",
        text=_invitation_text(assignment),
        subject=_("Invitation to review"),
        sms=("invitation", _invitation_params(assignment)),
        attach_ics=True,
    )


def send_invitations(assignments):
    """Invite many at once (a batch draw): one insert of notifications, one mail connection."""
    from core import live as realtime
    from core.models import Notification

    texts = {a.pk: _invitation_text(a) for a in assignments}
    notifications = Notification.objects.bulk_create(
        Notification(user_id=a.expert.user_id, kind="invitation", text=texts[a.pk][:500], url=_portal_url())
        for a in assignments
        if a.expert.user_id
    )
    realtime.notify_users(notifications)
    subject = _("Invitation to review")
    by_mail = [a for a in assignments if outbox.wants_email(a.expert)]
    outgoing = []
    for a in by_mail:
        message = EmailMessage(
            subject=subject, body=texts[a.pk], to=[a.expert.email], from_email=settings.DEFAULT_FROM_EMAIL
        )
        if a.review.mode == a.review.Mode.MEETING:
            message.attach("review.ics", meeting_ics(a.review), "text/calendar")
        outgoing.append(message)
    outbox.queue_sms_many([(a.expert, _invitation_params(a), a.review) for a in assignments], kind="invitation")

    def send():
        try:
            get_connection().send_messages(outgoing)
            sent = True
        except Exception:  # a mail outage must not undo the invitations; the portal has them
            logger.warning("batch invitation mail not sent", exc_info=True)
            sent = False
        for a in by_mail:
            outbox.record_email(a.expert, kind="invitation", subject=subject, sent=sent, about=a.review)

    transaction.on_commit(send)


def send_reply_reminder(assignment):
    text = _("Reminder: please answer the invitation to review “{plan}” by {reply:%Y-%m-%d %H:%M}.").format(
        plan=assignment.review.plan.title, reply=timezone.localtime(assignment.reply_by)
    )
    params = {"plan": assignment.review.plan.title, "date": _day(assignment.reply_by)}
    _deliver(
        assignment, kind="invitation_reminder", text=text, subject=_("Reminder: invitation to review"),
        sms=("reminder", params),
    )  # fmt: skip


def send_due_reminder(assignment, *, days):
    text = _("Reminder: your opinion on “{plan}” is due in {days} day(s), on {due:%Y-%m-%d %H:%M}.").format(
        plan=assignment.review.plan.title, days=days, due=timezone.localtime(assignment.review.due_at)
    )
    params = {"plan": assignment.review.plan.title, "date": _day(assignment.review.due_at)}
    _deliver(assignment, kind="due_reminder", text=text, subject=_("Reminder: opinion due"), sms=("reminder", params))


def send_meeting_notice(assignment):
    """On accepting a place in a meeting review: its time and place by every channel, the
    calendar file by mail, so a member who reads only text messages knows where to be."""
    review = assignment.review
    when = timezone.localtime(review.meeting_at).strftime("%Y-%m-%d %H:%M") if review.meeting_at else "-"
    params = {"plan": review.plan.title, "when": when, "place": review.location or "-"}
    text = _("The meeting on “{plan}”: {when}, {place}.").format(**params)
    _deliver(assignment, kind="meeting", text=text, subject=_("Meeting"), sms=("meeting", params), attach_ics=True)


def send_calendar_update(assignment):
    text = _("The meeting on “{plan}” has moved: {when:%Y-%m-%d %H:%M}, {place}.").format(
        plan=assignment.review.plan.title,
        when=timezone.localtime(assignment.review.meeting_at),
        place=assignment.review.location,
    )
    review = assignment.review
    when = timezone.localtime(review.meeting_at).strftime("%Y-%m-%d %H:%M") if review.meeting_at else "-"
    params = {"plan": review.plan.title, "when": when, "place": review.location or "-"}
    _deliver(
        assignment, kind="meeting_changed", text=text, subject=_("Meeting changed"), sms=("meeting", params),
        attach_ics=True,
    )  # fmt: skip


# ---------------------------------------------------------------- making the assignments


def invite(review, expert, *, draw, by):
    """Invite ``expert`` to ``review``'s panel (drawn by ``draw``, or by hand): the assignment, the
    invitation by every channel, the review's live event. Returns the assignment."""
    now = timezone.now()
    assignment = Assignment(
        review=review,
        expert=expert,
        draw=draw,
        invited_at=now,
        reply_by=now + timedelta(days=review.reply_days),
    )
    save_with_history(assignment, by=by, reason="invited")
    send_invitation(assignment)
    events.emit_review_event(review, "assignment.changed", assignment=assignment.pk, state=assignment.state)
    return assignment


def invite_panel(review, draw, expert_ids, *, by):
    experts = Expert.objects.select_related("user").in_bulk(expert_ids)
    for expert_id in expert_ids:
        invite(review, experts[expert_id], draw=draw, by=by)


def invite_many(reviews, draws, *, by):
    """Invite every drawn panel of a batch: bulk inserts with history, one event per assignment."""
    now = timezone.now()
    experts = Expert.objects.select_related("user").in_bulk([i for d in draws for i in d.selected])
    assignments = [
        Assignment(review=review, expert=experts[expert_id], draw=draw, invited_at=now,
                   reply_by=now + timedelta(days=review.reply_days))
        for review, draw in zip(reviews, draws, strict=True)
        for expert_id in draw.selected
    ]  # fmt: skip
    assignments = bulk_create_with_history(assignments, Assignment, default_user=by, default_change_reason="invited")
    if not all(a.pk for a in assignments):
        by_key = {
            (a.review_id, a.expert_id): a
            for a in Assignment.objects.filter(review__in=reviews).select_related("review__plan", "expert__user")
        }
        assignments = [by_key[(a.review_id, a.expert_id)] for a in assignments]
    send_invitations(assignments)
    events.emit_review_events(
        [(a.review, "assignment.changed", {"assignment": a.pk, "state": a.state}) for a in assignments]
    )
    return assignments
