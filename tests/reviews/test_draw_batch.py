"""The batch draw, version 2: tight rosters, pruning that widens, old records that still replay,
and the drafters' conflict."""

from collections import Counter

from reviews.draw import batch, constraints, engine, verify
from reviews.draw import pool as eligibility
from reviews.draw import selectors as draw_selectors
from reviews.draw import services as draw_services
from reviews.models import Draw
from reviews.services import plans as plan_services
from tests.factories import DomainFactory
from tests.reviews.conftest import add_expert, docx_upload, schedule

CATEGORIES = constraints.CATEGORIES


def greedy(problems, *, seed, load_cap):
    """The method the exact batch replaces: review by review, the first candidates in key order
    who still have load left (one per organisation, within the government share)."""
    load, panels = Counter(), {}
    for problem in problems:
        rules = problem["rules"]
        gov_cap = constraints.government_cap(rules["panel_size"], rules["government_share_max"])
        order = sorted(problem["pool"], key=lambda row, p=problem: engine.candidate_key(seed, p["review"], row[0]))
        panel, orgs, gov = [], set(), 0
        for expert, _category, org, is_gov, _left in order:
            if len(panel) == rules["panel_size"]:
                break
            if load[expert] >= load_cap or org in orgs or (is_gov and gov >= gov_cap):
                continue
            panel.append(expert)
            orgs.add(org)
            gov += is_gov
        load.update(panel)
        panels[problem["review"]] = panel
    return panels


def tight_problems():
    """Two panels of three, six experts who may each sit once: review 2 may only have experts 1-3,
    so the only full assignment gives review 1 the experts 4-6."""
    rules = {"panel_size": 3, "government_share_max": [1, 3], "one_per_organization": True, "each_category": False,
             "load_cap_per_quarter": 1, "alternates": 2}  # fmt: skip
    pool = [[n, CATEGORIES[n % 3], 100 + n, 0, 1] for n in range(1, 7)]
    return [
        {"review": 1, "pool": pool, "rules": rules, "quarter": "2026Q4"},
        {"review": 2, "pool": pool[:3], "rules": rules, "quarter": "2026Q4"},
    ]


def test_batch_fills_a_tight_roster_where_a_greedy_draw_leaves_a_panel_short():
    problems = tight_problems()

    by_greedy = greedy(problems, seed="tight", load_cap=1)
    outcomes, _stats = batch.batch_draw(problems, seed="tight")

    assert by_greedy == {1: [2, 6, 4], 2: [1, 3]}
    assert {review: outcome.selected for review, outcome in outcomes.items()} == {1: [6, 4, 5], 2: [1, 3, 2]}
    assert [outcome.ok for outcome in outcomes.values()] == [True, True]


def test_batch_through_the_services_fills_a_tight_roster_a_greedy_draw_leaves_short(plan, secretariat_user):
    wide, narrow = DomainFactory(code="3.1", name="新材料"), DomainFactory(code="3.2", name="新能源")
    for n in range(1, 11):  # experts 1-5 only in the narrow domain, 6-10 only in the wide one
        add_expert(n, domain=narrow if n <= 5 else wide)
    rules = {"load_cap_per_quarter": 1}
    first = schedule(plan, secretariat_user, required_domains=["3.1", "3.2"], rules=rules)
    second = schedule(plan, secretariat_user, required_domains=["3.2"], rules=rules)

    draws, stats = draw_services.batch_draw_reviews([first, second], by=secretariat_user, seed="紧张的名册")

    problems = [{"review": d.review_id, "pool": d.pool, "rules": d.rules} for d in draws]
    short_by_greedy = [len(panel) < 5 for panel in greedy(problems, seed="紧张的名册", load_cap=1).values()]
    narrow_ids = {row[0] for row in draws[1].pool}
    assert short_by_greedy == [False, True]
    assert [len(d.selected) for d in draws] == [5, 5]
    assert set(draws[1].selected) == narrow_ids
    assert not set(draws[0].selected) & narrow_ids
    assert stats["rounds"] == [{"per_category": 12, "pairs": 15, "short": False}]
    assert verify.verify_draw(draws[0]) == (True, "Replaying the record gives the same panel and alternates.")


def test_batch_widens_the_pruning_when_a_pruned_round_leaves_a_panel_short():
    pool = [[n, CATEGORIES[(n - 1) // 2], 200 + n, 0, 1] for n in range(1, 7)]  # two of each category
    rules = {"panel_size": 3, "government_share_max": [1, 3], "one_per_organization": True, "each_category": True,
             "alternates": 2}  # fmt: skip
    problems = [{"review": r, "pool": pool, "rules": rules, "quarter": "2026Q4"} for r in (1, 2)]

    outcomes, stats = batch.batch_draw(problems, seed="w1", widths=(1, None))
    replayed, _stats = batch.batch_draw(problems, seed="w1", widths=(1, None))

    assert stats["rounds"] == [
        {"per_category": 1, "pairs": 6, "short": True},
        {"per_category": None, "pairs": 12, "short": False},
    ]
    assert {r: o.selected for r, o in outcomes.items()} == {1: [2, 6, 4], 2: [1, 3, 5]}
    assert {r: (o.selected, o.alternates) for r, o in replayed.items()} == {
        r: (o.selected, o.alternates) for r, o in outcomes.items()
    }


def golden_problems():
    pool = [[n, CATEGORIES[n % 3], 100 + n % 17, int(n % 5 == 0), 1] for n in range(1, 31)]
    rules = {"panel_size": 5, "government_share_max": [1, 3], "one_per_organization": True, "each_category": True,
             "load_cap_per_quarter": 1, "alternates": 3}  # fmt: skip
    return [{"review": r, "pool": pool, "rules": rules, "quarter": "2026Q4"} for r in (11, 12, 13)]


def test_version_1_batch_records_replay_as_they_were_drawn():
    # the panels version 1 drew for this instance before version 2 existed
    outcomes, _stats = batch.batch_draw(golden_problems(), seed="v1-golden", algorithm=batch.BATCH_ALGORITHM_V1)

    assert {r: (o.selected, o.alternates) for r, o in outcomes.items()} == {
        11: ([5, 13, 2, 23, 24], [22, 7, 8]),
        12: ([14, 27, 7, 11, 9], [10, 12, 28]),
        13: ([28, 22, 18, 12, 8], [13, 4, 19]),
    }


def test_a_stored_version_1_batch_draw_still_verifies(plan, secretariat_user, roster):
    reviews = [schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1}) for _ in range(2)]
    facts = eligibility.review_facts(reviews)
    people = eligibility.load_roster()
    problems = []
    for review in reviews:
        rules = eligibility.draw_rules(review, facts[review.pk])
        pool, _excluded = eligibility.split_pool(people, facts[review.pk], rules)
        problems.append({"review": review.pk, "pool": pool, "rules": rules, "quarter": rules["quarter"]})
    outcomes, _stats = batch.batch_draw(problems, seed="2025", algorithm=batch.BATCH_ALGORITHM_V1)
    draws = [
        Draw.objects.create(
            review=review, seed="2025", seed_source="witnessed", rules=p["rules"], algorithm=batch.BATCH_ALGORITHM_V1,
            method="batch", pool=p["pool"], pool_hash=engine.pool_hash(p["pool"]), excluded={},
            selected=outcomes[review.pk].selected, alternates=outcomes[review.pk].alternates, batch="batch-2025",
        )
        for review, p in zip(reviews, problems, strict=True)
    ]  # fmt: skip
    tampered = Draw(**{f.attname: getattr(draws[1], f.attname) for f in Draw._meta.concrete_fields})
    tampered.selected = list(reversed(tampered.selected))
    unknown = Draw(**{f.attname: getattr(draws[1], f.attname) for f in Draw._meta.concrete_fields})
    unknown.algorithm = "sha256-milp-batch/9"

    assert verify.verify_draw(draws[1]) == (True, "Replaying the record gives the same panel and alternates.")
    assert verify.verify_draw(tampered)[0] is False
    assert verify.verify_draw(tampered)[1].startswith(f"review {reviews[1].pk}: replaying gives the panel")
    assert verify.verify_draw(unknown) == (
        False,
        "Unknown batch algorithm “sha256-milp-batch/9”: this record cannot be replayed.",
    )


def test_batch_draws_from_eligibility_columns_as_from_the_stored_rows(plan, secretariat_user, roster):
    reviews = [schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 1}) for _ in range(2)]
    facts = eligibility.review_facts(reviews)
    splitter = eligibility.PoolSplitter(eligibility.load_roster())
    with_columns, rows_only = [], []
    for review in reviews:
        rules = eligibility.draw_rules(review, facts[review.pk])
        pool, _excluded, columns = splitter.split_columns(facts[review.pk], rules)
        with_columns.append({"review": review.pk, "pool": pool, "columns": columns, "rules": rules})
        rows_only.append({"review": review.pk, "pool": pool, "rules": rules})

    drawn, _stats = batch.batch_draw(with_columns, seed="s")
    replayed, _stats = batch.batch_draw(rows_only, seed="s")

    assert [(o.selected, o.alternates) for o in drawn.values()] == [
        (o.selected, o.alternates) for o in replayed.values()
    ]
    assert [len(o.selected) for o in drawn.values()] == [5, 5]


def test_drafters_of_this_or_an_earlier_version_are_excluded_with_the_reason(plan, secretariat_user, roster):
    drafter, later_drafter = roster[0], roster[1]
    plan.versions.get(number=1).drafters.set([drafter])
    plan_services.add_plan_version(plan, upload=docx_upload(), by=secretariat_user, drafters=[later_drafter])
    review = schedule(plan, secretariat_user)

    draw = draw_services.draw_for_review(review, by=secretariat_user, seed="起草人回避")

    pool_ids = [row[0] for row in draw.pool]
    assert draw.excluded["drafted"] == sorted([drafter.pk, later_drafter.pk])
    assert drafter.pk not in pool_ids and later_drafter.pk not in pool_ids
    assert [label for code, label, _names in draw_selectors.exclusions_by_rule(draw) if code == "drafted"] == [
        "Drafted this or an earlier version of the plan"
    ]


def test_drafters_are_eligible_when_the_review_allows_them(plan, secretariat_user, roster):
    plan.versions.get(number=1).drafters.set([roster[0]])
    review = schedule(plan, secretariat_user, rules={"exclude_drafters": False})

    draw = draw_services.draw_for_review(review, by=secretariat_user, seed="s")

    assert "drafted" not in draw.excluded
    assert roster[0].pk in [row[0] for row in draw.pool]


def test_batch_excludes_drafters_like_a_single_draw(plan, secretariat_user, roster):
    plan.versions.get(number=1).drafters.set([roster[2]])
    reviews = [schedule(plan, secretariat_user, rules={"load_cap_per_quarter": 2}) for _ in range(2)]

    draws, _stats = draw_services.batch_draw_reviews(reviews, by=secretariat_user, seed="s")

    assert [d.excluded["drafted"] for d in draws] == [[roster[2].pk], [roster[2].pk]]
    assert [roster[2].pk in [row[0] for row in d.pool] for d in draws] == [False, False]
