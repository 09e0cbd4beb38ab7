"""Answering a point (采纳情况反馈): the input is checked here once, then the point's kind
(``kinds``) checks its own state, writes through ``kinds.write_response`` and tells whoever
must hear of it. The review's response package lives with the consolidation
(``consultations.consolidation.package``)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from consultations.opinions.canonical import normalise_text
from consultations.responses.kinds import kind_of
from consultations.responses.models import Response

MAX_REASON = 5000


def clean_response(status, reason):
    """The reason, normalised; ``ValidationError`` on a status that is not one of the three or a
    missing reason where one is needed."""
    errors = {}
    reason = normalise_text(reason)
    if status not in Response.Status.values:
        errors["status"] = [_("Choose adopted, partly_adopted or not_adopted.")]
    elif status != Response.Status.ADOPTED and not reason:
        errors["reason"] = [_("Give the reason when a point is not or only partly adopted.")]
    if len(reason) > MAX_REASON:
        errors["reason"] = [_("The reason is at most {n} characters.").format(n=MAX_REASON)]
    if errors:
        raise ValidationError(errors)
    return reason


@transaction.atomic
def answer_point(point, *, by, status, reason=""):
    """Record (or change) the one answer to ``point``: bad input 400, a state of the point's
    subject that forbids it 409 (``StateConflict``), someone its kind does not let answer 403."""
    reason = clean_response(status, reason)
    return kind_of(point).answer(point, by=by, status=status, reason=reason)
