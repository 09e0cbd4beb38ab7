"""Who may be drawn for a review, and why everyone else may not.

``exclusion_reason`` is a pure function over plain data (the property tests drive it directly);
``load_roster`` and ``review_facts`` read the database once for any number of reviews.
"""

from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo("Asia/Shanghai")

# The rules in the order they are checked; the first that applies is the one recorded.
REASONS = {
    "inactive": _("Not an active member"),
    "term": _("Term of appointment does not cover the review"),
    "unavailable": _("Unavailable during the review"),
    "domain": _("No required domain"),
    "employer": _("Works for the submitting or a related organisation"),
    "declared_conflict": _("Declared a conflict with the submitting or a related organisation"),
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
    if rules.get("exclude_earlier_versions", True) and candidate.id in facts.earlier_reviewers:
        return "earlier_version"
    cap = rules.get("load_cap_per_quarter")
    if cap is not None and candidate.load.get(facts.quarter, 0) >= int(cap):
        return "load_cap"
    return None


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
        pool.append([candidate.id, candidate.category, candidate.org, int(candidate.government), load_left])
    return pool, excluded


class PoolSplitter:
    """``split_pool`` for many reviews over one roster (a batch): the same answers, but the rules
    that depend only on the dates are worked out once per date window and the domain rule through
    an index, so each review only checks its own parties, history and load."""

    TIME_RULES = ("inactive", "term", "unavailable")

    def __init__(self, candidates):
        self.candidates = sorted(candidates, key=lambda c: c.id)
        self.by_id = {c.id: c for c in self.candidates}
        self.all_ids = frozenset(self.by_id)
        self.by_domain = {}
        for c in self.candidates:
            for domain in c.domains:
                self.by_domain.setdefault(domain, set()).add(c.id)
        self._windows = {}

    def _time_excluded(self, facts):
        """``({id: reason}, {reason: [ids]})`` of the date-only rules, once per date window."""
        key = (facts.starts, facts.ends)
        if key not in self._windows:
            window = ReviewFacts(facts.id, facts.starts, facts.ends, facts.quarter, frozenset(), frozenset(),
                                 frozenset())  # fmt: skip
            found, grouped = {}, {}
            for c in self.candidates:
                reason = exclusion_reason(c, window, {"exclude_earlier_versions": False, "load_cap_per_quarter": None})
                if reason in self.TIME_RULES:
                    found[c.id] = reason
                    grouped.setdefault(reason, []).append(c.id)
            self._windows[key] = (found, grouped)
        return self._windows[key]

    def split(self, facts, rules):
        timed, grouped = self._time_excluded(facts)
        excluded = {reason: list(ids) for reason, ids in grouped.items()}
        if facts.required_domains:
            with_domain = set().union(*(self.by_domain.get(d, set()) for d in facts.required_domains))
            outside = sorted(self.all_ids - with_domain - timed.keys())
            if outside:
                excluded["domain"] = outside
            remaining = sorted(with_domain - timed.keys())
        else:
            remaining = sorted(self.all_ids - timed.keys())
        cap = rules.get("load_cap_per_quarter")
        earlier = rules.get("exclude_earlier_versions", True)
        pool = []
        for expert_id in remaining:
            c = self.by_id[expert_id]
            reason = None
            if c.org_chain & facts.parties:
                reason = "employer"
            elif c.conflicts and any(
                org in facts.parties and (until is None or until >= facts.starts) for org, until in c.conflicts
            ):
                reason = "declared_conflict"
            elif earlier and c.id in facts.earlier_reviewers:
                reason = "earlier_version"
            elif cap is not None and c.load.get(facts.quarter, 0) >= int(cap):
                reason = "load_cap"
            if reason:
                excluded.setdefault(reason, []).append(c.id)
                continue
            load_left = 10**6 if cap is None else int(cap) - c.load.get(facts.quarter, 0)
            pool.append([c.id, c.category, c.org, int(c.government), load_left])
        return pool, excluded


# ---------------------------------------------------------------- reading the database


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

    from .models import Assignment

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
    from .models import Assignment, Plan, Review

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
        )
    return facts
