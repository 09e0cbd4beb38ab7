"""The draw of one review's panel, as pure functions over plain data: no ORM, so that a record
replays alone. The rules themselves are ``reviews.draw.constraints``.

The pool is sorted by expert id and hashed (SHA-256 of its canonical JSON). Randomness never comes
from a library's stream: each candidate's key is ``SHA-256(seed, review id, expert id)``, and
everything that follows is a deterministic function of those keys, the pool and the rules. The
integer program (``scipy.optimize.milp``, HiGHS) is used only as a yes/no feasibility oracle, so a
replay cannot depend on how a solver breaks ties.
"""

import hashlib
import json
from dataclasses import dataclass, field

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from reviews.draw.constraints import CATEGORY, ID, Composition

ALGORITHM = "sha256-scan-repair-lex/1"


def solver_version():
    return f"scipy.optimize.milp (HiGHS), SciPy {scipy.__version__}"


def pool_hash(pool):
    canonical = json.dumps(pool, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def candidate_key(seed, review_id, expert_id):
    return hashlib.sha256(f"{seed}\x1f{review_id}\x1f{expert_id}".encode()).hexdigest()


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


def feasible(candidates, composition, categories, fixed=()):
    """Whether a panel keeping every rule and covering ``categories`` exists that contains
    ``fixed`` and otherwise uses ``candidates``."""
    everyone = list(fixed) + [c for c in candidates if c not in fixed]
    n = len(everyone)
    if n < composition.size:
        return False
    rows, cols, lower, upper = [], [], [], []
    for members, low, high in composition.rows(everyone, categories):
        rows.extend([len(lower)] * len(members))
        cols.extend(members)
        lower.append(low)
        upper.append(high)
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


def _scan(order, composition, categories):
    """Take candidates in key order, keeping seats free for categories still missing."""
    panel = []
    for c in order:
        if len(panel) == composition.size:
            break
        trial = [*panel, c]
        if not composition.broken_by(trial) and composition.leaves_room(trial, categories):
            panel.append(c)
    return panel


def _repair(panel, order, composition, categories):
    """Swap in the first candidate of each missing category for the last member it can replace,
    then fill empty seats in key order. Returns a panel, valid or not."""
    panel = list(panel)
    rank = {c[ID]: i for i, c in enumerate(order)}
    for cat in categories:
        if not any(p[CATEGORY] == cat for p in panel):
            panel = _swap_in(panel, cat, order, rank, composition)
    for c in order:
        if len(panel) >= composition.size:
            break
        if c not in panel and not composition.broken_by([*panel, c]):
            panel.append(c)
    return sorted(panel, key=lambda p: rank[p[ID]])


def _swap_in(panel, cat, order, rank, composition):
    """``panel`` with the first candidate of ``cat`` (in key order) who fits: in a free seat, or in
    place of the latest-ranked member whose leaving costs no other category. Unchanged if none."""
    for incoming in (c for c in order if c[CATEGORY] == cat and c not in panel):
        if len(panel) < composition.size and not composition.broken_by([*panel, incoming]):
            return [*panel, incoming]
        before = {p[CATEGORY] for p in panel}
        for leaving in sorted(panel, key=lambda p: -rank[p[ID]]):
            trial = [p for p in panel if p is not leaving] + [incoming]
            if not composition.broken_by(trial) and before - {cat} <= {p[CATEGORY] for p in trial}:
                return trial
    return panel


def _lexicographic(order, composition, categories):
    """The exact method: the first panel in key order that can still be completed validly."""
    panel = []
    for i, c in enumerate(order):
        if len(panel) == composition.size:
            break
        if composition.broken_by([*panel, c]):
            continue
        if feasible(order[i + 1 :], composition, categories, fixed=[*panel, c]):
            panel.append(c)
    return panel


def _categories_to_cover(pool, composition):
    """Each category present in the pool, dropping (in a fixed order) those the rules cannot
    accommodate together: 'at least one of each category when the roster allows'."""
    wanted = composition.wanted_categories(pool)
    while wanted and not feasible(pool, composition, wanted):
        wanted = wanted[:-1]
    return wanted


def draw_panel(pool, *, seed, review_id, rules):
    """Draw a panel and ranked alternates from an eligible ``pool``. Deterministic."""
    composition = Composition.of(rules)
    code, problem = composition.shortfall(pool)
    if problem:
        return Outcome(problem=problem, problem_code=code)
    order = sorted(pool, key=lambda c: candidate_key(seed, review_id, c[ID]))
    categories = composition.wanted_categories(pool)
    panel, method = _scan(order, composition, categories), "scan"
    if not composition.complete(panel, categories):
        panel, method = _repair(panel, order, composition, categories), "repair"
    if not composition.complete(panel, categories):
        if composition.each_category:
            categories = _categories_to_cover(pool, composition)
        panel, method = _lexicographic(order, composition, categories), "exact"
    if not composition.complete(panel, categories):
        code, problem = composition.unmet(pool)
        return Outcome(problem_code=code, problem=problem)
    chosen = {c[ID] for c in panel}
    alternates = [c[ID] for c in order if c[ID] not in chosen][: int(rules.get("alternates", 10))]
    return Outcome(selected=[c[ID] for c in panel], alternates=alternates, categories=categories, method=method)


def next_alternate(pool, alternates, *, panel_ids, unavailable_ids, rules):
    """The first ranked alternate who keeps the panel valid with the members still on it.

    Keeps the categories the panel covers where possible, else only the hard rules."""
    by_id = {c[ID]: c for c in pool}
    composition = Composition.of(rules)
    panel = [by_id[i] for i in panel_ids if i in by_id]
    wanted = list(rules.get("categories", [])) if composition.each_category else []
    candidates = [by_id[i] for i in alternates if i in by_id and i not in panel_ids and i not in unavailable_ids]
    for strict in (True, False):
        for c in candidates:
            trial = [*panel, c]
            if composition.broken_by(trial) or (strict and not composition.leaves_room(trial, wanted)):
                continue
            return c[ID]
    return None


def explain(pool, rules):
    """``(rule code, message)`` for the first rule ``pool`` cannot meet, or ``("", "")``."""
    return Composition.of(rules).shortfall(pool)
