"""Commit, then reveal: a draw bound to a public random value nobody knows yet.

``commit_draw`` freezes the review's eligible pool, exclusions, rules and algorithm, names the
public value to come (``reviews.draw.beacon``) and the witnesses present, and records the digest
of all of it (``reviews.draw.record``); the review moves to drawing. ``reveal_draw`` takes the
public value and one input per witness, derives the seed from the digest, the value and the inputs,
and draws on the frozen pool: a roster change after the commitment changes nothing. The quick,
unwitnessed draw (``reviews.draw.services.draw_for_review``) makes the same commitment with
system randomness and reveals it at once. Each writes in one transaction: a refusal stores nothing.
"""

from datetime import UTC

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import StateConflict
from experts import audit
from reviews import invitations, rules, states
from reviews.draw import beacon as beacons
from reviews.draw import engine, pool, record
from reviews.draw.constraints import COMPOSITION, Composition
from reviews.history import save_with_history
from reviews.models import Draw, DrawCommitment, Review

MAX_WITNESSES = 20
MAX_TEXT = 200

BEACON_MESSAGES = {
    "unknown_source": gettext_lazy("Name the public value's source: “drand quicknet” or “lottery”."),
    "bad_round": gettext_lazy("Name the round: a drand round number, or the lottery draw's name."),
    "bad_public_at": gettext_lazy("Say when the lottery result is published (a date and time with its offset)."),
    "already_public": gettext_lazy(
        "That value is already public (or will be before the commitment is stored): name a future round."
    ),
    "bad_value": gettext_lazy("The public value is 64 hexadecimal digits (drand's randomness), or the result text."),
    "bad_signature": gettext_lazy("The drand signature is 96 hexadecimal digits."),
    "value_mismatch": gettext_lazy("The public value is not the SHA-256 of the signature: check both."),
    "signature_mismatch": gettext_lazy("The signature is not the drand chain's signature of the committed round."),
}


class DrawInfeasible(ValidationError):
    """The rules cannot be met: nothing was drawn. ``code`` names the rule."""


def check_actor(by):
    rules.require(rules.can_manage_review, by, message=_("Only the secretariat draws panels."))


def _beacon_error(problem):
    message = BEACON_MESSAGES.get(problem.code, problem.code)
    return ValidationError({problem.field: [ValidationError(message, code=problem.code)]})


def clean_beacon(beacon, *, now):
    try:
        return beacons.check_commitment(beacon, now=now)
    except beacons.BeaconProblem as problem:
        raise _beacon_error(problem) from None


def clean_texts(values, *, field, count=None):
    """A list of non-empty texts (stripped, at most ``MAX_TEXT`` characters each), ``count`` of
    them when given; else a ``ValidationError`` naming ``field``."""
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValidationError({field: [_("A list of texts.")]})
    values = [v.strip() for v in values]
    if count is not None and len(values) != count:
        message = _("One input per witness: {count} expected, {given} given.").format(count=count, given=len(values))
        raise ValidationError({field: [message]})
    if not all(values):
        raise ValidationError({field: [_("Every entry is needed: one is empty.")]})
    if any(len(v) > MAX_TEXT for v in values):
        raise ValidationError({field: [_("Each entry is at most {max} characters.").format(max=MAX_TEXT)]})
    return values


def clean_witnesses(witnesses):
    names = clean_texts(witnesses, field="witnesses")
    if not 1 <= len(names) <= MAX_WITNESSES:
        raise ValidationError({"witnesses": [_("Name 1 to {max} witnesses.").format(max=MAX_WITNESSES)]})
    if len(set(names)) != len(names):
        raise ValidationError({"witnesses": [_("Each witness is named once.")]})
    return names


def lock_draft(review):
    """The review locked for a commitment: a draft with neither a draw nor a commitment."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    taken = (
        Draw.objects.filter(review_id=locked.pk).exists() or DrawCommitment.objects.filter(review_id=locked.pk).exists()
    )
    if locked.state != Review.State.DRAFT or taken:
        raise StateConflict(_("This review's panel has already been drawn or committed."))
    return locked


def freeze(locked):
    """``(eligible pool, exclusions, rules)`` of a locked review now; ``DrawInfeasible`` when no
    panel can be drawn from it."""
    facts = pool.review_facts([locked])[locked.pk]
    draw_rules = pool.draw_rules(locked, facts)
    eligible, excluded = pool.split_pool(pool.load_roster(exclude_reviews=[locked.pk]), facts, draw_rules)
    code, problem = engine.explain(eligible, draw_rules)
    if not problem and not engine.feasible(eligible, Composition.of(draw_rules), []):
        code, problem = Composition.of(draw_rules).unmet(eligible)
    if problem:
        raise DrawInfeasible(problem, code=code or COMPOSITION)
    return eligible, excluded, draw_rules


def _actor_name(by):
    return (by.get_full_name() or by.get_username())[:150] if by is not None else ""


def new_commitment(
    review_id, *, by, eligible, excluded, draw_rules, algorithm, beacon, witnesses, batch_name="", now=None
):
    """An unsaved ``DrawCommitment`` with its digest (committed ``now``, to the second)."""
    committed_at = (now or timezone.now()).replace(microsecond=0)
    commitment = DrawCommitment(
        review_id=review_id, pool=eligible, pool_hash=engine.pool_hash(eligible), excluded=excluded,
        rules=draw_rules, algorithm=algorithm, beacon=beacon, witnesses=witnesses, batch=batch_name,
        committed_by=by, committed_by_name=_actor_name(by), committed_at=committed_at,
    )  # fmt: skip
    commitment.digest = record.commitment_digest(commitment_body(commitment))
    return commitment


def commitment_body(commitment):
    """The digested body of ``commitment`` (``reviews.draw.record.commitment_body``)."""
    return record.commitment_body(
        review=commitment.review_id, pool=commitment.pool, excluded=commitment.excluded, rules=commitment.rules,
        algorithm=commitment.algorithm, beacon=commitment.beacon, witnesses=commitment.witnesses,
        committed_by=commitment.committed_by_name, committed_at=iso(commitment.committed_at),
        batch_name=commitment.batch,
    )  # fmt: skip


def iso(moment):
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def commit_draw(review, *, by, beacon, witnesses, now=None):
    """Freeze ``review``'s pool and bind its draw to a future public value and the witnesses
    present; the review moves to drawing. Returns the ``DrawCommitment``.

    ``ValidationError`` names the field (``beacon``, ``witnesses``) or, when no panel can be drawn
    from the pool, is a ``DrawInfeasible`` naming the rule; ``StateConflict`` when the review is
    not a draft or already has a draw or a commitment. ``now`` is for tests of old (real) rounds."""
    check_actor(by)
    now = now or timezone.now()
    names = clean_witnesses(witnesses)
    normalised = clean_beacon(beacon, now=now)
    try:
        with transaction.atomic():
            locked = lock_draft(review)
            eligible, excluded, draw_rules = freeze(locked)
            commitment = new_commitment(
                locked.pk, by=by, eligible=eligible, excluded=excluded, draw_rules=draw_rules,
                algorithm=engine.ALGORITHM, beacon=normalised, witnesses=names, now=now,
            )  # fmt: skip
            save_with_history(commitment, by=by, reason="committed")
            states.transition(locked, Review.State.DRAWING, by=by, reason="draw committed")
            audit.record(audit.DRAW, actor=by, obj=locked, outcome=audit.SUCCESS, step="commit",
                         digest=commitment.digest)  # fmt: skip
    except IntegrityError:
        raise StateConflict(_("This review's panel has already been drawn or committed.")) from None
    review.refresh_from_db()
    return commitment


def reveal_draw(review, *, by, beacon_value, witness_inputs, beacon_signature=None):
    """Draw ``review``'s panel from its commitment, the public value and the witnesses' inputs;
    invite it. Returns the ``Draw``. ``StateConflict`` without a commitment or once drawn;
    ``ValidationError`` naming ``beacon_value``, ``beacon_signature`` or ``witness_inputs``."""
    check_actor(by)
    try:
        with transaction.atomic():
            locked = Review.objects.select_for_update().get(pk=review.pk)
            commitment = DrawCommitment.objects.filter(review_id=locked.pk).first()
            if commitment is None or locked.state != Review.State.DRAWING or Draw.objects.filter(review=locked):
                raise StateConflict(_("This review has no commitment waiting for its public value."))
            inputs = clean_texts(witness_inputs, field="witness_inputs", count=len(commitment.witnesses))
            try:
                value = beacons.check_reveal(commitment.beacon, value=beacon_value, signature=beacon_signature)
            except beacons.BeaconProblem as problem:
                raise _beacon_error(problem) from None
            draw = draw_committed(
                locked, commitment, by=by, source=Draw.SeedSource.BEACON, beacon_value=value["value"],
                beacon_signature=value["signature"], witness_inputs=inputs,
            )  # fmt: skip
    except IntegrityError:
        raise StateConflict(_("This review's panel has already been drawn.")) from None
    review.refresh_from_db()
    return draw


def draw_committed(locked, commitment, *, by, source, beacon_value, beacon_signature="", witness_inputs=()):
    """Run the draw on ``commitment``'s frozen pool with the seed derived from it, record it,
    invite the panel and move the (drawing) review to inviting."""
    seed = record.derive_seed(commitment.digest, beacon_value, list(witness_inputs))
    outcome = engine.draw_panel(commitment.pool, seed=seed, review_id=locked.pk, rules=commitment.rules)
    if not outcome.ok:
        raise DrawInfeasible(outcome.problem, code=outcome.problem_code)
    draw = Draw(
        review=locked, commitment=commitment, seed=seed, seed_source=source, beacon_value=beacon_value,
        beacon_signature=beacon_signature or "", witness_inputs=list(witness_inputs),
        rules={**commitment.rules, "categories": outcome.categories}, algorithm=commitment.algorithm,
        method=outcome.method, solver=engine.solver_version(), pool=commitment.pool,
        pool_hash=commitment.pool_hash, excluded=commitment.excluded, selected=outcome.selected,
        alternates=outcome.alternates, drawn_by=by,
    )  # fmt: skip
    with transaction.atomic():  # a savepoint: the losing side of a race gets IntegrityError here
        save_with_history(draw, by=by, reason=f"drawn ({outcome.method})")
    invitations.invite_panel(locked, draw, outcome.selected, by=by)
    states.transition(locked, Review.State.INVITING, by=by, reason="panel drawn")
    audit.record(audit.DRAW, actor=by, obj=locked, outcome=audit.SUCCESS, draw=draw.pk, seed_source=source)
    return draw
