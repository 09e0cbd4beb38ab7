"""The panel draw, as pure functions over plain data: no ORM, so that a record replays alone.

A candidate of the eligible pool is a list ``[expert_id, category, organization_id, is_government,
load_left]`` (``organization_id`` may be ``None``: such an expert shares an organisation with
nobody). The pool is sorted by expert id and hashed (SHA-256 of its canonical JSON).

Randomness never comes from a library's stream: each candidate's key is
``SHA-256(seed, review id, expert id)``, and everything that follows is a deterministic function
of those keys, the pool and the rules. The integer program (``scipy.optimize.milp``, HiGHS) is
used only as a yes/no feasibility oracle for a single review, so a replay cannot depend on how a
solver breaks ties; the batch draw gives it seeded random costs, which make the optimum unique.
"""

import hashlib
import json
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy
from django.utils.translation import gettext as _
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

ALGORITHM = "sha256-scan-repair-lex/1"
BATCH_ALGORITHM = "sha256-milp-batch/2"
BATCH_ALGORITHM_V1 = "sha256-milp-batch/1"  # records of this version replay with ``_batch_draw_v1``
BATCH_WIDTHS = (12, 48, None)  # part of BATCH_ALGORITHM: candidates kept per category, round by round
CATEGORIES = ("entrepreneur", "specialist", "scholar")
ID, CATEGORY, ORG, GOV, LOAD = range(5)


def solver_version():
    return f"scipy.optimize.milp (HiGHS), SciPy {scipy.__version__}"


def pool_hash(pool):
    canonical = json.dumps(pool, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def candidate_key(seed, review_id, expert_id):
    return hashlib.sha256(f"{seed}\x1f{review_id}\x1f{expert_id}".encode()).hexdigest()


def government_cap(panel_size, share):
    numerator, denominator = share
    return int(Fraction(panel_size * numerator, denominator))  # floor


@dataclass
class Outcome:
    selected: list = field(default_factory=list)
    alternates: list = field(default_factory=list)
    categories: list = field(default_factory=list)  # the categories the panel was made to cover
    method: str = "scan"
    problem: str = ""  # a rule and its shortfall when nothing could be drawn
    problem_code: str = ""

    @property
    def ok(self):
        return not self.problem


# ---------------------------------------------------------------- checks shared by every path


def _valid(panel, size, gov_cap, categories, one_per_org):
    if len(panel) != size or len({c[ID] for c in panel}) != size:
        return False
    if sum(1 for c in panel if c[GOV]) > gov_cap:
        return False
    if one_per_org:
        orgs = [c[ORG] for c in panel if c[ORG] is not None]
        if len(orgs) != len(set(orgs)):
            return False
    present = {c[CATEGORY] for c in panel}
    return all(cat in present for cat in categories)


def _feasible(candidates, size, gov_cap, categories, one_per_org, fixed=()):
    """Whether a valid panel exists that contains ``fixed`` and otherwise uses ``candidates``."""
    everyone = list(fixed) + [c for c in candidates if c not in fixed]
    n = len(everyone)
    if n < size:
        return False
    rows, cols, lower, upper = [], [], [], []

    def add(members, lo, hi):
        row = len(lower)
        rows.extend([row] * len(members))
        cols.extend(members)
        lower.append(lo)
        upper.append(hi)

    add(list(range(n)), size, size)
    add([i for i, c in enumerate(everyone) if c[GOV]], 0, gov_cap)
    if one_per_org:
        by_org = {}
        for i, c in enumerate(everyone):
            if c[ORG] is not None:
                by_org.setdefault(c[ORG], []).append(i)
        for members in by_org.values():
            if len(members) > 1:
                add(members, 0, 1)
    for cat in categories:
        add([i for i, c in enumerate(everyone) if c[CATEGORY] == cat], 1, np.inf)
    matrix = coo_array((np.ones(len(rows)), (rows, cols)), shape=(len(lower), n)).tocsr()
    low_bounds = np.zeros(n)
    low_bounds[: len(fixed)] = 1
    result = milp(
        np.zeros(n),
        integrality=np.ones(n),
        bounds=Bounds(low_bounds, np.ones(n)),
        constraints=LinearConstraint(matrix, lower, upper),
    )
    return result.status == 0


# ---------------------------------------------------------------- single review


def _explain(pool, size, gov_cap, share, one_per_org):
    """The first rule that cannot be met, with the shortfall, or ``("", "")``."""
    if len(pool) < size:
        return "pool", _(
            "Only {count} eligible experts for a panel of {size}: {short} short "
            "(eligibility rules: status, term, availability, domains, conflicts, load cap)."
        ).format(count=len(pool), size=size, short=size - len(pool))
    if one_per_org:
        orgs = {c[ORG] for c in pool if c[ORG] is not None}
        distinct = len(orgs) + sum(1 for c in pool if c[ORG] is None)
        if distinct < size:
            return "one_per_organization", _(
                "At most one expert per organisation: the eligible experts come from only {count} "
                "organisations for a panel of {size}: {short} short."
            ).format(count=distinct, size=size, short=size - distinct)
    non_gov = [c for c in pool if not c[GOV]]
    non_gov_distinct = (
        len({c[ORG] for c in non_gov if c[ORG] is not None}) + sum(1 for c in non_gov if c[ORG] is None)
        if one_per_org
        else len(non_gov)
    )
    if non_gov_distinct + gov_cap < size:
        return "government_share", _(
            "At most {num}/{den} from government bodies ({cap} of {size}): only {count} eligible "
            "experts outside government can sit together: {short} short."
        ).format(
            num=share[0],
            den=share[1],
            cap=gov_cap,
            size=size,
            count=non_gov_distinct,
            short=size - gov_cap - non_gov_distinct,
        )
    return "", ""


def _scan(order, size, gov_cap, categories, one_per_org):
    """Take candidates in key order, keeping seats free for categories still missing."""
    panel, orgs, gov = [], set(), 0
    for c in order:
        if len(panel) == size:
            break
        if one_per_org and c[ORG] is not None and c[ORG] in orgs:
            continue
        if c[GOV] and gov >= gov_cap:
            continue
        present = {p[CATEGORY] for p in panel} | {c[CATEGORY]}
        missing = [cat for cat in categories if cat not in present]
        if len(missing) > size - len(panel) - 1:
            continue
        panel.append(c)
        orgs.add(c[ORG])
        gov += bool(c[GOV])
    return panel


def _repair(panel, order, size, gov_cap, categories, one_per_org):
    """Swap in the first candidate of each missing category for the last member it can replace,
    then fill empty seats in key order. Returns a panel, valid or not."""
    panel = list(panel)
    rank = {c[ID]: i for i, c in enumerate(order)}
    for cat in categories:
        if any(p[CATEGORY] == cat for p in panel):
            continue
        done = False
        for incoming in (c for c in order if c[CATEGORY] == cat and c not in panel):
            trial_base = panel if len(panel) < size else None
            if trial_base is not None and _partial_ok([*panel, incoming], gov_cap, one_per_org):
                panel.append(incoming)
                done = True
                break
            for leaving in sorted(panel, key=lambda p: -rank[p[ID]]):
                trial = [p for p in panel if p is not leaving] + [incoming]
                kept = {p[CATEGORY] for p in trial}
                before = {p[CATEGORY] for p in panel}
                if _partial_ok(trial, gov_cap, one_per_org) and before - {cat} <= kept:
                    panel = trial
                    done = True
                    break
            if done:
                break
    for c in order:
        if len(panel) >= size:
            break
        if c not in panel and _partial_ok([*panel, c], gov_cap, one_per_org):
            panel.append(c)
    return sorted(panel, key=lambda p: rank[p[ID]])


def _partial_ok(panel, gov_cap, one_per_org):
    if sum(1 for c in panel if c[GOV]) > gov_cap:
        return False
    if one_per_org:
        orgs = [c[ORG] for c in panel if c[ORG] is not None]
        return len(orgs) == len(set(orgs))
    return True


def _lexicographic(order, size, gov_cap, categories, one_per_org):
    """The exact method: the first panel in key order that can still be completed validly."""
    panel = []
    for i, c in enumerate(order):
        if len(panel) == size:
            break
        if not _partial_ok([*panel, c], gov_cap, one_per_org):
            continue
        if _feasible(order[i + 1 :], size, gov_cap, categories, one_per_org, fixed=[*panel, c]):
            panel.append(c)
    return panel


def _categories_to_cover(pool, size, gov_cap, one_per_org):
    """Each category present in the pool, dropping (in a fixed order) those the rules cannot
    accommodate together: 'at least one of each category when the roster allows'."""
    wanted = [cat for cat in CATEGORIES if any(c[CATEGORY] == cat for c in pool)]
    while wanted and not _feasible(pool, size, gov_cap, wanted, one_per_org):
        wanted = wanted[:-1]
    return wanted


def draw_panel(pool, *, seed, review_id, rules):
    """Draw a panel and ranked alternates from an eligible ``pool``. Deterministic."""
    size = int(rules["panel_size"])
    share = rules.get("government_share_max") or [1, 1]
    gov_cap = government_cap(size, share)
    one_per_org = bool(rules.get("one_per_organization", True))
    code, problem = _explain(pool, size, gov_cap, share, one_per_org)
    if problem:
        return Outcome(problem=problem, problem_code=code)
    order = sorted(pool, key=lambda c: candidate_key(seed, review_id, c[ID]))
    categories = []
    if rules.get("each_category", True):
        categories = [cat for cat in CATEGORIES if any(c[CATEGORY] == cat for c in pool)]
    panel = _scan(order, size, gov_cap, categories, one_per_org)
    method = "scan"
    if not _valid(panel, size, gov_cap, categories, one_per_org):
        panel = _repair(panel, order, size, gov_cap, categories, one_per_org)
        method = "repair"
    if not _valid(panel, size, gov_cap, categories, one_per_org):
        if rules.get("each_category", True):
            categories = _categories_to_cover(pool, size, gov_cap, one_per_org)
        panel = _lexicographic(order, size, gov_cap, categories, one_per_org)
        method = "exact"
    if not _valid(panel, size, gov_cap, categories, one_per_org):
        return Outcome(
            problem_code="composition",
            problem=_(
                "No panel of {size} meets the composition rules together (one per organisation, at most "
                "{num}/{den} from government bodies) with these {count} eligible experts."
            ).format(size=size, num=share[0], den=share[1], count=len(pool)),
        )
    chosen = {c[ID] for c in panel}
    alternates = [c[ID] for c in order if c[ID] not in chosen][: int(rules.get("alternates", 10))]
    return Outcome(selected=[c[ID] for c in panel], alternates=alternates, categories=categories, method=method)


def next_alternate(pool, alternates, *, panel_ids, unavailable_ids, rules):
    """The first ranked alternate who keeps the panel valid with the members still on it.

    Keeps the categories the panel covers where possible, else only the hard rules."""
    by_id = {c[ID]: c for c in pool}
    size = int(rules["panel_size"])
    gov_cap = government_cap(size, rules.get("government_share_max") or [1, 1])
    one_per_org = bool(rules.get("one_per_organization", True))
    panel = [by_id[i] for i in panel_ids if i in by_id]
    wanted = [cat for cat in rules.get("categories", []) if rules.get("each_category", True)]
    candidates = [by_id[i] for i in alternates if i in by_id and i not in panel_ids and i not in unavailable_ids]
    for strict in (True, False):
        for c in candidates:
            trial = [*panel, c]
            if not _partial_ok(trial, gov_cap, one_per_org):
                continue
            if strict:
                present = {p[CATEGORY] for p in trial}
                missing = [cat for cat in wanted if cat not in present]
                if len(missing) > size - len(trial):
                    continue
            return c[ID]
    return None


# ---------------------------------------------------------------- batch
#
# ``sha256-milp-batch/2``: one integer program over (review, candidate) pairs, its candidates
# pruned to each review's ``w`` best-keyed candidates of each category, for ``w`` in
# ``BATCH_WIDTHS`` in turn: a round is accepted when no review is short and none lost a category
# its pool has, else the next, wider round runs; the last keeps every eligible pair (so no review
# is short when a full assignment exists). A round that already keeps every pair is the last. The
# widths are part of the record (each draw's ``rules["batch_widths"]``) and a replay uses them.


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
        return _batch_draw_v1(problems, seed=seed, time_limit=time_limit)
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
    sizes = np.array([int(p["rules"]["panel_size"]) for p in problems], dtype=np.int64)
    caps = np.array(
        [government_cap(int(p["rules"]["panel_size"]), p["rules"].get("government_share_max") or [1, 1])
         for p in problems], dtype=np.int64)  # fmt: skip
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
    """The integer program over the ``keep`` pairs: one binary per pair, then the slacks."""
    problems = pairs.problems
    n, n_problems = keep.size, len(problems)
    review, expert = pairs.review[keep], pairs.expert[keep]
    category, org, gov = pairs.category[keep], pairs.org[keep], pairs.gov[keep]
    sizes = np.array([int(p["rules"]["panel_size"]) for p in problems], dtype=np.int64)
    caps = np.array(
        [government_cap(int(p["rules"]["panel_size"]), p["rules"].get("government_share_max") or [1, 1])
         for p in problems], dtype=np.int64)  # fmt: skip
    one_per_org = np.array([bool(p["rules"].get("one_per_organization", True)) for p in problems], dtype=bool)
    each_category = np.array([bool(p["rules"].get("each_category", True)) for p in problems], dtype=bool)
    category_weight = float(sizes.sum()) + 1.0  # above any sum of pair costs
    seat_weight = category_weight * (n_problems * len(CATEGORIES) + 1)  # above any sum of category slacks
    rows = _Rows(n)
    positions = np.arange(n)
    # exactly panel_size per review (an empty seat is a priced slack)
    rows.add(review, positions, sizes, sizes, slack_cost=seat_weight)
    # the government share, where the kept candidates could exceed it
    over = np.bincount(review[gov], minlength=n_problems) > caps
    members = positions[gov & over[review]]
    if members.size:
        group, first = _compact(review[members])
        rows.add(group, members, np.zeros(first.size), caps[first])
    # one per organisation
    members = positions[(org >= 0) & one_per_org[review]]
    if members.size:
        group, first = _compact(review[members] * (int(org.max()) + 1) + org[members])
        counts = np.bincount(group)
        members, group = members[counts[group] > 1], group[counts[group] > 1]
        if members.size:
            group, first = _compact(group)
            rows.add(group, members, np.zeros(first.size), np.ones(first.size))
    # at least one of each category the review's whole pool has (a priced slack)
    present = np.zeros((n_problems, len(CATEGORIES)), dtype=bool)
    known = pairs.category >= 0
    present[pairs.review[known], pairs.category[known]] = True
    present &= each_category[:, None]
    members = positions[(category >= 0)]
    members = members[present[review[members], category[members]]]
    if members.size:
        group, first = _compact(review[members] * len(CATEGORIES) + category[members])
        rows.add(group, members, np.ones(first.size), np.full(first.size, np.inf), slack_cost=category_weight)
    # the load per expert and quarter
    if n:
        quarter = pairs.quarter[keep]
        group, first = _compact(expert * (int(pairs.quarter.max()) + 1) + quarter)
        least = np.full(first.size, np.iinfo(np.int64).max)
        np.minimum.at(least, group, pairs.load[keep])
        counts = np.bincount(group, minlength=first.size)
        binding = counts > least
        members = positions[binding[group]]
        if members.size:
            group, first_binding = _compact(group[members])
            rows.add(group, members, np.zeros(first_binding.size), np.maximum(least[binding], 0))
    costs = np.concatenate([pairs.cost[keep], *rows.slack_costs])
    size = n + rows.n_slack
    return (
        costs,
        np.concatenate([np.ones(n), np.zeros(rows.n_slack)]),
        Bounds(np.zeros(size), np.concatenate([np.ones(n), np.full(rows.n_slack, np.inf)])),
        LinearConstraint(rows.matrix(), np.concatenate(rows.lower), np.concatenate(rows.upper)),
    )


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


# ---------------------------------------------------------------- batch, version 1 (replay only)


def _prune(pool, costs, size, per_category):
    """Keep the cheapest few dozen of each category (the exact re-solve drops this)."""
    keep = set()
    ranked = sorted(range(len(pool)), key=lambda i: costs[i])
    counts = {}
    for i in ranked:
        cat = pool[i][CATEGORY]
        if counts.get(cat, 0) < per_category:
            counts[cat] = counts.get(cat, 0) + 1
            keep.add(i)
    return sorted(keep)


def _batch_draw_v1(problems, *, seed, per_category=12, time_limit=60):
    """``sha256-milp-batch/1``, kept as it was so that its records still verify.

    ``problems``: ``[{"review": id, "pool": [...], "rules": {...}, "quarter": "2026Q4"}]``, each
    pool candidate carrying its ``load_left`` for that quarter. Every panel has ``panel_size``
    distinct experts, one per organisation, the government share, and the categories its pool
    allows; no expert exceeds their load. Seats left empty cost more than anything else, so no
    review is short when a full assignment exists (if pruning made one short, the instance is
    solved again with every eligible pair). Returns ``(outcomes by review id, stats)``.
    """
    stats = {"rounds": []}
    keys = [[candidate_key(seed, p["review"], c[ID]) for c in p["pool"]] for p in problems]
    for width in (per_category, per_category * 4, None):  # widen until no review is short
        result, short = _solve_batch(problems, keys, per_category=width, time_limit=time_limit, stats=stats)
        stats["rounds"].append({"per_category": width, "pairs": stats["pairs"], "short": short})
        if not short:
            break
    return result, stats


def _solve_batch(problems, keys, *, per_category, time_limit, stats):
    pairs, costs = [], []  # (problem index, candidate)
    for p_index, problem in enumerate(problems):
        pool = problem["pool"]
        pair_costs = [int(key[:13], 16) / float(16**13) for key in keys[p_index]]
        size = int(problem["rules"]["panel_size"])
        keep = range(len(pool)) if per_category is None else _prune(pool, pair_costs, size, per_category)
        for i in keep:
            pairs.append((p_index, pool[i]))
            costs.append(pair_costs[i])
    n_pairs = len(pairs)
    stats["pairs"] = n_pairs
    total_seats = sum(int(p["rules"]["panel_size"]) for p in problems)
    category_weight = total_seats + 1.0
    rows, cols, lower, upper = [], [], [], []
    extra_costs = []

    def add(members, lo, hi, slack_cost=None):
        row = len(lower)
        rows.extend([row] * len(members))
        cols.extend(members)
        if slack_cost is not None:  # a slack variable that may make up the bound, at a price
            rows.append(row)
            cols.append(n_pairs + len(extra_costs))
            extra_costs.append(slack_cost)
        lower.append(lo)
        upper.append(hi)

    by_problem = {}
    for j, (p_index, _candidate) in enumerate(pairs):
        by_problem.setdefault(p_index, []).append(j)

    for p_index, problem in enumerate(problems):
        members = by_problem.get(p_index, [])
        rules = problem["rules"]
        size = int(rules["panel_size"])

        seat_weight = category_weight * (len(problems) * len(CATEGORIES) + 1)
        add(members, size, size, slack_cost=seat_weight)
        gov = [j for j in members if pairs[j][1][GOV]]
        if gov:
            add(gov, 0, government_cap(size, rules.get("government_share_max") or [1, 1]))
        if rules.get("one_per_organization", True):
            by_org = {}
            for j in members:
                if pairs[j][1][ORG] is not None:
                    by_org.setdefault(pairs[j][1][ORG], []).append(j)
            for org_members in by_org.values():
                if len(org_members) > 1:
                    add(org_members, 0, 1)
        if rules.get("each_category", True):
            for cat in CATEGORIES:
                if any(c[CATEGORY] == cat for c in problem["pool"]):
                    add([j for j in members if pairs[j][1][CATEGORY] == cat], 1, np.inf, slack_cost=category_weight)
    by_load = {}
    for j, (p_index, c) in enumerate(pairs):
        by_load.setdefault((c[ID], problems[p_index].get("quarter", "")), []).append(j)
    for members in by_load.values():
        load_left = min(pairs[j][1][LOAD] for j in members)
        if len(members) > load_left:
            add(members, 0, max(load_left, 0))
    n = n_pairs + len(extra_costs)
    c_vector = np.concatenate([np.array(costs, dtype=float), np.array(extra_costs, dtype=float)])
    matrix = coo_array((np.ones(len(rows)), (rows, cols)), shape=(len(lower), n)).tocsr()
    upper_bounds = np.concatenate([np.ones(n_pairs), np.full(len(extra_costs), np.inf)])
    result = milp(
        c_vector,
        integrality=np.concatenate([np.ones(n_pairs), np.zeros(len(extra_costs))]),
        bounds=Bounds(np.zeros(n), upper_bounds),
        constraints=LinearConstraint(matrix, lower, upper),
        options={"time_limit": time_limit, "mip_rel_gap": 1e-9},
    )
    if result.x is None:
        raise RuntimeError(f"The batch could not be solved: {result.message}")
    chosen = {}
    for j, value in enumerate(result.x[:n_pairs]):
        if value > 0.5:
            p_index, c = pairs[j]
            chosen.setdefault(p_index, []).append(c[ID])
    outcomes, short = {}, False
    for p_index, problem in enumerate(problems):
        selected_ids = set(chosen.get(p_index, []))
        ranked = sorted(range(len(problem["pool"])), key=keys[p_index].__getitem__)
        order = [problem["pool"][i] for i in ranked]
        selected = [c[ID] for c in order if c[ID] in selected_ids]
        size = int(problem["rules"]["panel_size"])
        wanted = problem["rules"].get("each_category", True)
        categories = [
            cat for cat in CATEGORIES if wanted and any(c[CATEGORY] == cat for c in order if c[ID] in selected_ids)
        ]
        if wanted and per_category is not None and len(categories) < len({c[CATEGORY] for c in order}):
            short = True  # a wider round may cover a category this pruning left out
        alternates = [c[ID] for c in order if c[ID] not in selected_ids][: int(problem["rules"].get("alternates", 10))]
        outcome = Outcome(selected=selected, alternates=alternates, categories=categories, method="batch")
        if len(selected) < size:
            short = True
            outcome.problem_code = "batch_short"
            outcome.problem = _("The batch left this panel {short} short of {size}.").format(
                short=size - len(selected), size=size
            )
        outcomes[problem["review"]] = outcome
    return outcomes, short


def explain(pool, rules):
    """``(rule code, message)`` for the first rule ``pool`` cannot meet, or ``("", "")``."""
    size = int(rules["panel_size"])
    share = rules.get("government_share_max") or [1, 1]
    return _explain(pool, size, government_cap(size, share), share, bool(rules.get("one_per_organization", True)))
