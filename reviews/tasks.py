"""Periodic work for reviews on Django's tasks framework.

In production (``TASKS_BACKEND=database``) ``manage.py review_reminders`` (cron, hourly) enqueues
these and ``manage.py db_worker`` (from django_tasks_db; ``make worker``) runs them. On the
embedded default the immediate backend runs them at once when the command enqueues them.
"""

from django.tasks import task

from reviews import services


@task
def chase_invitations():
    """Invitations past their reply date: a reminder, then the next alternate."""
    reminded, expired = services.chase_unanswered()
    return {"reminded": reminded, "expired": expired}


@task
def remind_due():
    """Accepted experts who have not submitted: reminders 3 days and 1 day before the due date."""
    return {"reminded": services.send_due_reminders()}
