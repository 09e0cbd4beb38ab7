"""Reads of a draw's record for the pages and the API: exclusions grouped by rule, names, the
self-contained record that ``python -m reviews.verify`` replays."""

from experts.models import Expert
from reviews.draw import beacon as beacons
from reviews.draw import record
from reviews.draw.commitment import commitment_body, iso
from reviews.draw.pool import REASONS
from reviews.models import Draw


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


def draw_record(draw):
    """The self-contained record of ``draw`` (docs/draw-record.md, ``reviews.draw.record``): what
    was committed, the public value, the witnesses' inputs, the seed, the panel and alternates. A
    batch draw lists every draw of its batch: the batch replays as a whole."""
    members = [draw]
    if draw.batch:  # the batch as stored, with ``draw`` as given (a copy being checked stays that copy)
        stored = Draw.objects.filter(batch=draw.batch).select_related("commitment").order_by("review_id")
        members = [draw if member.pk == draw.pk else member for member in stored]
    legacy = draw.seed_source in Draw.LEGACY_SOURCES
    commitment = draw.commitment
    source = commitment.beacon.get("source", "") if commitment else ""
    return {
        "format": record.RECORD_FORMAT,
        "draw": draw.pk,
        "kind": "batch" if draw.batch else "single",
        "seed_source": draw.seed_source,
        "algorithm": draw.algorithm,
        "solver": draw.solver,
        "batch": draw.batch,
        "source": beacons.describe(source) if source and source != record.SYSTEM else None,
        "reveal": {
            "beacon_value": draw.beacon_value,
            "beacon_signature": draw.beacon_signature,
            "witness_inputs": list(draw.witness_inputs or []),
        },
        "seed": draw.seed,
        "members": [_member(member, legacy=legacy) for member in members],
        "names": {str(i): name for i, name in _names([*draw.selected, *draw.alternates]).items()},
    }


def _member(draw, *, legacy):
    member = {
        "draw": draw.pk,
        "review": draw.review_id,
        "drawn_at": iso(draw.drawn_at),
        "method": draw.method,
        "commitment": None,
        "selected": list(draw.selected),
        "alternates": list(draw.alternates),
    }
    if legacy or draw.commitment is None:
        member["legacy"] = {"pool": draw.pool, "pool_hash": draw.pool_hash, "excluded": draw.excluded or {},
                            "rules": draw.rules}  # fmt: skip
    else:
        member["commitment"] = {**commitment_body(draw.commitment), "digest": draw.commitment.digest}
    return member
