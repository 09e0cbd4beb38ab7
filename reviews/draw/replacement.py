"""Who takes a seat that falls free: the next ranked alternate (a decline, a withdrawal, no answer),
or the expert the secretariat chooses by hand, who must be eligible now and keep the panel
within the composition rules of ``reviews.draw.constraints``. Reads only; the assignment
services write.
"""

from django.utils.translation import gettext as _

from experts.models import Expert
from reviews.draw import engine, pool
from reviews.draw.constraints import Composition
from reviews.models import Assignment, Draw


def next_alternate(review):
    """The first ranked alternate still eligible who keeps the panel within the rules, or ``None``."""
    draw = Draw.objects.filter(review=review).first()
    if draw is None:
        return None
    on_review = set(review.assignments.values_list("expert_id", flat=True))
    panel = set(review.assignments.filter(state__in=Assignment.ACTIVE_STATES).values_list("expert_id", flat=True))
    facts = pool.review_facts([review])[review.pk]
    roster = {c.id: c for c in pool.load_roster(exclude_reviews=[review.pk])}
    ineligible = {i for i in draw.alternates if i not in roster or pool.exclusion_reason(roster[i], facts, draw.rules)}
    expert_id = engine.next_alternate(
        draw.pool, draw.alternates, panel_ids=panel, unavailable_ids=(on_review | ineligible), rules=draw.rules
    )
    return Expert.objects.select_related("user").get(pk=expert_id) if expert_id else None


def replacement_problem(review, leaving, expert):
    """``(rule code, message)`` when ``expert`` may not take the seat of ``leaving`` (an active
    assignment of ``review``), or ``("", "")``: already on this review, not eligible now (the
    first exclusion rule that applies), or a composition rule the panel would break."""
    if review.assignments.filter(expert=expert).exists():
        return "already_invited", _("This expert has already been on this review's panel.")
    facts = pool.review_facts([review])[review.pk]
    roster = {c.id: c for c in pool.load_roster(exclude_reviews=[review.pk])}
    rules = pool.draw_rules(review, facts)
    code = pool.exclusion_reason(roster[expert.pk], facts, rules)
    if code:
        return code, str(pool.REASONS[code])
    staying = [
        pool.row(roster[expert_id])
        for expert_id in review.assignments.filter(state__in=Assignment.ACTIVE_STATES)
        .exclude(pk=leaving.pk)
        .values_list("expert_id", flat=True)
    ]
    on_review = set(review.assignments.values_list("expert_id", flat=True))
    alternatives = (
        pool.row(c) for c in roster.values() if c.id not in on_review and not pool.exclusion_reason(c, facts, rules)
    )
    return Composition.of(rules).replacement_problem(
        staying, pool.row(roster[leaving.expert_id]), pool.row(roster[expert.pk]),
        alternatives=alternatives, name=lambda i: roster[i].name, label=_category_label,
    )  # fmt: skip


def _category_label(category):
    return str(Expert.Category(category).label)
