"""The notices' work in the task worker (Django's tasks framework): each notice is sent by
``send_notice``, retried with exponential back-off, never in a request; ``poll_receipts`` asks the
provider's status query for receipts (cron, every ten minutes: ``manage.py notice_receipts``).

With the database backend (``TASKS_BACKEND=database``, ``manage.py db_worker``) a retry waits its
back-off (``run_after``); the embedded default's immediate backend cannot wait, so it tries again
at once, up to the same number of attempts."""

from datetime import timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from experts.notices import services
from experts.notices.models import Notice


def enqueue(notice_ids, *, delay=0):
    """Put each notice on the worker's queue, after ``delay`` seconds where the backend can wait."""
    chosen = send_notice
    if delay and send_notice.get_backend().supports_defer:
        chosen = send_notice.using(run_after=timezone.now() + timedelta(seconds=delay))
    for notice_id in notice_ids:
        chosen.enqueue(notice_id)


def enqueue_after_commit(notices):
    """Enqueue the notices once the step that made them is committed (nothing rolled back is sent)."""
    ids = [notice.pk for notice in notices if notice is not None]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))


@task
def send_notice(notice_id):
    """One attempt at one notice; a retryable failure enqueues the next attempt with back-off, a
    failure's fallback (an invitation by mail) is enqueued in turn. Returns the notice's status."""
    notice = Notice.objects.select_related("expert").filter(pk=notice_id).first()
    if notice is None:
        return None
    follow_up = services.deliver(notice)
    enqueue([n.pk for n in follow_up])
    if notice.status == Notice.Status.QUEUED and notice.attempts:
        enqueue([notice.pk], delay=services.retry_delay(notice.attempts))
    return notice.status


@task
def poll_receipts():
    """The provider's status query for the text messages awaiting a receipt. Returns how many changed."""
    updated, follow_up = services.poll_receipts()
    enqueue([n.pk for n in follow_up])
    return updated
