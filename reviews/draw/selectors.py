"""Reads of a draw's record for the pages and the API: exclusions grouped by rule, names, the
self-contained record that ``python -m reviews.verify`` replays; and, before a batch draw, the
reviews waiting for a panel, their eligible pools and what would refuse a batch of them."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from experts.models import Expert
from reviews.draw import beacon as beacons
from reviews.draw import engine, pool, record
from reviews.draw.commitment import commitment_body, iso
from reviews.draw.pool import REASONS
from reviews.models import Draw, Review

MAX_BATCH = 500  # reviews in one batch draw (an annual session; measured: 500 x 5,000 experts in ~5 s)


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


def panels_of(draws):
    """``{draw id: [(expert id, name)]}``: the panels of many draws, their names in one query."""
    names = _names([i for draw in draws for i in draw.selected])
    return {draw.pk: [(i, names.get(i, "?")) for i in draw.selected] for draw in draws}


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


# ---------------------------------------------------------------- before a batch draw


def reviews_waiting_for_panel():
    """Reviews a batch draw may take: drafts with neither a draw nor a commitment (what
    ``services.batch_draw_reviews`` locks), the soonest to open first. A review in "drawing" waits
    for its committed public value, not for a batch."""
    return (
        Review.objects.filter(state=Review.State.DRAFT, draw__isnull=True, draw_commitment__isnull=True)
        .select_related("plan", "plan_version")
        .order_by("opens_at", "id")
    )


@dataclass(frozen=True)
class PoolSummary:
    """A review's eligible pool before a draw: its size, and the first rule it cannot meet alone."""

    size: int
    rule: str = ""
    problem: str = ""


def pool_summaries(reviews):
    """``{review id: PoolSummary}`` for many reviews in a fixed number of queries: eligibility as the
    batch draw works it out (``pool.PoolSplitter`` over one roster read) and the first rule each pool
    cannot meet alone (``engine.explain``, the batch's own check)."""
    reviews = list(reviews)
    if not reviews:
        return {}
    facts = pool.review_facts(reviews)
    splitter = pool.PoolSplitter(pool.load_roster(exclude_reviews=[review.pk for review in reviews]))
    summaries = {}
    for review in reviews:
        draw_rules = pool.draw_rules(review, facts[review.pk])
        eligible, _excluded = splitter.split(facts[review.pk], draw_rules)
        rule, problem = engine.explain(eligible, draw_rules)
        summaries[review.pk] = PoolSummary(size=len(eligible), rule=rule or "", problem=problem or "")
    return summaries


@dataclass(frozen=True)
class Refusal:
    """Why a batch cannot be drawn: the review at fault (``None``: the request as a whole), the
    rule, and a message naming the review."""

    review: int | None
    rule: str
    message: str


def review_label(review):
    return _("Review {id} “{title}”").format(id=review.pk, title=review.plan.title)


def batch_refusals(review_ids):
    """``(reviews in the order named, refusals)`` for a batch draw of ``review_ids``: none named, too
    many, one named twice, one that does not exist, one not waiting for a panel, one whose pool
    cannot give its panel alone. Each refusal names its review; the batch is drawn only without
    any (and the draw itself may still refuse it as a whole, ``DrawInfeasible``)."""
    ids = list(review_ids)
    if not ids:
        return [], [Refusal(None, "empty", _("Choose at least one review."))]
    if len(ids) > MAX_BATCH:
        return [], [Refusal(None, "too_many", _("At most {max} reviews in one batch.").format(max=MAX_BATCH))]
    seen, twice = set(), []
    for review_id in ids:
        if review_id in seen and review_id not in twice:
            twice.append(review_id)
        seen.add(review_id)
    if twice:
        return [], [Refusal(i, "duplicate", _("Review {id} is named more than once.").format(id=i)) for i in twice]
    found = Review.objects.select_related("plan", "plan_version").in_bulk(ids)
    refusals = [Refusal(i, "unknown", _("Review {id} does not exist.").format(id=i)) for i in ids if i not in found]
    if refusals:
        return [], refusals
    reviews = [found[i] for i in ids]
    waiting = set(reviews_waiting_for_panel().filter(pk__in=ids).values_list("pk", flat=True))
    refusals = [
        Refusal(review.pk, "state", _("{review} is not waiting for a panel (state: {state}).").format(
            review=review_label(review), state=review.get_state_display()))
        for review in reviews
        if review.pk not in waiting
    ]  # fmt: skip
    if refusals:
        return reviews, refusals
    summaries = pool_summaries(reviews)
    refusals = [
        Refusal(review.pk, summaries[review.pk].rule, _("{review}: {problem}").format(
            review=review_label(review), problem=summaries[review.pk].problem))
        for review in reviews
        if summaries[review.pk].problem
    ]  # fmt: skip
    return reviews, refusals
