"""Replaying a draw on the server: the same check as the offline verifier
(``reviews.draw.record.replay``) over the record the API serves (``draw_record``)."""

from django.utils.translation import gettext as _

from reviews.draw import engine
from reviews.draw.record import replay
from reviews.draw.selectors import draw_record


def verify_draw(draw):
    """Replay ``draw`` from its record alone: ``(verified, detail)``."""
    commitment = draw.commitment
    if engine.pool_hash(draw.pool) != draw.pool_hash or (commitment and commitment.pool_hash != draw.pool_hash):
        return False, _("The stored pool does not match its SHA-256 hash.")  # the copy the seats are refilled from
    _lines, problem = replay(draw_record(draw))
    if problem:
        return False, problem
    return True, _("Replaying the record gives the same panel and alternates.")
