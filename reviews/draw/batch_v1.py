"""The batch draw as version 1 (``sha256-milp-batch/1``) drew it, kept as it was so that its
records still verify: a replay of such a record runs this, never the current version."""

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from reviews.draw.constraints import CATEGORIES, CATEGORY, GOV, ID, LOAD, ORG, Composition
from reviews.draw.engine import Outcome, candidate_key
from reviews.draw.text import gettext as _

BATCH_ALGORITHM_V1 = "sha256-milp-batch/1"


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


def batch_draw_v1(problems, *, seed, per_category=12, time_limit=60):
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
    """One round of version 1: ``(outcomes, short)``.

    Long because it is kept line for line as version 1 drew: its records replay through it, and
    a refactoring that changed one tie-break or row order could make an honest record fail."""
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
        composition = Composition.of(rules)
        seat_weight = category_weight * (len(problems) * len(CATEGORIES) + 1)
        add(members, size, size, slack_cost=seat_weight)
        gov = [j for j in members if pairs[j][1][GOV]]
        if gov:
            add(gov, 0, composition.gov_cap)
        if composition.one_per_org:
            by_org = {}
            for j in members:
                if pairs[j][1][ORG] is not None:
                    by_org.setdefault(pairs[j][1][ORG], []).append(j)
            for org_members in by_org.values():
                if len(org_members) > 1:
                    add(org_members, 0, 1)
        if composition.each_category:
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
