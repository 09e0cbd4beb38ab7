"""The due date of the answers to a consolidation's points (采纳情况反馈期限) and the reminders
before it.

- The commission sets the date (``set_answers_due``; who: ``rules.can_set_answers_due``) while
  the points are being answered: after the review closes and before the package is final. A day
  before today, before the consolidation's own day (the seal's, or before the seal the
  confirmations' deadline) or more than a year ahead is refused, naming ``answers_due_on``. The
  date stands beside the group opinion's ``version`` and never advances it (the panel's
  confirmations are of the text); each change is kept in the consolidation's history.
- Whoever answers the points is reminded (``send_answer_reminders``, the task
  ``consolidation.tasks.remind_answers_due`` enqueued by ``manage.py answer_reminders``):
  ``ANSWERS_DUE_REMINDER_DAYS`` days before the date (three, and on the day, by default), while
  points are still unanswered. Each reminder is kept (``AnswersReminder``, once per due date and
  day) so a second run does not send it again; a new date has reminders of its own. The plan's
  department staff are reminded; a department without staff on the workbench: the commission
  member who set the date (the commission answers for every plan).
- Past the date, the unanswered are listed for the commission: ``selectors.overdue_answers``.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.consolidation.base import WORKING_STATES, StaleConsolidation, has_package, lock_consolidation
from consultations.consolidation.models import AnswersReminder, Consolidation
from consultations.consolidation.rules import can_set_answers_due
from consultations.opinions.models import Point
from consultations.responses.selectors import open_points
from core.errors import StateConflict
from core.notify import notify, send_email
from experts import roles

FIELD = "answers_due_on"
MAX_AHEAD_DAYS = 366
CHANGE_REASON = "answers due"


def reminder_days():
    """The days before the due date on which reminders go out, largest first (0: on the day)."""
    return sorted({int(d) for d in getattr(settings, "ANSWERS_DUE_REMINDER_DAYS", (3, 0))}, reverse=True)


def consolidation_day(consolidation):
    """``(day, message)``: the first day the answers may be due, the consolidation's own: the day
    it was sealed, or before the seal the day of the confirmations' deadline; ``(None, "")``
    without either."""
    if consolidation.sealed_at:
        return timezone.localdate(consolidation.sealed_at), _(
            "The answers cannot be due before the group opinion was sealed ({day})."
        )
    if consolidation.confirm_by:
        return timezone.localdate(consolidation.confirm_by), _(
            "The answers cannot be due before the panel's deadline for confirming the group opinion ({day})."
        )
    return None, ""


def clean_answers_due(consolidation, due_on, *, today):
    """``due_on`` checked against today and the consolidation; ``None`` clears the date. Raises
    ``ValidationError`` naming ``answers_due_on``."""
    if due_on is None:
        return None
    if due_on < today:
        message = _("The answers cannot be due in the past: give {today} or a later day.").format(today=today)
        raise ValidationError({FIELD: [message]})
    first, message = consolidation_day(consolidation)
    if first is not None and due_on < first:
        raise ValidationError({FIELD: [message.format(day=first)]})
    if due_on > today + timedelta(days=MAX_AHEAD_DAYS):
        raise ValidationError({FIELD: [_("Give a day within a year from today.")]})
    return due_on


@transaction.atomic
def set_answers_due(review, *, by, due_on, expected_version=None, today=None):
    """The commission sets (``due_on``, a date) or clears (``None``) the due date of the answers
    to the review's points. ``expected_version``, when given, must be the group opinion's current
    version (``StaleConsolidation`` otherwise); the version does not move. Returns the
    consolidation; changes nothing on any refusal."""
    if by is not None and not can_set_answers_due(by, review):
        raise PermissionDenied(_("The commission sets the due date of the answers."))
    if review.state not in WORKING_STATES or has_package(review):
        raise StateConflict(
            _("The answers' due date is set after the review closes and before the response package is final.")
        )
    consolidation = lock_consolidation(review)
    if expected_version is not None and consolidation.version != expected_version:
        raise StaleConsolidation(consolidation)
    due_on = clean_answers_due(consolidation, due_on, today=today or timezone.localdate())
    if consolidation.answers_due_on != due_on:
        consolidation.answers_due_on = due_on
        consolidation._history_user, consolidation._change_reason = by, CHANGE_REASON
        consolidation.save(update_fields=[FIELD])
    return consolidation


# ---------------------------------------------------------------- reminders


def send_answer_reminders(*, today=None):
    """Remind whoever answers the points of each consolidation whose due date is near (see the
    module's docstring), each reminder once. Returns how many consolidations were reminded."""
    today = today or timezone.localdate()
    days = reminder_days()
    if not days:
        return 0
    near = Consolidation.objects.filter(
        answers_due_on__gte=today,
        answers_due_on__lte=today + timedelta(days=days[0]),
        review__state__in=WORKING_STATES,
        review__response_package__isnull=True,
    ).order_by("answers_due_on", "pk")
    return sum(_remind(pk, today, days) for pk in near.values_list("pk", flat=True))


@transaction.atomic
def _remind(pk, today, days):
    consolidation = Consolidation.objects.select_for_update().select_related("review__plan").get(pk=pk)
    review, due_on = consolidation.review, consolidation.answers_due_on
    if due_on is None or due_on < today or review.state not in WORKING_STATES or has_package(review):
        return 0  # changed meanwhile
    left = (due_on - today).days
    sent = set(consolidation.answer_reminders.filter(due_on=due_on).values_list("days", flat=True))
    due = [d for d in days if left <= d and d not in sent]
    unanswered = open_points(review).count()
    if not due or not unanswered:
        return 0
    people = answerers(consolidation)
    for d in due:
        AnswersReminder.objects.create(consolidation=consolidation, due_on=due_on, days=d, recipients=len(people))
    _tell(people, review, due_on=due_on, left=left, unanswered=unanswered, total=live_points(review).count())
    return 1


def live_points(review):
    """The live points of the review's sealed opinions: what is to be answered."""
    return Point.objects.filter(opinion__review=review, opinion__submitted_at__isnull=False, removed=False)


def answerers(consolidation):
    """Who is reminded: the active staff of the plan's department; without any, the commission
    member who last set the due date (if still active and of the commission)."""
    users = get_user_model().objects.filter(is_active=True, groups__name=roles.DEPARTMENT)
    staff = list(users.filter(department_staff__organization_id=consolidation.review.plan.submitted_by_id).distinct())
    if staff:
        return staff
    setter = (
        consolidation.history.filter(history_change_reason=CHANGE_REASON, history_user__isnull=False)
        .order_by("-history_date")
        .values_list("history_user", flat=True)
        .first()
    )
    commission = get_user_model().objects.filter(pk=setter, is_active=True, groups__name=roles.COMMISSION)
    return list(commission.distinct()) if setter else []


def _tell(people, review, *, due_on, left, unanswered, total):
    values = {"n": unanswered, "total": total, "plan": review.plan.title, "due": due_on, "days": left}
    if left:
        text = _(
            "Reminder: {n} of {total} point(s) on “{plan}” have no answer yet; the answers are due on {due} "
            "({days} day(s) left)."
        ).format(**values)
    else:
        text = _("Reminder: {n} of {total} point(s) on “{plan}” have no answer yet; the answers are due today, {due}.")
        text = text.format(**values)
    url = reverse("consultations:consolidation", args=[review.pk]) + "#points"
    for user in people:
        notify(user, kind="answers_due", text=text, url=url)
    addresses = [user.email for user in people if user.email]
    subject = _("Reminder: answers to the points are due")

    def send():
        for address in addresses:
            send_email(address, subject=subject, text=text)

    transaction.on_commit(send)
