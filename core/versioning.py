"""Versions and ``If-Match``: the one stale-write rule on the server.

A record that two people may edit at once carries ``version``, an integer that counts every
accepted write and is the API's ``ETag``. A write names the version it started from (the
``If-Match`` header, or a form's ``version`` field); it is applied only if that is still the
current version, by one conditional UPDATE, so of two concurrent writes exactly one wins and the
other gets 409 with the current record to merge with.

Reading the version: ``version_from_request`` (API), ``version_from_form`` (pages). Deciding:
``require_version``, ``is_current`` (refuse early), ``compare_and_set`` (the write). Answering:
``etag`` / ``with_etag``.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def version_from_if_match(header, fallback=None):
    """The version a write is based on: ``If-Match`` (``"3"``, ``W/"3"`` or ``3``), else
    ``fallback`` (the body's ``version``). Raises ``ValidationError`` on ``version``."""
    raw = (header or "").strip()
    if raw:
        raw = raw.removeprefix("W/").strip('"')
        try:
            return int(raw)
        except ValueError:
            raise ValidationError({"version": [_("If-Match carries the version number you started from.")]})
    if fallback is not None:
        return fallback
    raise ValidationError({"version": [_("Send the version you started from in If-Match.")]})


def version_from_request(request, body=None):
    """``version_from_if_match`` for an API request: its ``If-Match``, else ``body["version"]``."""
    return version_from_if_match(request.headers.get("If-Match"), (body or {}).get("version"))


def version_from_form(raw):
    """A page form's ``version`` field as a number, or ``None`` when it is missing or not one (the
    service then says what is wrong with it, or takes the current version where that is allowed)."""
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def etag(version):
    return f'"{version}"'


def with_etag(response, version):
    """``response`` with the ``ETag`` of ``version``."""
    response["ETag"] = etag(version)
    return response


def is_version(value):
    """Whether ``value`` can name a version (an int, not a bool)."""
    return isinstance(value, int) and not isinstance(value, bool)


def require_version(expected):
    """Refuse a write that does not say which version it started from."""
    if not is_version(expected):
        raise ValidationError({"version": [_("Send the version you started from (If-Match).")]})


def is_current(queryset, pk, expected):
    """Whether the row ``pk`` of ``queryset`` is still at version ``expected``."""
    return queryset.filter(pk=pk).values_list("version", flat=True).first() == expected


def compare_and_set(queryset, pk, expected, **fields):
    """Move row ``pk`` from version ``expected`` to the next one with ``fields``, in one
    conditional UPDATE. Returns whether it applied (False: someone saved first).

    On PostgreSQL the winner's row lock makes the loser re-check the condition after the winner
    commits; on SQLite writes are serialised."""
    require_version(expected)
    return bool(queryset.filter(pk=pk, version=expected).update(version=expected + 1, **fields))
