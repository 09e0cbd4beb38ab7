"""The kinds of opinion. A review's opinion is defined here; the answer to a consultation is an
opinion too (same drafting, versions, ``If-Match`` and seal), and the questions put to the
committee register that kind when the app is ready (``consultations.inquiries.kinds``), so the
opinion services never import the concerns above them.

A kind says only what differs: who may write it now, what its content must be, what the seal
needs, and where the live events of its writes go.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consultations.opinions import cleaning, rules
from core.errors import StateConflict
from reviews import events as review_events


@dataclass(frozen=True)
class OpinionKind:
    """``applies(opinion)``: whether the opinion is of this kind. ``check_writable(opinion, *, by)``:
    raises ``StateConflict`` unless ``by`` may write it now (called inside the write's
    transaction). ``clean(opinion, data)``: the cleaned ``conclusion``, ``scores``, ``summary`` and
    ``points``, or ``ValidationError``. ``check_complete(opinion)``: ``ValidationError`` unless it may
    be sealed. ``tell(opinion, what)``: the live event of a write, ``what`` is ``"saved"`` or
    ``"submitted"``. ``may_read_others(user, opinion)``: whether its author ``user`` may read the
    others' sealed opinions of the same review or consultation now (the independence record,
    ``services.note_readable_others``); a kind without it never records the moment."""

    name: str
    applies: Callable
    check_writable: Callable
    clean: Callable
    check_complete: Callable
    tell: Callable
    may_read_others: Callable | None = None


def _check_writable(opinion, *, by):
    refusal = rules.refusal_to_write(opinion, by=by)
    if refusal:
        raise StateConflict(refusal)


def _tell(opinion, what):
    payload = {"opinion": opinion.pk, "expert": opinion.expert_id}
    if what == "saved":
        payload["version"] = opinion.version
    review_events.emit_review_event(opinion.review, f"opinion.{what}", **payload)


REVIEW_OPINION = OpinionKind(
    name="review",
    applies=lambda opinion: opinion.consultation_id is None,
    check_writable=_check_writable,
    clean=cleaning.clean_review_opinion,
    check_complete=cleaning.check_review_opinion_complete,
    tell=_tell,
    may_read_others=rules.may_read_others,
)

_kinds = [REVIEW_OPINION]


def register_opinion_kind(kind):
    """Register ``kind`` once (a second registration of the same name replaces the first)."""
    _kinds[:] = [k for k in _kinds if k.name != kind.name] + [kind]
    return kind


def kind_of(opinion):
    """The registered kind of ``opinion``; an opinion no kind claims is a bug, not a user error."""
    for kind in _kinds:
        if kind.applies(opinion):
            return kind
    raise LookupError(f"no opinion kind is registered for opinion {opinion.pk}")


def clean_opinion_data(opinion, data):
    """Validate a write of ``opinion`` (of any kind); raise ``ValidationError`` (field → messages)
    and change nothing."""
    if not isinstance(data, dict):
        raise ValidationError(_("The opinion is a JSON object."))
    return kind_of(opinion).clean(opinion, data)
