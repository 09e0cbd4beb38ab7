"""Periodic work for reviews on Django's tasks framework.

In production (``TASKS_BACKEND=database``) ``manage.py review_reminders`` (cron, hourly) enqueues
this and ``consultations.opinions.reminders.remind_due``, and ``manage.py db_worker`` (from
django_tasks_db; ``make worker``) runs them. On the embedded default the immediate backend runs
them at once when the command enqueues them.
"""

from django.tasks import task

from reviews.services import assignments


@task
def chase_invitations():
    """Invitations past their reply date: a reminder, then the next alternate."""
    reminded, expired = assignments.chase_unanswered()
    return {"reminded": reminded, "expired": expired}
