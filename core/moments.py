"""Moments the system stores and writes back (API, documents, feeds) as RFC 3339."""

from django.utils import timezone
from django.utils.translation import gettext as _

EARLIEST_YEAR = 1901


def writable(moment):
    """Whether ``moment`` can be written back as RFC 3339 in the site's time zone: from the year
    1901 on (Asia/Shanghai kept local mean time, +08:05:43, until 1901) and with an offset in
    whole minutes. ``None`` (no moment) is writable."""
    if moment is None:
        return True
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    offset = local.utcoffset()
    return local.year >= EARLIEST_YEAR and not (offset is not None and offset.total_seconds() % 60)


def unwritable_message():
    return _("Give a moment from the year 1901 on.")


def check_writable(instance, fields, errors):
    """Add to ``errors`` each of ``instance``'s ``fields`` whose moment is not ``writable``."""
    for field in fields:
        if not writable(getattr(instance, field)):
            errors[field] = [unwritable_message()]
