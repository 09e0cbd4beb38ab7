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
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy
from django.utils.translation import gettext as _
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

ALGORITHM = "sha256-scan-repair-lex/1"
BATCH_ALGORITHM = "sha256-milp-batch/1"
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


def batch_draw(problems, *, seed, per_category=12, time_limit=60):
    """Draw panels for many reviews at once with an integer program.

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
