"""What the apps call to send a notice to an expert: rows now, sending after the commit, in the
task worker (``tasks``). Templates with parameters only (``core.sms.KINDS``), never free text."""

from experts.notices import services, tasks


def queue_sms(expert, *, kind, params, about=None):
    """Text ``expert`` ``kind``'s template with ``params`` if they take text messages (their
    preferred channel, a mobile on record). Returns the notice or None."""
    notice = services.new_sms(expert, kind=kind, params=params, about=about)
    tasks.enqueue_after_commit([notice])
    return notice


def queue_sms_many(items, *, kind):
    """``items``: ``(expert, params, about)`` triples; one notice each for those who take SMS."""
    notices = [services.new_sms(expert, kind=kind, params=params, about=about) for expert, params, about in items]
    tasks.enqueue_after_commit(notices)
    return [n for n in notices if n is not None]


wants_email = services.wants_email
record_email = services.record_email


def tell_expert(expert, *, kind, text, subject, url="", sms=None, about=None):
    """Tell one expert everywhere: a portal notification (and their open sockets); after the commit
    an email if they take mail; a text message if ``sms`` names its ``(kind, params)`` (no approved
    template, no text message; the email is then recorded as a notice of that kind too). Failures
    never undo the step."""
    from django.db import transaction

    from core.notify import notify, send_email

    if expert.user_id:
        notify(expert.user, kind=kind, text=text, url=url)
    if sms is not None:
        queue_sms(expert, kind=sms[0], params=sms[1], about=about)
    if not services.wants_email(expert):
        return

    def send():
        sent = send_email(expert.email, subject=subject, text=text)
        if sms is not None:
            services.record_email(expert, kind=sms[0], subject=subject, sent=sent, about=about)

    transaction.on_commit(send)


channels_for = services.channels_for
