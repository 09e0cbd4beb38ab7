"""Reads of a draw's record for the pages and the API: exclusions grouped by rule, names."""

from experts.models import Expert
from reviews.draw.pool import REASONS


def _names(ids):
    return dict(Expert.objects.filter(id__in=ids).values_list("id", "name"))


def exclusions_by_rule(draw):
    """``[(reason code, label, [(expert id, name)])]`` in the order rules are checked."""
    ids = [i for ids in (draw.excluded or {}).values() for i in ids]
    names = _names(ids)
    return [
        (code, label, [(i, names.get(i, "?")) for i in draw.excluded[code]])
        for code, label in REASONS.items()
        if draw.excluded.get(code)
    ]


def panel_and_alternates(draw):
    """``(panel, alternates)`` of ``draw`` as ``[(expert id, name)]`` in the record's order."""
    names = _names([*draw.selected, *draw.alternates])
    return [(i, names.get(i, "?")) for i in draw.selected], [(i, names.get(i, "?")) for i in draw.alternates]
