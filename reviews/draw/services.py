"""Drawing panels: one review (``draw_for_review``) or many at once (``batch_draw_reviews``),
unwitnessed: system randomness, committed and revealed at once (``reviews.draw.commitment`` has the
witnessed draw, commit then reveal, and the steps both share). Each checks the actor, freezes the
pool in a commitment, derives the seed, runs the engine, records the ``Draw`` with everything a
replay needs, invites the panel and moves the review through drawing to inviting, in one transaction.
"""

import gc
import hashlib
import secrets
import time
import uuid
from contextlib import contextmanager

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from core.errors import StateConflict
from experts import audit
from reviews import invitations, states
from reviews.draw import batch, engine, pool, record
from reviews.draw.commitment import (  # noqa: F401 - DrawInfeasible, commit_draw and reveal_draw are the API of this module
    DrawInfeasible,
    check_actor,
    commit_draw,
    draw_committed,
    freeze,
    lock_draft,
    new_commitment,
    reveal_draw,
)
from reviews.history import save_with_history
from reviews.models import Draw, DrawCommitment, Review

UNWITNESSED_BEACON = {"source": record.SYSTEM}


def system_value(seed=None):
    """64 hex digits of system randomness. ``seed`` is for tests, benchmarks and demo data only
    (no page or endpoint passes one): it fixes the value, as its SHA-256, for a repeatable draw."""
    if seed is None or seed == "":
        return secrets.token_hex(32)
    return hashlib.sha256(str(seed).encode()).hexdigest()


def _lock_many_for_draw(reviews):
    """``lock_draft`` for a batch in three queries, in id order (the order a replay uses)."""
    ids = sorted({review.pk for review in reviews})
    locked = list(
        Review.objects.select_for_update(of=("self",)).select_related("plan").filter(pk__in=ids).order_by("pk")
    )
    if len(locked) != len(ids) or any(review.state != Review.State.DRAFT for review in locked):
        raise StateConflict(_("This review's panel has already been drawn."))
    if Draw.objects.filter(review_id__in=ids).exists() or DrawCommitment.objects.filter(review_id__in=ids).exists():
        raise StateConflict(_("This review's panel has already been drawn or committed."))
    return locked


# ---------------------------------------------------------------- one review


def draw_for_review(review, *, by, seed=None):
    """Draw ``review``'s panel unwitnessed (system randomness, committed and revealed at once),
    invite it and return the ``Draw``. ``seed``: see ``system_value``.

    Raises ``DrawInfeasible`` (nothing drawn) when the rules cannot be met, ``StateConflict`` when
    the review is not a draft, has a commitment, or another draw won the race."""
    check_actor(by)
    value = system_value(seed)
    try:
        with transaction.atomic():
            locked = lock_draft(review)
            eligible, excluded, draw_rules = freeze(locked)
            commitment = new_commitment(
                locked.pk, by=by, eligible=eligible, excluded=excluded, draw_rules=draw_rules,
                algorithm=engine.ALGORITHM, beacon=UNWITNESSED_BEACON, witnesses=[],
            )  # fmt: skip
            save_with_history(commitment, by=by, reason="committed (unwitnessed)")
            states.transition(locked, Review.State.DRAWING, by=by, reason="drawing")
            draw = draw_committed(locked, commitment, by=by, source=Draw.SeedSource.UNWITNESSED, beacon_value=value)
    except IntegrityError:
        raise StateConflict(_("This review's panel has already been drawn.")) from None
    review.refresh_from_db()
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
    is, and ``DrawInfeasible`` says which and why. Returns ``(draws, stats)`` (timings included).

    Unwitnessed: each review gets a commitment (source "system"), and the batch's one seed is
    derived from all their digests and the system value (``seed``: see ``system_value``)."""
    check_actor(by)
    value = system_value(seed)
    stats = {}
    clock = _Clock(stats)
    with _without_cyclic_gc(), transaction.atomic():
        locked = _lock_many_for_draw(reviews)
        problems, records = _batch_problems(locked)
        commitments = _batch_commitments(locked, records, by=by)
        seed = record.derive_seed(record.batch_digest(c.digest for c in commitments), value, [])
        clock.record("eligibility")
        clock.mark()
        outcomes = _solve(problems, seed=seed, stats=stats)
        clock.record("solve")
        _refuse_short(locked, outcomes)
        clock.mark()
        draws = _record_batch(locked, outcomes, commitments, by=by, seed=seed, value=value, invite=invite)
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


def _batch_commitments(locked, records, *, by):
    """The batch's commitments, one per review in id order, unsaved, with their digests."""
    name = f"batch-{uuid.uuid4().hex[:12]}"
    widths = list(batch.BATCH_WIDTHS)  # part of the rules: the replay prunes the same way
    return [
        new_commitment(
            review.pk, by=by, eligible=records[review.pk][1], excluded=records[review.pk][2],
            draw_rules={**records[review.pk][0], "batch_widths": widths}, algorithm=batch.BATCH_ALGORITHM,
            beacon=UNWITNESSED_BEACON, witnesses=[], batch_name=name,
        )
        for review in locked
    ]  # fmt: skip


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


def _record_batch(locked, outcomes, commitments, *, by, seed, value, invite):
    """Record the batch's commitments and draws (bulk, with history), invite the panels, move the
    reviews."""
    name = commitments[0].batch
    commitments = bulk_create_with_history(
        commitments, DrawCommitment, default_user=by, default_change_reason="committed (batch, unwitnessed)"
    )
    if not all(c.pk for c in commitments):
        commitments = list(DrawCommitment.objects.filter(batch=name).order_by("review_id"))
    states.transition_many(locked, Review.State.DRAWING, by=by, reason="batch drawing")
    draws = [
        Draw(
            review=review, commitment=commitment, seed=seed, seed_source=Draw.SeedSource.UNWITNESSED,
            beacon_value=value, rules={**commitment.rules, "categories": outcomes[review.pk].categories},
            algorithm=commitment.algorithm, method="batch", solver=engine.solver_version(),
            pool=commitment.pool, pool_hash=commitment.pool_hash, excluded=commitment.excluded,
            selected=outcomes[review.pk].selected, alternates=outcomes[review.pk].alternates, batch=name,
            drawn_by=by,
        )
        for review, commitment in zip(locked, commitments, strict=True)
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
