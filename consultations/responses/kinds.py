"""The kinds of point an answer (采纳情况) can be given to, and the one writer of that answer.

Points come from review opinions, from the answers to a consultation and from proposals: one id
space (``/api/v1/points/{id}/response/``). Each concern that owns a kind registers, when the app
is ready, who may see and answer its points and what answering means there (the state it needs,
who is told); the answering code here asks the registry and never imports the concerns above it.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.responses.models import Response


@dataclass(frozen=True)
class PointKind:
    """``applies(point)``: whether the point is of this kind. ``can_see(user, point)``,
    ``can_answer(user, point)``: the concern's rules. ``answer(point, *, by, status, reason)``:
    checks the concern's state, calls ``write_response`` and tells whoever must hear of it."""

    name: str
    applies: Callable
    can_see: Callable
    can_answer: Callable
    answer: Callable


_kinds = []


def register_point_kind(kind):
    """Register ``kind`` once (a second registration of the same name replaces the first)."""
    _kinds[:] = [k for k in _kinds if k.name != kind.name] + [kind]
    return kind


def kind_of(point):
    """The registered kind of ``point``; a point no kind claims is a bug, not a user error."""
    for kind in _kinds:
        if kind.applies(point):
            return kind
    raise LookupError(f"no point kind is registered for point {point.pk}")


def write_response(point, *, by, status, reason):
    """Record (or change) the one answer to ``point``: the only place a ``Response`` is written.
    The caller has checked the state (a state that forbids it is a 409, said before this 403)
    and holds the transaction; whoever the point's kind does not let answer it is refused here,
    whatever the caller checked."""
    if not kind_of(point).can_answer(by, point):
        raise PermissionDenied(_("The department concerned or the commission answers a point."))
    response = Response.objects.select_for_update().filter(point=point).first() or Response(point=point)
    response.status, response.reason, response.by, response.at = status, reason, by, timezone.now()
    response._history_user = by
    response._change_reason = "answered"
    response.save()
    return response
