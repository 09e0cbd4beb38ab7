"""An expert's participation record: invitations, acceptances, declines, opinions on time and
late, points answered and adopted; per expert and per year (what the secretariat reads when
renewing terms).

The roster does not read the apps above it: each counts its own part and registers the
counting here when it is ready (``reviews/participation.py``: invitations and their answers;
``consultations/participation.py``: opinions, points and their adoption). A part that no app
registered reports ``None`` (shown as "not recorded yet"), never a made-up zero.
"""

from collections import defaultdict

COLUMNS = (
    "invitations",
    "accepted",
    "declined",
    "no_answer",
    "opinions_on_time",
    "opinions_late",
    "points",
    "points_adopted",
)
EMPTY = dict.fromkeys(COLUMNS)

# "module.function" -> (counts, columns): registering the same function again replaces it.
_sources = {}


def register_participation_source(*columns):
    """A decorator: ``counts(expert_ids)`` returns ``{(expert_id, year): {column: n}}`` for the
    given ``columns`` of ``COLUMNS``, in a fixed number of queries whatever the experts' number."""
    unknown = set(columns) - set(COLUMNS)
    if unknown:
        raise ValueError(f"unknown participation columns: {sorted(unknown)}")

    def register(counts):
        _sources[f"{counts.__module__}.{counts.__qualname__}"] = (counts, columns)
        return counts

    return register


def _counted(expert_ids):
    """``(per_year, recorded)``: ``{expert_id: {year: {column: n}}}`` and the columns some source counts."""
    per_year = defaultdict(lambda: defaultdict(dict))
    recorded = set()
    for counts, columns in _sources.values():
        recorded.update(columns)
        for (expert_id, year), row in counts(expert_ids).items():
            for column in columns:
                per_year[expert_id][year][column] = row[column]
    return per_year, recorded


def participation(expert_ids):
    """``{expert_id: {"total": {...}, "years": [(year, {...}), ...]}}`` for the given experts,
    in a fixed number of queries whatever their number."""
    expert_ids = list(expert_ids)
    per_year, recorded = _counted(expert_ids)
    result = {}
    for expert_id in expert_ids:
        total = EMPTY | dict.fromkeys(recorded, 0)
        years = []
        for year in sorted(per_year[expert_id], reverse=True):
            row = dict(total) | {key: 0 for key, value in total.items() if value is not None}
            row.update(per_year[expert_id][year])
            years.append((year, row))
            for key, value in per_year[expert_id][year].items():
                total[key] = (total[key] or 0) + value
        result[expert_id] = {"total": total, "years": years}
    return result


def participation_of(expert):
    return participation([expert.pk])[expert.pk]
