"""Periodic work for consolidations on Django's tasks framework: ``manage.py seal_group_opinions``
(cron, every few minutes) enqueues ``seal_due``; ``manage.py answer_reminders`` (cron, hourly in
office hours) enqueues ``remind_answers_due``; ``manage.py db_worker`` runs them in production,
the immediate backend at once on the embedded default."""

from django.tasks import task

from consultations.consolidation.answers_due import send_answer_reminders
from consultations.consolidation.confirmations import seal_overdue


@task
def seal_due():
    """Seal the group opinions whose confirmation deadline has passed, recording non-answers."""
    return {"sealed": seal_overdue()}


@task
def remind_answers_due():
    """Remind whoever answers the points that the answers are due (3 days before and on the day),
    each reminder once."""
    return {"reminded": send_answer_reminders()}
