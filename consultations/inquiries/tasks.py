"""Periodic work for consultations on Django's tasks framework (see ``reviews/tasks.py`` for how
production and the embedded default run it)."""

from django.tasks import task

from consultations.inquiries import services as consulting


@task
def close_due():
    """Open consultations past their closing time are closed, and their boards told."""
    return {"closed": len(consulting.close_due_consultations())}
