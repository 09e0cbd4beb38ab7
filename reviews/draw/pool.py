"""The eligible pool: who may be drawn for a review, and why everyone else may not.

``exclusion_reason`` is a pure function over plain data (the property tests drive it directly);
``load_roster`` and ``review_facts`` read the database once for any number of reviews;
``draw_rules`` is the set of rules a draw runs with and records.
"""

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

import numpy as np
from django.utils.translation import gettext_lazy as _

from reviews.draw.constraints import CATEGORIES

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The rules in the order they are checked; the first that applies is the one recorded.
REASONS = {
    "inactive": _("Not an active member"),
    "term": _("Term of appointment does not cover the review"),
    "unavailable": _("Unavailable during the review"),
    "domain": _("No required domain"),
    "employer": _("Works for the submitting or a related organisation"),
    "declared_conflict": _("Declared a conflict with the submitting or a related organisation"),
    "drafted": _("Drafted this or an earlier version of the plan"),
    "earlier_version": _("Evaluated an earlier version of the same plan"),
    "load_cap": _("Reached the load cap for the quarter"),
}


@dataclass
class Candidate:
    id: int
    name: str
    status: str
    category: str
    org: int | None
    org_chain: frozenset  # the employer and the organisations above it
    government: bool
    domains: frozenset  # domain ids, with every ancestor of each
    term_start: date | None
    term_end: date | None
    unavailable: list = field(default_factory=list)  # [(start, end)]
    conflicts: list = field(default_factory=list)  # [(organization id, until or None)]
    load: dict = field(default_factory=dict)  # quarter -> active assignments


@dataclass
class ReviewFacts:
    id: int
    starts: date
    ends: date
    quarter: str
    required_domains: frozenset  # domain ids
    parties: frozenset  # submitting and related organisations
    earlier_reviewers: frozenset  # expert ids
    assigned: frozenset = frozenset()  # expert ids already on this review (not counted in load)
    drafters: frozenset = frozenset()  # expert ids who drafted this or an earlier version of the plan


def category_code(category):
    """The index of ``category`` in ``reviews.draw.constraints.CATEGORIES`` (-1 for anything else)."""
    return CATEGORIES.index(category) if category in CATEGORIES else -1


def quarter_of(moment):
    local = moment.astimezone(SHANGHAI)
    return f"{local.year}Q{(local.month - 1) // 3 + 1}"


def exclusion_reason(candidate, facts, rules):
    """The code of the first rule that excludes ``candidate`` from ``facts``' review, or ``None``."""
    if candidate.status != "active":
        return "inactive"
    if (candidate.term_start and candidate.term_start > facts.starts) or (
        candidate.term_end and candidate.term_end < facts.ends
    ):
        return "term"
    if any(start <= facts.ends and end >= facts.starts for start, end in candidate.unavailable):
        return "unavailable"
    if facts.required_domains and not (candidate.domains & facts.required_domains):
        return "domain"
    if candidate.org_chain & facts.parties:
        return "employer"
    if any(org in facts.parties and (until is None or until >= facts.starts) for org, until in candidate.conflicts):
        return "declared_conflict"
    if rules.get("exclude_drafters", True) and candidate.id in facts.drafters:
        return "drafted"
    if rules.get("exclude_earlier_versions", True) and candidate.id in facts.earlier_reviewers:
        return "earlier_version"
    cap = rules.get("load_cap_per_quarter")
    if cap is not None and candidate.load.get(facts.quarter, 0) >= int(cap):
        return "load_cap"
    return None


def row(candidate, load_left=0):
    """``candidate`` as a row of the pool (the layout of ``reviews.draw.constraints``)."""
    return [candidate.id, candidate.category, candidate.org, int(candidate.government), load_left]


def split_pool(candidates, facts, rules):
    """``(pool, excluded)``: the draw's pool rows sorted by id, and ``{reason: [expert ids]}``."""
    pool, excluded = [], {}
    cap = rules.get("load_cap_per_quarter")
    for candidate in sorted(candidates, key=lambda c: c.id):
        reason = exclusion_reason(candidate, facts, rules)
        if reason:
            excluded.setdefault(reason, []).append(candidate.id)
            continue
        load_left = 10**6 if cap is None else int(cap) - candidate.load.get(facts.quarter, 0)
        pool.append(row(candidate, load_left))
    return pool, excluded


class PoolSplitter:
    """``split_pool`` for many reviews over one roster (a batch): the same answers (a property
    test says so), worked out with NumPy masks over the roster instead of one candidate at a time.
    The date rules are computed once per date window and the domain rule once per set of domains."""

    ORDER = tuple(REASONS)  # reason codes 1..n, in the order the rules are checked

    def __init__(self, candidates):
        self.candidates = sorted(candidates, key=lambda c: c.id)
        cs = self.candidates
        self.position = {c.id: i for i, c in enumerate(cs)}
        self.ids = np.array([c.id for c in cs], dtype=np.int64)
        self.active = np.array([c.status == "active" for c in cs], dtype=bool)
        self.term_start = np.array([c.term_start.toordinal() if c.term_start else 0 for c in cs], dtype=np.int64)
        self.term_end = np.array([c.term_end.toordinal() if c.term_end else 10**7 for c in cs], dtype=np.int64)
        spans = [(i, start.toordinal(), end.toordinal()) for i, c in enumerate(cs) for start, end in c.unavailable]
        self.unavailable = np.array(spans, dtype=np.int64).reshape(-1, 3)
        self.by_domain, self.by_org, self.conflicts = {}, {}, {}
        for i, c in enumerate(cs):
            for domain in c.domains:
                self.by_domain.setdefault(domain, []).append(i)
            for org in c.org_chain:
                self.by_org.setdefault(org, []).append(i)
            for org, until in c.conflicts:
                self.conflicts.setdefault(org, []).append((i, until.toordinal() if until else 10**7))
        self.rows = [(c.id, c.category, c.org, int(c.government)) for c in cs]
        self.columns = {
            "expert": self.ids,
            "category": np.array([category_code(c.category) for c in cs], dtype=np.int64),
            "org": np.array([-1 if c.org is None else c.org for c in cs], dtype=np.int64),
            "gov": np.array([c.government for c in cs], dtype=bool),
            "id_bytes": np.empty(len(cs), dtype=object),
        }
        self.columns["id_bytes"][:] = [str(c.id).encode() for c in cs]
        self._windows, self._domains, self._loads = {}, {}, {}

    def _mask(self, positions):
        mask = np.zeros(len(self.candidates), dtype=bool)
        mask[np.asarray(positions, dtype=np.int64)] = True
        return mask

    def _window(self, facts):
        """Reason codes of the date-only rules (0: none), once per date window."""
        key = (facts.starts, facts.ends)
        if key not in self._windows:
            starts, ends = facts.starts.toordinal(), facts.ends.toordinal()
            reason = np.zeros(len(self.candidates), dtype=np.int8)
            reason[~self.active] = self.ORDER.index("inactive") + 1
            late = (self.term_start > starts) | (self.term_end < ends)
            reason[(reason == 0) & late] = self.ORDER.index("term") + 1
            spans = self.unavailable
            away = self._mask(spans[(spans[:, 1] <= ends) & (spans[:, 2] >= starts), 0])
            reason[(reason == 0) & away] = self.ORDER.index("unavailable") + 1
            self._windows[key] = reason
        return self._windows[key]

    def _with_domain(self, required):
        if required not in self._domains:
            self._domains[required] = self._mask([i for d in required for i in self.by_domain.get(d, ())])
        return self._domains[required]

    def _load(self, quarter):
        if quarter not in self._loads:
            self._loads[quarter] = np.array([c.load.get(quarter, 0) for c in self.candidates], dtype=np.int64)
        return self._loads[quarter]

    def reasons(self, facts, rules):
        """The reason code of every candidate (0: eligible), first rule that applies."""
        reason = self._window(facts).copy()

        def exclude(code, mask):
            reason[(reason == 0) & mask] = self.ORDER.index(code) + 1

        if facts.required_domains:
            exclude("domain", ~self._with_domain(facts.required_domains))
        exclude("employer", self._mask([i for org in facts.parties for i in self.by_org.get(org, ())]))
        starts = facts.starts.toordinal()
        declared = [i for org in facts.parties for i, until in self.conflicts.get(org, ()) if until >= starts]
        exclude("declared_conflict", self._mask(declared))
        if rules.get("exclude_drafters", True):
            exclude("drafted", self._mask([self.position[i] for i in facts.drafters if i in self.position]))
        if rules.get("exclude_earlier_versions", True):
            earlier = [self.position[i] for i in facts.earlier_reviewers if i in self.position]
            exclude("earlier_version", self._mask(earlier))
        cap = rules.get("load_cap_per_quarter")
        if cap is not None:
            exclude("load_cap", self._load(facts.quarter) >= int(cap))
        return reason

    def split_columns(self, facts, rules):
        """``(pool, excluded, columns)``: ``split_pool``'s answer plus the pool as NumPy columns
        (``reviews.draw.batch.batch_draw`` takes them as they are instead of reading the rows again)."""
        reason = self.reasons(facts, rules)
        excluded = {}
        for code_index, code in enumerate(self.ORDER, start=1):
            ids = self.ids[reason == code_index]
            if ids.size:
                excluded[code] = ids.tolist()
        eligible = np.flatnonzero(reason == 0)
        cap = rules.get("load_cap_per_quarter")
        load_left = np.full(eligible.size, 10**6, dtype=np.int64)
        if cap is not None:
            load_left = int(cap) - self._load(facts.quarter)[eligible]
        rows = self.rows
        pool = [[*rows[i], left] for i, left in zip(eligible.tolist(), load_left.tolist(), strict=True)]
        columns = {name: values[eligible] for name, values in self.columns.items()}
        columns["load"] = load_left
        return pool, excluded, columns

    def split(self, facts, rules):
        pool, excluded, _columns = self.split_columns(facts, rules)
        return pool, excluded


# ---------------------------------------------------------------- reading the database


def draw_rules(review, facts):
    """The rules a draw of ``review`` runs with (and records): the defaults, the review's own,
    its panel size and the quarter its load counts in."""
    from reviews.models import default_rules

    return {
        **default_rules(),
        **(review.rules or {}),
        "panel_size": review.panel_size,
        "quarter": facts.quarter,
    }


def _ancestors(parent_of, start):
    seen = []
    node = start
    while node is not None and node not in seen:
        seen.append(node)
        node = parent_of.get(node)
    return seen


def load_roster(*, exclude_reviews=()):
    """Every expert of the roster as a ``Candidate``, in a fixed number of queries."""
    from experts.models import Conflict, Domain, Expert, Organization, Unavailability
    from reviews.models import Assignment

    org_parent = dict(Organization.objects.values_list("id", "parent_id"))
    org_kind = dict(Organization.objects.values_list("id", "kind"))
    domain_parent = dict(Domain.objects.values_list("id", "parent_id"))
    domains, unavailable, conflicts, load = {}, {}, {}, {}
    for expert_id, domain_id in Expert.domains.through.objects.values_list("expert_id", "domain_id"):
        domains.setdefault(expert_id, set()).update(_ancestors(domain_parent, domain_id))
    for expert_id, start, end in Unavailability.objects.values_list("expert_id", "starts_on", "ends_on"):
        unavailable.setdefault(expert_id, []).append((start, end))
    for expert_id, org_id, until in Conflict.objects.values_list("expert_id", "organization_id", "until"):
        conflicts.setdefault(expert_id, []).append((org_id, until))
    active = Assignment.objects.filter(state__in=Assignment.ACTIVE_STATES).exclude(review_id__in=exclude_reviews)
    for expert_id, opens_at in active.values_list("expert_id", "review__opens_at"):
        quarter = quarter_of(opens_at)
        load.setdefault(expert_id, {}).setdefault(quarter, 0)
        load[expert_id][quarter] += 1
    rows = Expert.objects.values_list("id", "name", "status", "category", "employer_id", "term_start", "term_end")
    return [
        Candidate(
            id=expert_id,
            name=name,
            status=status,
            category=category,
            org=employer_id,
            org_chain=frozenset(_ancestors(org_parent, employer_id)),
            government=org_kind.get(employer_id) == Organization.Kind.GOVERNMENT,
            domains=frozenset(domains.get(expert_id, ())),
            term_start=term_start,
            term_end=term_end,
            unavailable=unavailable.get(expert_id, []),
            conflicts=conflicts.get(expert_id, []),
            load=load.get(expert_id, {}),
        )
        for expert_id, name, status, category, employer_id, term_start, term_end in rows
    ]


def review_facts(reviews):
    """``{review id: ReviewFacts}`` for ``reviews`` in a fixed number of queries."""
    from reviews.models import Assignment, Plan, PlanVersion, Review

    reviews = list(reviews)
    ids = [review.id for review in reviews]
    required = {}
    for review_id, domain_id in Review.required_domains.through.objects.filter(review_id__in=ids).values_list(
        "review_id", "domain_id"
    ):
        required.setdefault(review_id, set()).add(domain_id)
    parties = {}
    plan_ids = {review.plan_id for review in reviews}
    for plan_id, submitter, related in Plan.objects.filter(id__in=plan_ids).values_list(
        "id", "submitted_by_id", "related_organizations"
    ):
        parties.setdefault(plan_id, set()).add(submitter)
        if related:
            parties[plan_id].add(related)
    earlier = {}
    evaluated = Assignment.objects.filter(review__plan_id__in=plan_ids, state=Assignment.State.ACCEPTED)
    for plan_id, number, expert_id in evaluated.values_list(
        "review__plan_id", "review__plan_version__number", "expert_id"
    ):
        earlier.setdefault(plan_id, []).append((number, expert_id))
    numbers = dict(Review.objects.filter(id__in=ids).values_list("id", "plan_version__number"))
    drafted = {}
    drafting = PlanVersion.drafters.through.objects.filter(planversion__plan_id__in=plan_ids)
    for plan_id, number, expert_id in drafting.values_list("planversion__plan_id", "planversion__number", "expert_id"):
        drafted.setdefault(plan_id, []).append((number, expert_id))
    assigned = {}
    for review_id, expert_id in Assignment.objects.filter(review_id__in=ids).values_list("review_id", "expert_id"):
        assigned.setdefault(review_id, set()).add(expert_id)
    facts = {}
    for review in reviews:
        ends = max(review.due_at, review.meeting_at or review.due_at)
        facts[review.id] = ReviewFacts(
            id=review.id,
            starts=review.opens_at.astimezone(SHANGHAI).date(),
            ends=ends.astimezone(SHANGHAI).date(),
            quarter=quarter_of(review.opens_at),
            required_domains=frozenset(required.get(review.id, ())),
            parties=frozenset(parties.get(review.plan_id, ())),
            earlier_reviewers=frozenset(
                expert_id for number, expert_id in earlier.get(review.plan_id, []) if number < numbers[review.id]
            ),
            assigned=frozenset(assigned.get(review.id, ())),
            drafters=frozenset(
                expert_id for number, expert_id in drafted.get(review.plan_id, []) if number <= numbers[review.id]
            ),
        )
    return facts
