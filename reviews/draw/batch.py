"""The batch draw: panels for many reviews at once (an annual session) with one integer program,
so that no expert exceeds their load cap. The rules are those of ``reviews.draw.constraints``,
each a family of rows below; the keys are ``reviews.draw.engine.candidate_key``.

``sha256-milp-batch/2``: one integer program over (review, candidate) pairs, its candidates
pruned to each review's ``w`` best-keyed candidates of each category, for ``w`` in
``BATCH_WIDTHS`` in turn: a round is accepted when no review is short and none lost a category
its pool has, else the next, wider round runs; the last keeps every eligible pair (so no review
is short when a full assignment exists). A round that already keeps every pair is the last. The
widths are part of the record (each draw's ``rules["batch_widths"]``) and a replay uses them.
Seeded random costs make the optimum unique, so a replay cannot depend on the solver's ties.
Version 1 (``reviews.draw.batch_v1``) replays its own records.
"""

import hashlib
import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from reviews.draw import batch_v1
from reviews.draw.constraints import CATEGORIES, CATEGORY, GOV, ID, LOAD, ORG, Composition
from reviews.draw.engine import Outcome
from reviews.draw.text import gettext as _

BATCH_ALGORITHM = "sha256-milp-batch/2"
BATCH_ALGORITHM_V1 = batch_v1.BATCH_ALGORITHM_V1  # records of this version replay with ``batch_v1``
BATCH_WIDTHS = (12, 48, None)  # part of BATCH_ALGORITHM: candidates kept per category, round by round


class BatchUnsolved(RuntimeError):
    """Nothing can be drawn: the load caps cannot cover the seats (``code`` "batch_short"), or the
    solver stopped without proving an optimum (``code`` "batch_solver", a time limit)."""

    def __init__(self, message, code="batch_solver"):
        super().__init__(message)
        self.code = code


def batch_draw(problems, *, seed, algorithm=BATCH_ALGORITHM, widths=None, time_limit=60):
    """Draw panels for many reviews at once with an integer program.

    ``problems``: ``[{"review": id, "pool": [...], "rules": {...}, "quarter": "2026Q4"}]``, each
    pool candidate carrying its ``load_left`` for that quarter. Every panel has ``panel_size``
    distinct experts, one per organisation, the government share, and the categories its pool
    allows; no expert exceeds their load. Seats left empty cost more than anything else, then
    categories left out, then the keys: no review is short when a full assignment exists.
    ``algorithm`` is the version a record names: a replay runs the version that drew, with the
    pruning ``widths`` the record keeps (``BATCH_WIDTHS`` by default).
    Returns ``(outcomes by review id, stats)``.
    """
    if algorithm == BATCH_ALGORITHM_V1:
        return batch_v1.batch_draw_v1(problems, seed=seed, time_limit=time_limit)
    if algorithm != BATCH_ALGORITHM:
        raise ValueError(_("Unknown batch algorithm “{name}”: this record cannot be replayed.").format(name=algorithm))
    started = time.perf_counter()
    pairs = _Pairs(problems, seed)
    stats = {"rounds": [], "keys_s": time.perf_counter() - started, "milp_s": 0.0}
    _check_capacity(pairs)
    outcomes = {}
    for width in tuple(widths or BATCH_WIDTHS):
        keep = pairs.pruned(width)
        everyone = keep.size == pairs.expert.size
        outcomes, short, milp_s = _solve_pairs(pairs, keep, time_limit=time_limit, pruned=not everyone)
        stats["milp_s"] += milp_s
        stats["rounds"].append({"per_category": width, "pairs": int(keep.size), "short": short})
        if not short or everyone:
            break
    stats["pairs"] = stats["rounds"][-1]["pairs"] if stats["rounds"] else 0
    stats["engine_s"] = time.perf_counter() - started
    return outcomes, stats


def _pair_keys(problems, seed, id_bytes, total):
    """The first 128 bits of every pair's ``candidate_key``, as two uint64 columns (high, low)."""
    if not total:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.uint64)
    digests = []
    append = digests.append
    for problem, encoded in zip(problems, id_bytes, strict=True):
        copy = hashlib.sha256(f"{seed}\x1f{problem['review']}\x1f".encode()).copy
        for expert in encoded:
            digest = copy()
            digest.update(expert)
            append(digest.digest())
    words = np.frombuffer(b"".join(digests), dtype=">u8").reshape(total, 4)
    return words[:, 0].astype(np.uint64), words[:, 1].astype(np.uint64)


def _columns(problem):
    """A pool as NumPy columns: the ones eligibility made along with it, or read from its rows."""
    if "columns" in problem:
        return problem["columns"]
    pool = problem["pool"]
    index = {cat: i for i, cat in enumerate(CATEGORIES)}
    return {
        "expert": np.array([row[ID] for row in pool], dtype=np.int64),
        "category": np.array([index.get(row[CATEGORY], -1) for row in pool], dtype=np.int64),
        "org": np.array([-1 if row[ORG] is None else row[ORG] for row in pool], dtype=np.int64),
        "gov": np.array([bool(row[GOV]) for row in pool], dtype=bool),
        "load": np.array([row[LOAD] for row in pool], dtype=np.int64),
        "id_bytes": [str(row[ID]).encode() for row in pool],
    }


class _Pairs:
    """Every (review, eligible candidate) pair of a batch as NumPy columns, in pool order.

    ``order`` sorts the pairs by review, then by key (its first 128 bits: a tie there would be a
    SHA-256 collision), so ``order[start[p]:start[p + 1]]`` is review ``p``'s pool in key order.
    A problem may carry its pool's ``columns`` (eligibility makes them); they must say what its
    rows say, and a replay, which has only the rows, reads them from the rows."""

    def __init__(self, problems, seed):
        self.problems = problems
        sizes = [len(p["pool"]) for p in problems]
        self.start = np.concatenate([[0], np.cumsum(sizes, dtype=np.int64)]).astype(np.int64)
        columns = [_columns(p) for p in problems]
        quarters = {}
        quarter_of = [quarters.setdefault(p.get("quarter", ""), len(quarters)) for p in problems]
        self.quarter_codes = quarter_of
        self.review = np.repeat(np.arange(len(problems), dtype=np.int64), sizes)
        self.quarter = np.repeat(np.array(quarter_of, dtype=np.int64), sizes)

        def joined(name, dtype):
            return np.concatenate([np.asarray(c[name], dtype=dtype) for c in columns] or [np.zeros(0, dtype)])

        self.expert, self.category = joined("expert", np.int64), joined("category", np.int64)
        self.org, self.gov, self.load = joined("org", np.int64), joined("gov", bool), joined("load", np.int64)
        self.key_high, self.key_low = _pair_keys(problems, seed, [c["id_bytes"] for c in columns], sum(sizes))
        self.order = np.concatenate(
            [self._key_order(start, end) for start, end in zip(self.start[:-1], self.start[1:], strict=True)]
            or [np.zeros(0, dtype=np.int64)]
        )
        self.cost = (self.key_high >> np.uint64(11)).astype(np.float64) / 2.0**53  # in [0, 1), 53 bits

    def _key_order(self, start, end):
        """Positions ``start..end-1`` (one review's pool) in key order: by the key's first 64 bits,
        the next 64 where those tie."""
        high = self.key_high[start:end]
        order = np.argsort(high, kind="stable")
        if np.any(high[order][1:] == high[order][:-1]):
            order = np.lexsort((self.key_low[start:end], high))
        return order + start

    def pruned(self, width):
        """Positions of the pairs kept: each review's ``width`` best-keyed candidates of each
        category (every pair when ``width`` is None), ascending."""
        if width is None:
            return np.arange(self.expert.size)
        # ``order`` already runs review by review in key order: a stable sort by (review, category) keeps it
        by_group = self.review[self.order] * (len(CATEGORIES) + 1) + self.category[self.order] + 1
        regroup = np.argsort(by_group, kind="stable")
        order, group = self.order[regroup], by_group[regroup]
        positions = np.arange(order.size)
        first = np.ones(order.size, dtype=bool)
        first[1:] = group[1:] != group[:-1]
        rank = positions - np.maximum.accumulate(np.where(first, positions, 0))
        return np.sort(order[rank < width])


def _check_capacity(pairs):
    """Raise ``BatchUnsolved`` when the load caps cannot fill every seat whatever the assignment
    (a count per quarter, so that an impossible batch is refused at once, not after a long search)."""
    problems = pairs.problems
    if not problems or not pairs.expert.size:
        return
    compositions = [Composition.of(p["rules"]) for p in problems]
    sizes = np.array([c.size for c in compositions], dtype=np.int64)
    caps = np.array([c.gov_cap for c in compositions], dtype=np.int64)
    quarters = np.array(pairs.quarter_codes, dtype=np.int64)
    n_quarters = int(quarters.max()) + 1

    def capacity(mask):
        group, first = _compact(pairs.expert[mask] * n_quarters + pairs.quarter[mask])
        least = np.full(first.size, np.iinfo(np.int64).max)
        np.minimum.at(least, group, pairs.load[mask])
        usable = np.minimum(np.maximum(least, 0), np.bincount(group, minlength=first.size))
        return np.bincount(first % n_quarters, weights=usable, minlength=n_quarters)

    seats = np.bincount(quarters, weights=sizes, minlength=n_quarters)
    short = int(np.maximum(seats - capacity(np.ones(pairs.expert.size, dtype=bool)), 0).sum())
    if short:
        raise BatchUnsolved(
            _("No full assignment exists: the load caps leave {short} seats empty.").format(short=short),
            code="batch_short",
        )
    outside = np.bincount(quarters, weights=sizes - caps, minlength=n_quarters)
    short = int(np.maximum(outside - capacity(~pairs.gov), 0).sum())
    if short:
        raise BatchUnsolved(
            _(
                "No full assignment exists: the government share leaves {needed} seats to experts outside "
                "government, and their load caps cover only {covered}."
            ).format(needed=int(outside.sum()), covered=int(outside.sum()) - short),
            code="batch_short",
        )


class _Rows:
    """The constraint rows of the batch program, added a family at a time."""

    def __init__(self, n_pairs):
        self.n_pairs, self.n_rows, self.n_slack = n_pairs, 0, 0
        self.rows, self.cols, self.lower, self.upper, self.slack_costs = [], [], [], [], []

    def add(self, group, members, lower, upper, slack_cost=None):
        """Rows ``0..len(lower)-1`` of a family; ``members[k]`` (a pair position) is in row ``group[k]``.
        With ``slack_cost``, each row gets a slack variable that may make up its bound, at that price."""
        count = len(lower)
        self.rows.append(group + self.n_rows)
        self.cols.append(members)
        if slack_cost is not None:
            self.rows.append(np.arange(count) + self.n_rows)
            self.cols.append(np.arange(count) + self.n_pairs + self.n_slack)
            self.slack_costs.append(np.full(count, slack_cost, dtype=np.float64))
            self.n_slack += count
        self.lower.append(np.asarray(lower, dtype=np.float64))
        self.upper.append(np.asarray(upper, dtype=np.float64))
        self.n_rows += count

    def matrix(self):
        rows, cols = np.concatenate(self.rows), np.concatenate(self.cols)
        shape = (self.n_rows, self.n_pairs + self.n_slack)
        return coo_array((np.ones(rows.size), (rows, cols)), shape=shape).tocsr()


def _compact(keys):
    """``(row of each key, first key of each row)``: equal keys share a row, rows in key order."""
    unique, inverse = np.unique(keys, return_inverse=True)
    return inverse.reshape(-1), unique


def _solve_pairs(pairs, keep, *, time_limit, pruned):
    """Solve the program over the ``keep`` pairs: ``(outcomes, short, milp seconds)``; ``short``
    when a review is short, or (``pruned``) left out a category its whole pool has."""
    costs, integrality, bounds, constraints = _program(pairs, keep)
    started = time.perf_counter()
    result = milp(
        costs,
        integrality=integrality,
        bounds=bounds,
        constraints=constraints,
        options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
    )
    milp_s = time.perf_counter() - started
    if result.status != 0 or result.x is None:
        raise BatchUnsolved(
            _("The solver stopped before proving the best assignment ({message}): nothing was drawn.").format(
                message=result.message
            )
        )
    chosen = np.zeros(pairs.expert.size, dtype=bool)
    chosen[keep[result.x[: keep.size] > 0.5]] = True
    outcomes, short = {}, False
    for p_index, problem in enumerate(pairs.problems):
        outcome, lost = _batch_outcome(pairs, chosen, p_index, problem)
        short = short or bool(outcome.problem) or (pruned and lost)
        outcomes[problem["review"]] = outcome
    return outcomes, short, milp_s


def _program(pairs, keep):
    """The integer program over the ``keep`` pairs: one binary per pair, then the slacks. Each
    family of rows is one rule of ``reviews.draw.constraints`` (and the load, shared here)."""
    problems = pairs.problems
    n = keep.size
    compositions = [Composition.of(p["rules"]) for p in problems]
    sizes = np.array([c.size for c in compositions], dtype=np.int64)
    category_weight = float(sizes.sum()) + 1.0  # above any sum of pair costs
    seat_weight = category_weight * (len(problems) * len(CATEGORIES) + 1)  # above any sum of category slacks
    rows = _Rows(n)
    review = pairs.review[keep]
    # the seats: exactly panel_size per review (an empty seat is a priced slack)
    rows.add(review, np.arange(n), sizes, sizes, slack_cost=seat_weight)
    _government_rows(rows, pairs, keep, np.array([c.gov_cap for c in compositions], dtype=np.int64))
    _organisation_rows(rows, pairs, keep, np.array([c.one_per_org for c in compositions], dtype=bool))
    each_category = np.array([c.each_category for c in compositions], dtype=bool)
    _category_rows(rows, pairs, keep, each_category, slack_cost=category_weight)
    _load_rows(rows, pairs, keep)
    costs = np.concatenate([pairs.cost[keep], *rows.slack_costs])
    size = n + rows.n_slack
    return (
        costs,
        np.concatenate([np.ones(n), np.zeros(rows.n_slack)]),
        Bounds(np.zeros(size), np.concatenate([np.ones(n), np.full(rows.n_slack, np.inf)])),
        LinearConstraint(rows.matrix(), np.concatenate(rows.lower), np.concatenate(rows.upper)),
    )


def _government_rows(rows, pairs, keep, caps):
    """``government_share``, for the reviews whose kept candidates could exceed it."""
    review, gov = pairs.review[keep], pairs.gov[keep]
    over = np.bincount(review[gov], minlength=len(pairs.problems)) > caps
    members = np.arange(keep.size)[gov & over[review]]
    if members.size:
        group, first = _compact(review[members])
        rows.add(group, members, np.zeros(first.size), caps[first])


def _organisation_rows(rows, pairs, keep, one_per_org):
    """``one_per_organization``: one row per review and organisation with more than one candidate."""
    review, org = pairs.review[keep], pairs.org[keep]
    members = np.arange(keep.size)[(org >= 0) & one_per_org[review]]
    if not members.size:
        return
    group, _first = _compact(review[members] * (int(org.max()) + 1) + org[members])
    counts = np.bincount(group)
    members, group = members[counts[group] > 1], group[counts[group] > 1]
    if members.size:
        group, first = _compact(group)
        rows.add(group, members, np.zeros(first.size), np.ones(first.size))


def _category_rows(rows, pairs, keep, each_category, *, slack_cost):
    """``each_category``: one of each category the review's whole pool has (a priced slack)."""
    review, category = pairs.review[keep], pairs.category[keep]
    present = np.zeros((len(pairs.problems), len(CATEGORIES)), dtype=bool)
    known = pairs.category >= 0
    present[pairs.review[known], pairs.category[known]] = True
    present &= each_category[:, None]
    members = np.arange(keep.size)[(category >= 0)]
    members = members[present[review[members], category[members]]]
    if members.size:
        group, first = _compact(review[members] * len(CATEGORIES) + category[members])
        rows.add(group, members, np.ones(first.size), np.full(first.size, np.inf), slack_cost=slack_cost)


def _load_rows(rows, pairs, keep):
    """The load cap per expert and quarter, where the kept pairs could exceed it."""
    if not keep.size:
        return
    expert, quarter = pairs.expert[keep], pairs.quarter[keep]
    group, first = _compact(expert * (int(pairs.quarter.max()) + 1) + quarter)
    least = np.full(first.size, np.iinfo(np.int64).max)
    np.minimum.at(least, group, pairs.load[keep])
    counts = np.bincount(group, minlength=first.size)
    binding = counts > least
    members = np.arange(keep.size)[binding[group]]
    if members.size:
        group, first_binding = _compact(group[members])
        rows.add(group, members, np.zeros(first_binding.size), np.maximum(least[binding], 0))


def _batch_outcome(pairs, chosen, p_index, problem):
    """Review ``p_index``'s outcome, and whether its panel left out a category its pool has."""
    ranked = pairs.order[pairs.start[p_index] : pairs.start[p_index + 1]]
    ids, picked, cats = pairs.expert[ranked], chosen[ranked], pairs.category[ranked]
    rules = problem["rules"]
    wanted = rules.get("each_category", True)
    covered = set(cats[picked].tolist())
    categories = [cat for i, cat in enumerate(CATEGORIES) if wanted and i in covered]
    lost = bool(wanted) and len(categories) < len(set(cats.tolist()) - {-1})
    selected = ids[picked].tolist()
    outcome = Outcome(
        selected=selected,
        alternates=ids[~picked][: int(rules.get("alternates", 10))].tolist(),
        categories=categories,
        method="batch",
    )
    size = int(rules["panel_size"])
    if len(selected) < size:
        outcome.problem_code = "batch_short"
        outcome.problem = _("The batch left this panel {short} short of {size}.").format(
            short=size - len(selected), size=size
        )
    return outcome, lost
