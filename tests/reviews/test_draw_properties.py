"""Property tests of the draw over random rosters and rules (pure functions: no database)."""

from collections import Counter
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviews.draw import batch, constraints, engine
from reviews.draw.constraints import Composition
from reviews.draw.pool import Candidate, ReviewFacts, split_pool

CATEGORIES = constraints.CATEGORIES
FACTS = ReviewFacts(
    id=17,
    starts=date(2026, 12, 1),
    ends=date(2026, 12, 20),
    quarter="2026Q4",
    required_domains=frozenset({1, 2}),
    parties=frozenset({900, 901}),
    earlier_reviewers=frozenset({3, 4}),
)


@st.composite
def candidates(draw, max_size=40):
    count = draw(st.integers(min_value=0, max_value=max_size))
    people = []
    for expert_id in range(1, count + 1):
        people.append(
            Candidate(
                id=expert_id,
                name=f"E{expert_id}",
                status=draw(st.sampled_from(["active"] * 6 + ["suspended", "candidate"])),
                category=draw(st.sampled_from(CATEGORIES)),
                org=draw(st.integers(min_value=1, max_value=max(2, count))),
                org_chain=frozenset(),
                government=draw(st.booleans()),
                domains=frozenset(draw(st.sets(st.integers(min_value=1, max_value=4), max_size=3))),
                term_start=None,
                term_end=draw(st.sampled_from([None, None, None, date(2026, 12, 10)])),
                unavailable=draw(st.sampled_from([[], [], [], [(date(2026, 12, 5), date(2026, 12, 6))]])),
                conflicts=draw(st.sampled_from([[], [], [], [(900, None)]])),
                load={"2026Q4": draw(st.integers(min_value=0, max_value=3))},
            )
        )
    for person in people:  # some work for a party to the plan
        if draw(st.integers(min_value=0, max_value=9)) == 0:
            person.org_chain = frozenset({901})
        else:
            person.org_chain = frozenset({person.org})
    return people


rules_strategy = st.fixed_dictionaries(
    {
        "panel_size": st.sampled_from([3, 5, 7]),
        "government_share_max": st.sampled_from([[1, 3], [1, 2], [0, 1]]),
        "one_per_organization": st.booleans(),
        "each_category": st.booleans(),
        "exclude_earlier_versions": st.booleans(),
        "load_cap_per_quarter": st.sampled_from([2, 3, 4]),
        "alternates": st.just(10),
    }
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _valid(panel_rows, rules):
    size = rules["panel_size"]
    cap = constraints.government_cap(size, rules["government_share_max"])
    orgs = [row[2] for row in panel_rows]
    return (
        len(panel_rows) == size
        and sum(row[3] for row in panel_rows) <= cap
        and (not rules["one_per_organization"] or len(orgs) == len(set(orgs)))
    )


@PROPERTY
@given(people=candidates(), rules=rules_strategy, seed=st.text(min_size=1, max_size=12))
def test_panel_never_holds_an_excluded_expert_a_duplicate_or_more_than_the_load_cap(people, rules, seed):
    pool, excluded = split_pool(people, FACTS, rules)
    outcome = engine.draw_panel(pool, seed=seed, review_id=FACTS.id, rules=rules)

    excluded_ids = {i for ids in excluded.values() for i in ids}
    by_id = {p.id: p for p in people}
    assert len(outcome.selected) == len(set(outcome.selected))
    assert not set(outcome.selected) & excluded_ids
    assert not set(outcome.alternates) & excluded_ids
    assert all(by_id[i].load["2026Q4"] + 1 <= rules["load_cap_per_quarter"] for i in outcome.selected)
    assert all(by_id[i].status == "active" for i in outcome.selected)


@PROPERTY
@given(people=candidates(), rules=rules_strategy, seed=st.text(min_size=1, max_size=12))
def test_every_feasible_case_draws_and_every_infeasible_case_explains(people, rules, seed):
    pool, _excluded = split_pool(people, FACTS, rules)
    feasible = engine.feasible(pool, Composition.of(rules), [])

    outcome = engine.draw_panel(pool, seed=seed, review_id=FACTS.id, rules=rules)

    if feasible:
        assert outcome.ok
        rows = [row for row in pool if row[0] in outcome.selected]
        assert _valid(rows, rules)
        present = {row[1] for row in rows}
        assert all(category in present for category in outcome.categories)
    else:
        assert not outcome.ok
        assert outcome.selected == []
        assert outcome.problem_code in {"pool", "one_per_organization", "government_share", "composition"}
        assert outcome.problem


@PROPERTY
@given(people=candidates(), rules=rules_strategy, seed=st.text(min_size=1, max_size=12))
def test_the_same_record_always_replays_to_the_same_panel(people, rules, seed):
    pool, _excluded = split_pool(people, FACTS, rules)

    first = engine.draw_panel(pool, seed=seed, review_id=FACTS.id, rules=rules)
    replay = engine.draw_panel([list(row) for row in pool], seed=seed, review_id=FACTS.id, rules=dict(rules))

    assert (replay.selected, replay.alternates, replay.problem) == (first.selected, first.alternates, first.problem)


@PROPERTY
@given(people=candidates(max_size=30), rules=rules_strategy, seed=st.text(min_size=1, max_size=12))
def test_each_category_is_covered_when_the_roster_allows(people, rules, seed):
    rules = {**rules, "each_category": True}
    pool, _excluded = split_pool(people, FACTS, rules)
    present = [c for c in CATEGORIES if any(row[1] == c for row in pool)]
    coverable = engine.feasible(pool, Composition.of(rules), present)

    outcome = engine.draw_panel(pool, seed=seed, review_id=FACTS.id, rules=rules)

    if coverable:
        assert {row[1] for row in pool if row[0] in outcome.selected} == set(present)


@settings(max_examples=40, deadline=None)
@given(people=candidates(max_size=40), seed=st.text(min_size=1, max_size=8), cap=st.integers(min_value=1, max_value=2))
def test_batch_respects_every_rule_and_the_load(people, seed, cap):
    rules = {"panel_size": 3, "government_share_max": [1, 3], "one_per_organization": True, "each_category": True,
             "load_cap_per_quarter": cap, "alternates": 5}  # fmt: skip
    for person in people:
        person.load = {}
    problems = []
    for review_id in (1, 2, 3):
        facts = ReviewFacts(**{**FACTS.__dict__, "id": review_id, "earlier_reviewers": frozenset()})
        pool, _excluded = split_pool(people, facts, rules)
        problems.append({"review": review_id, "pool": pool, "rules": rules, "quarter": "2026Q4"})

    try:
        outcomes, _stats = batch.batch_draw(problems, seed=seed)
    except batch.BatchUnsolved as refused:  # only when a count shows the load caps cannot fill the seats
        in_pools = Counter(row[0] for problem in problems for row in problem["pool"])
        gov = {row[0] for problem in problems for row in problem["pool"] if row[3]}
        capacity = sum(min(cap, count) for count in in_pools.values())
        outside = sum(min(cap, count) for expert, count in in_pools.items() if expert not in gov)
        assert refused.code == "batch_short"
        assert capacity < 9 or outside < 3 * (3 - constraints.government_cap(3, [1, 3]))
        return

    used = {}
    for problem in problems:
        outcome = outcomes[problem["review"]]
        rows = [row for row in problem["pool"] if row[0] in outcome.selected]
        if outcome.ok:
            assert _valid(rows, rules)
        for expert_id in outcome.selected:
            used[expert_id] = used.get(expert_id, 0) + 1
    assert all(count <= cap for count in used.values())


@PROPERTY
@given(people=candidates(), rules=rules_strategy)
def test_batch_splitter_agrees_with_split_pool(people, rules):
    from reviews.draw.pool import PoolSplitter

    assert PoolSplitter(people).split(FACTS, rules) == split_pool(people, FACTS, rules)
