"""Due-date reminders: accepted experts who have not submitted their opinion are reminded
``REVIEW_DUE_REMINDER_DAYS`` days before the review's due date (three and one by default), each
reminder once. An opinions concern: "not submitted" is read from the opinions; the reminder goes
out through reviews' invitations (mail, SMS, the portal).

``remind_due`` is the periodic task (Django's tasks framework), enqueued hourly by
``manage.py review_reminders`` with ``reviews.tasks.chase_invitations``.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from consultations.opinions.models import Opinion
from reviews import invitations
from reviews.history import save_with_history
from reviews.models import Assignment, Review


def has_submitted(assignment):
    """Whether the expert has submitted their opinion on the assignment's review."""
    return Opinion.objects.filter(
        review_id=assignment.review_id, expert_id=assignment.expert_id, submitted_at__isnull=False
    ).exists()


def send_due_reminders(*, now=None):
    """Remind accepted experts who have not submitted, ``REVIEW_DUE_REMINDER_DAYS`` days before the
    due date; each reminder once. Returns how many were sent."""
    now = now or timezone.now()
    days_list = sorted(getattr(settings, "REVIEW_DUE_REMINDER_DAYS", (3, 1)), reverse=True)
    horizon = now + timedelta(days=max(days_list))
    sent = 0
    candidates = Assignment.objects.filter(
        state=Assignment.State.ACCEPTED,
        review__state=Review.State.OPEN,
        review__due_at__gt=now,
        review__due_at__lte=horizon,
    ).select_related("review__plan", "expert__user")
    for assignment in candidates:
        left = assignment.review.due_at - now
        due = [d for d in days_list if left <= timedelta(days=d) and d not in assignment.due_reminders]
        if not due or has_submitted(assignment):
            continue
        with transaction.atomic():
            assignment.due_reminders = sorted({*assignment.due_reminders, *due}, reverse=True)
            save_with_history(assignment, by=None, reason="due reminder", update_fields=["due_reminders"])
            invitations.send_due_reminder(assignment, days=min(due))
        sent += 1
    return sent


@task
def remind_due():
    """Accepted experts who have not submitted: reminders 3 days and 1 day before the due date."""
    return {"reminded": send_due_reminders()}
