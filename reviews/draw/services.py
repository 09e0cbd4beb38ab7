"""Drawing panels: one review (``draw_for_review``) or many at once (``batch_draw_reviews``). Each
checks the actor, reads the pool, runs the engine, records the ``Draw`` with everything a replay
needs, invites the panel and moves the review through drawing to inviting, in one transaction.
"""

import gc
import secrets
import time
import uuid
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.errors import StateConflict
from experts import audit
from reviews import invitations, rules, states
from reviews.draw import batch, engine, pool
from reviews.history import save_with_history
from reviews.models import Draw, Review


class DrawInfeasible(ValidationError):
    """The rules cannot be met: nothing was drawn. ``code`` names the rule."""


def _check_actor(by):
    rules.require(rules.can_manage_review, by, message=_("Only the secretariat draws panels."))


def _clean_seed(seed):
    seed = (seed or "").strip()
    if len(seed) > 200:
        raise ValidationError({"seed": [_("The seed is at most 200 characters.")]})
    if seed:
        return seed, Draw.SeedSource.WITNESSED
    return secrets.token_hex(16), Draw.SeedSource.SYSTEM


def _lock_for_draw(review):
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if locked.state != Review.State.DRAFT or Draw.objects.filter(review_id=locked.pk).exists():
        raise StateConflict(_("This review's panel has already been drawn."))
    return locked


def _lock_many_for_draw(reviews):
    """``_lock_for_draw`` for a batch in two queries, in id order (the order a replay uses)."""
    ids = sorted({review.pk for review in reviews})
    locked = list(
        Review.objects.select_for_update(of=("self",)).select_related("plan").filter(pk__in=ids).order_by("pk")
    )
    if len(locked) != len(ids) or any(review.state != Review.State.DRAFT for review in locked):
        raise StateConflict(_("This review's panel has already been drawn."))
    if Draw.objects.filter(review_id__in=ids).exists():
        raise StateConflict(_("This review's panel has already been drawn."))
    return locked


# ---------------------------------------------------------------- one review


def draw_for_review(review, *, by, seed=None):
    """Draw ``review``'s panel, invite it and return the ``Draw``.

    Raises ``DrawInfeasible`` (nothing drawn) when the rules cannot be met, ``StateConflict`` when
    the review is not a draft or another draw won the race (the unique review on ``Draw``)."""
    _check_actor(by)
    seed, source = _clean_seed(seed)
    try:
        with transaction.atomic():
            draw = _draw_locked(_lock_for_draw(review), by=by, seed=seed, source=source)
    except IntegrityError:
        raise StateConflict(_("This review's panel has already been drawn."))
    review.refresh_from_db()
    return draw


def _draw_locked(locked, *, by, seed, source):
    facts = pool.review_facts([locked])[locked.pk]
    roster = pool.load_roster(exclude_reviews=[locked.pk])
    draw_rules = pool.draw_rules(locked, facts)
    eligible, excluded = pool.split_pool(roster, facts, draw_rules)
    outcome = engine.draw_panel(eligible, seed=seed, review_id=locked.pk, rules=draw_rules)
    if not outcome.ok:
        raise DrawInfeasible(outcome.problem, code=outcome.problem_code)
    states.transition(locked, Review.State.DRAWING, by=by, reason="drawing")
    draw = Draw(
        review=locked, seed=seed, seed_source=source, rules={**draw_rules, "categories": outcome.categories},
        algorithm=engine.ALGORITHM, method=outcome.method, solver=engine.solver_version(),
        pool=eligible, pool_hash=engine.pool_hash(eligible), excluded=excluded,
        selected=outcome.selected, alternates=outcome.alternates, drawn_by=by,
    )  # fmt: skip
    with transaction.atomic():  # a savepoint: the losing side of a race gets IntegrityError here
        save_with_history(draw, by=by, reason=f"drawn ({outcome.method})")
    invitations.invite_panel(locked, draw, outcome.selected, by=by)
    states.transition(locked, Review.State.INVITING, by=by, reason="panel drawn")
    audit.record(audit.DRAW, actor=by, obj=locked, outcome=audit.SUCCESS, draw=draw.pk, seed_source=source)
    return draw


# ---------------------------------------------------------------- a batch


@contextmanager
def _without_cyclic_gc():
    """A batch allocates a million small lists (the pools, no cycles among them): the cyclic
    collector would walk them again and again (over a second of CPU for 500 x 5,000)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Clock:
    """Wall and CPU seconds of each stage of a batch, into its ``stats``."""

    def __init__(self, stats):
        self.stats = stats
        self.started, self.cpu_started = time.perf_counter(), time.process_time()
        self.mark()

    def mark(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def record(self, name):
        self.stats[f"{name}_s"] = time.perf_counter() - self.wall
        self.stats[f"{name}_cpu_s"] = time.process_time() - self.cpu

    def total(self):
        self.stats["total_s"] = time.perf_counter() - self.started
        self.stats["total_cpu_s"] = time.process_time() - self.cpu_started


def batch_draw_reviews(reviews, *, by, seed=None, invite=True):
    """Draw panels for many draft reviews at once (an annual session) with one integer program,
    so that no expert exceeds their load cap. All or nothing: if one review cannot be drawn, none
    is, and ``DrawInfeasible`` says which and why. Returns ``(draws, stats)`` (timings included)."""
    _check_actor(by)
    seed, source = _clean_seed(seed)
    stats = {}
    clock = _Clock(stats)
    with _without_cyclic_gc(), transaction.atomic():
        locked = _lock_many_for_draw(reviews)
        problems, records = _batch_problems(locked)
        clock.record("eligibility")
        clock.mark()
        outcomes = _solve(problems, seed=seed, stats=stats)
        clock.record("solve")
        _refuse_short(locked, outcomes)
        clock.mark()
        draws = _record_batch(locked, outcomes, records, by=by, seed=seed, source=source, invite=invite)
    clock.record("write")  # with the commit and what runs after it
    clock.total()
    return draws, stats


def _batch_problems(locked):
    """The batch program's problems, one per review, and what each draw records of its own."""
    facts = pool.review_facts(locked)
    splitter = pool.PoolSplitter(pool.load_roster(exclude_reviews=[r.pk for r in locked]))
    problems, records = [], {}
    for review in locked:
        draw_rules = pool.draw_rules(review, facts[review.pk])
        eligible, excluded, columns = splitter.split_columns(facts[review.pk], draw_rules)
        code, problem = engine.explain(eligible, draw_rules)
        if problem:
            raise DrawInfeasible(_("{review}: {problem}").format(review=review, problem=problem), code=code)
        problems.append(
            {"review": review.pk, "pool": eligible, "columns": columns, "rules": draw_rules,
             "quarter": draw_rules["quarter"]}
        )  # fmt: skip
        records[review.pk] = (draw_rules, eligible, excluded)
    return problems, records


def _solve(problems, *, seed, stats):
    try:
        outcomes, solve_stats = batch.batch_draw(problems, seed=seed)
    except batch.BatchUnsolved as error:
        raise DrawInfeasible(str(error), code=error.code) from None
    stats.update(solve_stats)
    return outcomes


def _refuse_short(locked, outcomes):
    short = [review for review in locked if not outcomes[review.pk].ok]
    if short:
        raise DrawInfeasible(
            _("No full assignment exists: {count} reviews would be short, the first {review}.").format(
                count=len(short), review=short[0]
            ),
            code="batch_short",
        )


def _record_batch(locked, outcomes, records, *, by, seed, source, invite):
    """Record the batch's draws (bulk, with history), invite the panels, move the reviews."""
    widths = list(batch.BATCH_WIDTHS)  # recorded: the replay prunes the same way
    name = f"batch-{uuid.uuid4().hex[:12]}"
    states.transition_many(locked, Review.State.DRAWING, by=by, reason="batch drawing")
    draws = [
        Draw(
            review=review, seed=seed, seed_source=source,
            rules={**records[review.pk][0], "categories": outcomes[review.pk].categories, "batch_widths": widths},
            algorithm=batch.BATCH_ALGORITHM, method="batch", solver=engine.solver_version(),
            pool=records[review.pk][1], pool_hash=engine.pool_hash(records[review.pk][1]),
            excluded=records[review.pk][2], selected=outcomes[review.pk].selected,
            alternates=outcomes[review.pk].alternates, batch=name, drawn_by=by,
        )
        for review in locked
    ]  # fmt: skip
    draws = bulk_create_with_history(draws, Draw, default_user=by, default_change_reason="drawn (batch)")
    if not all(d.pk for d in draws):
        draws = list(Draw.objects.filter(batch=name).order_by("review_id"))
    if invite:
        invitations.invite_many(locked, draws, by=by)
    states.transition_many(locked, Review.State.INVITING, by=by, reason="panel drawn in a batch")
    for review, draw in zip(locked, draws, strict=True):
        audit.record(audit.DRAW, actor=by, obj=review, outcome=audit.SUCCESS, draw=draw.pk, batch=name)
    return draws
