"""Periodic work for consolidations on Django's tasks framework: ``manage.py seal_group_opinions``
(cron, every few minutes) enqueues ``seal_due``; ``manage.py db_worker`` runs it in production,
the immediate backend at once on the embedded default."""

from django.tasks import task

from consultations.consolidation.confirmations import seal_overdue


@task
def seal_due():
    """Seal the group opinions whose confirmation deadline has passed, recording non-answers."""
    return {"sealed": seal_overdue()}
