"""Replaying a draw from its record alone: the pool and its hash, the exclusions, the seed, the
rules and the algorithm version it names (a batch replays with every draw of its batch)."""

from django.utils.translation import gettext as _

from reviews.draw import batch, engine
from reviews.models import Draw


def verify_draw(draw):
    """Replay ``draw`` from its record alone: ``(verified, detail)``."""
    if engine.pool_hash(draw.pool) != draw.pool_hash:
        return False, _("The stored pool does not match its SHA-256 hash.")
    excluded_ids = {i for ids in (draw.excluded or {}).values() for i in ids}
    pool_ids = {row[0] for row in draw.pool}
    if excluded_ids & pool_ids:
        return False, _("An excluded expert appears in the eligible pool.")
    if draw.method == "batch":
        outcome, problem = _replay_batch(draw)
        if problem:
            return False, problem
    else:
        rules = {key: value for key, value in draw.rules.items() if key != "categories"}
        outcome = engine.draw_panel(draw.pool, seed=draw.seed, review_id=draw.review_id, rules=rules)
    if not outcome.ok:
        return False, outcome.problem
    if outcome.selected != draw.selected:
        return False, _("Replaying the record gives a different panel.")
    if outcome.alternates != draw.alternates:
        return False, _("Replaying the record gives different alternates.")
    return True, _("Replaying the record gives the same panel and alternates.")


def _replay_batch(draw):
    """``(outcome of draw's review, "")`` from replaying its whole batch, or ``(None, why not)``."""
    members = list(Draw.objects.filter(batch=draw.batch).order_by("review_id"))
    problems = [
        {"review": d.review_id, "pool": d.pool, "rules": d.rules, "quarter": d.rules.get("quarter", "")}
        for d in members
    ]
    if any(engine.pool_hash(d.pool) != d.pool_hash for d in members):
        return None, _("A stored pool of the batch does not match its SHA-256 hash.")
    try:
        outcomes, _stats = batch.batch_draw(
            problems, seed=draw.seed, algorithm=draw.algorithm, widths=draw.rules.get("batch_widths")
        )
    except (batch.BatchUnsolved, ValueError) as error:
        return None, str(error)
    return outcomes[draw.review_id], ""
