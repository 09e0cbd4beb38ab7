"""Writes for plans, reviews, draws and assignments."""

import gc
import hashlib
import io
import secrets
import time
import uuid
import zipfile
from contextlib import contextmanager
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.errors import StateConflict
from core.uploads import check_archive, safe_filename
from experts import audit
from experts.models import Domain, Expert
from reviews import documents, eligibility, invitations, permissions
from reviews import draw as engine
from reviews import events as review_events
from reviews.models import Assignment, Draw, DrawChange, Plan, PlanVersion, Review, default_rules

MAX_DOCUMENT_BYTES = 30 * 1024 * 1024
DOCX_MAIN_PART = "word/document.xml"


@transaction.atomic
def create_plan(*, by, title, kind, submitted_by, domains=(), related_organizations=()):
    if not (title or "").strip():
        raise ValidationError({"title": [_("A plan needs a title.")]})
    if kind not in Plan.Kind.values:
        raise ValidationError({"kind": [_("Choose one of the plan kinds.")]})
    plan = Plan(title=title.strip(), kind=kind, submitted_by=submitted_by, created_by=by)
    plan._history_user = by
    plan._change_reason = "submitted"
    plan.save()
    plan.domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in domains]))
    plan.related_organizations.set(related_organizations)
    return plan


def check_document(name, data):
    """Accept a real .docx or .pdf only; raise ``ValidationError`` otherwise."""
    lower = name.lower()
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError(_("The document is larger than 30 MB."), code="too_large")
    if lower.endswith(".pdf"):
        if not data.startswith(b"%PDF-"):
            raise ValidationError(_("The file is named .pdf but is not a PDF document."), code="invalid")
        return
    if lower.endswith(".docx"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                if DOCX_MAIN_PART not in archive.namelist():
                    raise ValidationError(_("The file is named .docx but is not a Word document."), code="invalid")
                check_archive(archive)  # zip bombs, too many parts, paths leaving the archive
        except zipfile.BadZipFile:
            raise ValidationError(_("The file is named .docx but is not a Word document."), code="invalid") from None
        return
    raise ValidationError(_("Only .docx and .pdf documents can be uploaded."), code="type")


@transaction.atomic
def add_plan_version(plan, *, upload, by, drafters=()):
    """Store a new numbered version of a plan's document; earlier versions stay as they were.
    ``drafters``: experts of the roster who took part in drafting it (excluded from its reviews
    and those of later versions while the rule ``exclude_drafters`` holds)."""
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    check_document(upload.name, data)
    Plan.objects.select_for_update().filter(pk=plan.pk).first()  # serialise version numbering
    number = (plan.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = PlanVersion(
        plan=plan,
        number=number,
        original_name=safe_filename(upload.name, max_length=200),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=by,
    )
    extension = ".pdf" if upload.name.lower().endswith(".pdf") else ".docx"
    version.document.save(f"plan-{plan.pk}-v{number}{extension}", ContentFile(data), save=False)
    version.blocks, version.conversion_error = documents.convert(upload.name, data)
    version.save()
    if drafters:
        version.drafters.set(drafters)
    return version


# ---------------------------------------------------------------- reviews and their states


class DrawInfeasible(ValidationError):
    """The rules cannot be met: nothing was drawn. ``code`` names the rule."""


# Allowed moves, and who may make them by hand (API/admin) rather than as a step of a service.
TRANSITIONS = {
    Review.State.DRAFT: {Review.State.DRAWING, Review.State.ARCHIVED},
    Review.State.DRAWING: {Review.State.INVITING, Review.State.DRAFT},
    Review.State.INVITING: {Review.State.OPEN, Review.State.ARCHIVED},
    Review.State.OPEN: {Review.State.CLOSED},
    Review.State.CLOSED: {Review.State.CONSOLIDATED},
    Review.State.CONSOLIDATED: {Review.State.RESPONDED},
    Review.State.RESPONDED: {Review.State.ARCHIVED},
    Review.State.ARCHIVED: set(),
}
MANUAL_TARGETS = {Review.State.OPEN, Review.State.CLOSED, Review.State.ARCHIVED}


def _guard(review, to):
    if to == Review.State.OPEN:
        accepted = review.assignments.filter(state=Assignment.State.ACCEPTED).count()
        if accepted < review.panel_size:
            return _("The review opens once the whole panel has accepted ({accepted} of {size}).").format(
                accepted=accepted, size=review.panel_size
            )
    return ""


@transaction.atomic
def transition(review, to, *, by, reason=""):
    """The one way a review's state changes: checks the table and the guard, keeps history,
    tells the review's channel. Raises ``StateConflict`` when the move is not allowed."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    if to not in TRANSITIONS.get(locked.state, set()):
        raise StateConflict(
            _("A review in state “{state}” cannot move to “{to}”.").format(
                state=locked.get_state_display(), to=Review.State(to).label
            )
        )
    problem = _guard(locked, to)
    if problem:
        raise StateConflict(problem)
    before = locked.state
    locked.state = to
    _save(locked, by=by, reason=reason or f"{before} → {to}", update_fields=["state"])
    review.state = to
    review_events.emit_review_event(locked, "review.state_changed", state=to, previous=before)
    return locked


def transition_many(reviews, to, *, by, reason=""):
    """``transition`` for many reviews at once (a batch draw): the same table, one bulk update with
    history, one event per review. All or nothing: one refused move refuses them all."""
    reviews = list(reviews)
    states = dict(Review.objects.select_for_update().filter(pk__in=[r.pk for r in reviews]).values_list("pk", "state"))
    for review in reviews:
        if to not in TRANSITIONS.get(states[review.pk], set()) or _guard(review, to):
            raise StateConflict(_("Review {review} cannot move to “{to}”.").format(review=review, to=to))
    previous = {review.pk: states[review.pk] for review in reviews}
    for review in reviews:
        review.state = to
    bulk_update_with_history(reviews, Review, ["state"], default_user=by, default_change_reason=reason or to)
    review_events.emit_review_events(
        [(review, "review.state_changed", {"state": to, "previous": previous[review.pk]}) for review in reviews]
    )
    return reviews


def _save(instance, *, by, reason, **kwargs):
    instance._history_user = by
    instance._change_reason = reason[:100]
    instance.save(**kwargs)
    return instance


REVIEW_FIELDS = ("mode", "opens_at", "due_at", "meeting_at", "location", "panel_size", "blind", "reply_days")


def _check_review(review):
    errors = {}
    if review.opens_at and review.due_at and review.due_at <= review.opens_at:
        errors["due_at"] = [_("The due date must come after the opening.")]
    if review.mode == Review.Mode.MEETING and not review.meeting_at:
        errors["meeting_at"] = [_("A meeting needs a time.")]
    if review.mode == Review.Mode.MEETING and not review.location.strip():
        errors["location"] = [_("A meeting needs a place (or “online”).")]
    minimum = int((review.rules or {}).get("minimum_panel_size", 5))
    if review.panel_size < minimum or review.panel_size % 2 == 0:
        errors["panel_size"] = [_("The panel size must be odd and at least {minimum}.").format(minimum=minimum)]
    criteria = review.criteria or []
    if not isinstance(criteria, list) or not all(isinstance(c, dict) and c.get("key") for c in criteria):
        errors["criteria"] = [_("Each criterion needs a key.")]
    if errors:
        raise ValidationError(errors)


FLAG_RULES = ("one_per_organization", "each_category", "exclude_earlier_versions", "exclude_drafters")
NUMBER_RULES = {"load_cap_per_quarter": (1, 50), "alternates": (0, 100), "minimum_panel_size": (1, 99)}


def _rule_errors(rules):
    """What is wrong with the ``rules`` a review is scheduled with (API.md: an object of the named
    rules of ``default_rules``), so that a draw never meets a rule it cannot read."""
    if not isinstance(rules, dict):
        return [_("The rules must be an object of named rules.")]
    errors = []
    for name, value in rules.items():
        if name in FLAG_RULES:
            if not isinstance(value, bool):
                errors.append(_("The rule “{name}” must be true or false.").format(name=name))
        elif name in NUMBER_RULES:
            low, high = NUMBER_RULES[name]
            nullable = name == "load_cap_per_quarter"  # null: no cap
            if not (value is None and nullable) and not (
                isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
            ):
                errors.append(
                    _("The rule “{name}” must be a whole number from {low} to {high}.").format(
                        name=name, low=low, high=high
                    )
                )
        elif name == "government_share_max":
            if not (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(n, int) and not isinstance(n, bool) for n in value)
                and 0 <= value[0] <= value[1]
                and 1 <= value[1] <= 100
            ):
                errors.append(_("The government share must be two whole numbers (at most, out of), like [1, 3]."))
        else:
            errors.append(_("There is no rule “{name}”.").format(name=str(name)[:50]))
    return errors


@transaction.atomic
def create_review(plan, *, by, plan_version=None, required_domains=(), rules=None, criteria=None, **fields):
    """Schedule a review of ``plan`` (its latest version unless ``plan_version`` is given)."""
    version = plan_version or plan.versions.order_by("-number").first()
    if version is None or version.plan_id != plan.id:
        raise ValidationError({"plan": [_("The plan has no document to review yet.")]})
    if rules is not None and _rule_errors(rules):
        raise ValidationError({"rules": _rule_errors(rules)})
    review = Review(plan=plan, plan_version=version, created_by=by)
    for name in REVIEW_FIELDS:
        if name in fields and fields[name] is not None:
            setattr(review, name, fields[name])
    if rules:
        review.rules = {**review.rules, **rules}
    if criteria:
        review.criteria = criteria
    _check_review(review)
    _save(review, by=by, reason="scheduled")
    review.required_domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in required_domains]))
    if plan.state == Plan.State.SUBMITTED:
        plan.state = Plan.State.UNDER_REVIEW
        _save(plan, by=by, reason="review scheduled", update_fields=["state"])
    return review


@transaction.atomic
def update_review(review, *, by, required_domains=None, **fields):
    """Change a review's schedule. Only a draft may change its panel or rules; a meeting that
    moves gets a new calendar SEQUENCE and the panel is told."""
    locked = Review.objects.select_for_update().get(pk=review.pk)
    fixed = locked.state != Review.State.DRAFT
    if fixed and (required_domains is not None or "panel_size" in fields or "mode" in fields):
        raise StateConflict(_("The panel and the mode are fixed once the panel is drawn."))
    if locked.state in (Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED, Review.State.ARCHIVED):
        raise StateConflict(_("A closed review cannot be rescheduled."))
    calendar_before = (locked.meeting_at, locked.location)
    for name in REVIEW_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    _check_review(locked)
    moved = (locked.meeting_at, locked.location) != calendar_before
    if moved:
        locked.calendar_sequence += 1
    _save(locked, by=by, reason="rescheduled")
    if required_domains is not None:
        locked.required_domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in required_domains]))
    if moved and locked.mode == Review.Mode.MEETING:
        for assignment in locked.assignments.filter(state__in=Assignment.ACTIVE_STATES).select_related("expert"):
            invitations.send_calendar_update(assignment)
    return locked


@transaction.atomic
def set_chair(review, expert, *, by):
    if not review.assignments.filter(expert=expert, state=Assignment.State.ACCEPTED).exists():
        raise ValidationError({"chair": [_("The chair is named from the experts who accepted.")]})
    review.chair = expert
    _save(review, by=by, reason="chair named", update_fields=["chair"])
    return review


# ---------------------------------------------------------------- draws


def draw_rules(review, facts):
    return {
        **default_rules(),
        **(review.rules or {}),
        "panel_size": review.panel_size,
        "quarter": facts.quarter,
    }


def _names(ids):
    return dict(Expert.objects.filter(id__in=ids).values_list("id", "name"))


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


def _clean_seed(seed):
    seed = (seed or "").strip()
    if len(seed) > 200:
        raise ValidationError({"seed": [_("The seed is at most 200 characters.")]})
    if seed:
        return seed, Draw.SeedSource.WITNESSED
    return secrets.token_hex(16), Draw.SeedSource.SYSTEM


def draw_for_review(review, *, by, seed=None):
    """Draw ``review``'s panel, invite it and return the ``Draw``.

    Raises ``DrawInfeasible`` (nothing drawn) when the rules cannot be met, ``StateConflict`` when
    the review is not a draft or another draw won the race (the unique review on ``Draw``)."""
    seed, source = _clean_seed(seed)
    try:
        with transaction.atomic():
            locked = _lock_for_draw(review)
            facts = eligibility.review_facts([locked])[locked.pk]
            roster = eligibility.load_roster(exclude_reviews=[locked.pk])
            rules = draw_rules(locked, facts)
            pool, excluded = eligibility.split_pool(roster, facts, rules)
            outcome = engine.draw_panel(pool, seed=seed, review_id=locked.pk, rules=rules)
            if not outcome.ok:
                raise DrawInfeasible(outcome.problem, code=outcome.problem_code)
            transition(locked, Review.State.DRAWING, by=by, reason="drawing")
            draw = _record_draw(
                locked,
                by=by,
                seed=seed,
                source=source,
                rules={**rules, "categories": outcome.categories},
                pool=pool,
                excluded=excluded,
                outcome=outcome,
                method=outcome.method,
                algorithm=engine.ALGORITHM,
            )
            _invite_panel(locked, draw, outcome.selected, by=by)
            transition(locked, Review.State.INVITING, by=by, reason="panel drawn")
            audit.record(audit.DRAW, actor=by, obj=locked, outcome=audit.SUCCESS, draw=draw.pk, seed_source=source)
    except IntegrityError:
        raise StateConflict(_("This review's panel has already been drawn."))
    review.refresh_from_db()
    return draw


def _record_draw(review, *, by, seed, source, rules, pool, excluded, outcome, method, algorithm, batch=""):
    draw = Draw(
        review=review,
        seed=seed,
        seed_source=source,
        rules=rules,
        algorithm=algorithm,
        method=method,
        solver=engine.solver_version(),
        pool=pool,
        pool_hash=engine.pool_hash(pool),
        excluded=excluded,
        selected=outcome.selected,
        alternates=outcome.alternates,
        batch=batch,
        drawn_by=by,
    )
    with transaction.atomic():  # a savepoint: the losing side of a race gets IntegrityError here
        return _save(draw, by=by, reason=f"drawn ({method})")


def _invite_panel(review, draw, expert_ids, *, by):
    experts = Expert.objects.select_related("user").in_bulk(expert_ids)
    for expert_id in expert_ids:
        _invite(review, experts[expert_id], draw=draw, by=by)


def _invite(review, expert, *, draw, by):
    now = timezone.now()
    assignment = Assignment(
        review=review,
        expert=expert,
        draw=draw,
        invited_at=now,
        reply_by=now + timedelta(days=review.reply_days),
    )
    _save(assignment, by=by, reason="invited")
    invitations.send_invitation(assignment)
    review_events.emit_review_event(review, "assignment.changed", assignment=assignment.pk, state=assignment.state)
    return assignment


def _invite_many(reviews, draws, *, by):
    """Invite every drawn panel of a batch: bulk inserts with history, one event per assignment."""
    now = timezone.now()
    experts = Expert.objects.select_related("user").in_bulk([i for d in draws for i in d.selected])
    assignments = [
        Assignment(review=review, expert=experts[expert_id], draw=draw, invited_at=now,
                   reply_by=now + timedelta(days=review.reply_days))
        for review, draw in zip(reviews, draws, strict=True)
        for expert_id in draw.selected
    ]  # fmt: skip
    assignments = bulk_create_with_history(assignments, Assignment, default_user=by, default_change_reason="invited")
    if not all(a.pk for a in assignments):
        by_key = {
            (a.review_id, a.expert_id): a
            for a in Assignment.objects.filter(review__in=reviews).select_related("review__plan", "expert__user")
        }
        assignments = [by_key[(a.review_id, a.expert_id)] for a in assignments]
    invitations.send_invitations(assignments)
    review_events.emit_review_events(
        [(a.review, "assignment.changed", {"assignment": a.pk, "state": a.state}) for a in assignments]
    )
    return assignments


def verify_draw(draw):
    """Replay ``draw`` from its record alone: ``(verified, detail)``."""
    if engine.pool_hash(draw.pool) != draw.pool_hash:
        return False, _("The stored pool does not match its SHA-256 hash.")
    excluded_ids = {i for ids in (draw.excluded or {}).values() for i in ids}
    pool_ids = {row[0] for row in draw.pool}
    if excluded_ids & pool_ids:
        return False, _("An excluded expert appears in the eligible pool.")
    if draw.method == "batch":
        members = list(Draw.objects.filter(batch=draw.batch).order_by("review_id"))
        problems = [
            {"review": d.review_id, "pool": d.pool, "rules": d.rules, "quarter": d.rules.get("quarter", "")}
            for d in members
        ]
        if any(engine.pool_hash(d.pool) != d.pool_hash for d in members):
            return False, _("A stored pool of the batch does not match its SHA-256 hash.")
        try:
            outcomes, _stats = engine.batch_draw(
                problems, seed=draw.seed, algorithm=draw.algorithm, widths=draw.rules.get("batch_widths")
            )
        except (engine.BatchUnsolved, ValueError) as error:
            return False, str(error)
        outcome = outcomes[draw.review_id]
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


def batch_draw_reviews(reviews, *, by, seed=None, invite=True):
    """Draw panels for many draft reviews at once (an annual session) with one integer program,
    so that no expert exceeds their load cap. All or nothing: if one review cannot be drawn, none
    is, and ``DrawInfeasible`` says which and why. Returns ``(draws, stats)`` (timings included)."""
    seed, source = _clean_seed(seed)
    stats = {}
    started, cpu_started = time.perf_counter(), time.process_time()
    with _without_cyclic_gc(), transaction.atomic():
        locked = _lock_many_for_draw(reviews)
        review_ids = [r.pk for r in locked]
        facts = eligibility.review_facts(locked)
        splitter = eligibility.PoolSplitter(eligibility.load_roster(exclude_reviews=review_ids))
        problems, records = [], {}
        for review in locked:
            rules = draw_rules(review, facts[review.pk])
            pool, excluded, columns = splitter.split_columns(facts[review.pk], rules)
            code, problem = engine.explain(pool, rules)
            if problem:
                raise DrawInfeasible(_("{review}: {problem}").format(review=review, problem=problem), code=code)
            problems.append(
                {"review": review.pk, "pool": pool, "columns": columns, "rules": rules, "quarter": rules["quarter"]}
            )
            records[review.pk] = (rules, pool, excluded)
        stats["eligibility_s"] = time.perf_counter() - started
        stats["eligibility_cpu_s"] = time.process_time() - cpu_started
        solve_started, solve_cpu = time.perf_counter(), time.process_time()
        try:
            outcomes, solve_stats = engine.batch_draw(problems, seed=seed)
        except engine.BatchUnsolved as error:
            raise DrawInfeasible(str(error), code=error.code) from None
        stats.update(solve_stats)
        stats["solve_s"] = time.perf_counter() - solve_started
        stats["solve_cpu_s"] = time.process_time() - solve_cpu
        widths = list(engine.BATCH_WIDTHS)  # recorded: the replay prunes the same way
        short = [review for review in locked if not outcomes[review.pk].ok]
        if short:
            raise DrawInfeasible(
                _("No full assignment exists: {count} reviews would be short, the first {review}.").format(
                    count=len(short), review=short[0]
                ),
                code="batch_short",
            )
        write_started, write_cpu = time.perf_counter(), time.process_time()
        batch = f"batch-{uuid.uuid4().hex[:12]}"
        transition_many(locked, Review.State.DRAWING, by=by, reason="batch drawing")
        draws = [
            Draw(
                review=review, seed=seed, seed_source=source,
                rules={**records[review.pk][0], "categories": outcomes[review.pk].categories, "batch_widths": widths},
                algorithm=engine.BATCH_ALGORITHM, method="batch", solver=engine.solver_version(),
                pool=records[review.pk][1], pool_hash=engine.pool_hash(records[review.pk][1]),
                excluded=records[review.pk][2], selected=outcomes[review.pk].selected,
                alternates=outcomes[review.pk].alternates, batch=batch, drawn_by=by,
            )
            for review in locked
        ]  # fmt: skip
        draws = bulk_create_with_history(draws, Draw, default_user=by, default_change_reason="drawn (batch)")
        if not all(d.pk for d in draws):
            draws = list(Draw.objects.filter(batch=batch).order_by("review_id"))
        if invite:
            _invite_many(locked, draws, by=by)
        transition_many(locked, Review.State.INVITING, by=by, reason="panel drawn in a batch")
        for review, draw in zip(locked, draws, strict=True):
            audit.record(audit.DRAW, actor=by, obj=review, outcome=audit.SUCCESS, draw=draw.pk, batch=batch)
    stats["write_s"] = time.perf_counter() - write_started  # with the commit and what runs after it
    stats["write_cpu_s"] = time.process_time() - write_cpu
    stats["total_s"] = time.perf_counter() - started
    stats["total_cpu_s"] = time.process_time() - cpu_started
    return draws, stats


def exclusions_by_rule(draw):
    """``[(reason code, label, [(expert id, name)])]`` in the order rules are checked."""
    ids = [i for ids in (draw.excluded or {}).values() for i in ids]
    names = _names(ids)
    return [
        (code, label, [(i, names.get(i, "?")) for i in draw.excluded[code]])
        for code, label in eligibility.REASONS.items()
        if draw.excluded.get(code)
    ]


# ---------------------------------------------------------------- assignments

NO_CONFLICT_TEXT = gettext_lazy(
    "I declare that I have no interest in the plan under review, its submitting organisation or the "
    "organisations it names, and that I will tell the secretariat at once should one arise."
)
CONFIDENTIALITY_TEXT = gettext_lazy(
    "I undertake to keep the plan documents and the panel's deliberations confidential, to use them "
    "only for this review, and not to copy or pass them on."
)


def declaration_texts():
    """The texts an expert agrees to, in the language of the request (kept with the assignment)."""
    return {"no_conflict": str(NO_CONFLICT_TEXT), "confidentiality": str(CONFIDENTIALITY_TEXT)}


def _lock_assignment(assignment):
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to the user.
    locked = Assignment.objects.select_for_update(of=("self",)).select_related("review__plan", "expert__user")
    return locked.get(pk=assignment.pk)


def _changed(assignment):
    review_events.emit_review_event(
        assignment.review, "assignment.changed", assignment=assignment.pk, state=assignment.state
    )


@transaction.atomic
def accept_assignment(assignment, *, by, no_conflict, confidentiality):
    """Accept an invitation with both declarations; grants reading the review and its plan."""
    locked = _lock_assignment(assignment)
    errors = {}
    if no_conflict is not True:
        errors["no_conflict"] = [_("Declare that you have no conflict of interest to accept.")]
    if confidentiality is not True:
        errors["confidentiality"] = [_("Accept the confidentiality undertaking to accept.")]
    if errors:
        raise ValidationError(errors)
    if locked.state != Assignment.State.INVITED or locked.review.state not in (
        Review.State.INVITING,
        Review.State.OPEN,
    ):
        raise StateConflict(_("This invitation can no longer be accepted."))
    texts = declaration_texts()
    locked.state = Assignment.State.ACCEPTED
    locked.responded_at = timezone.now()
    locked.no_conflict_text = texts["no_conflict"]
    locked.confidentiality_text = texts["confidentiality"]
    _save(locked, by=by, reason="accepted with declarations")
    permissions.grant_review_access(locked)
    from consultations.opinions.services import ensure_opinion  # consultations imports this module

    ensure_opinion(locked)  # the empty draft opinion, version 0 (issue 5)
    _changed(locked)
    return locked


@transaction.atomic
def decline_assignment(assignment, *, by, reason):
    """Decline with a reason; the next alternate is invited under the same rules."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why you decline.")]})
    locked = _lock_assignment(assignment)
    if locked.state not in (Assignment.State.INVITED, Assignment.State.ACCEPTED) or locked.review.state not in (
        Review.State.INVITING,
        Review.State.OPEN,
    ):
        raise StateConflict(_("This invitation can no longer be declined."))
    return _end(locked, state=Assignment.State.DECLINED, kind=DrawChange.Kind.DECLINED, reason=reason, by=by)


@transaction.atomic
def withdraw_assignment(assignment, *, by, reason):
    """An accepted expert steps down (told to the secretariat); the next alternate is invited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason.")]})
    locked = _lock_assignment(assignment)
    if locked.state != Assignment.State.ACCEPTED or locked.review.state not in (
        Review.State.INVITING,
        Review.State.OPEN,
    ):
        raise StateConflict(_("Only an expert on an active panel can withdraw."))
    return _end(locked, state=Assignment.State.WITHDRAWN, kind=DrawChange.Kind.WITHDRAWN, reason=reason, by=by)


@transaction.atomic
def replace_assignment(assignment, *, by, reason, expert=None):
    """The secretariat replaces an expert by hand: by ``expert`` (who must be eligible now) or
    by the next alternate. Recorded in the draw's history."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Give a reason for the replacement.")]})
    locked = _lock_assignment(assignment)
    if locked.state not in Assignment.ACTIVE_STATES or locked.review.state not in (
        Review.State.INVITING,
        Review.State.OPEN,
    ):
        raise StateConflict(_("Only an expert on an active panel can be replaced."))
    if expert is not None:
        problem = _ineligibility(locked.review, expert)
        if problem:
            raise ValidationError({"expert": [problem]})
    audit.record(audit.ASSIGNMENT_REPLACE, actor=by, obj=locked, outcome=audit.SUCCESS, reason=reason)
    return _end(
        locked, state=Assignment.State.REPLACED, kind=DrawChange.Kind.REPLACED, reason=reason, by=by, incoming=expert
    )


def _ineligibility(review, expert):
    if review.assignments.filter(expert=expert).exists():
        return _("This expert has already been on this review's panel.")
    facts = eligibility.review_facts([review])[review.pk]
    candidate = next(c for c in eligibility.load_roster(exclude_reviews=[review.pk]) if c.id == expert.pk)
    rules = draw_rules(review, facts)
    code = eligibility.exclusion_reason(candidate, facts, rules)
    return str(eligibility.REASONS[code]) if code else ""


def _end(assignment, *, state, kind, reason, by, incoming=None):
    review = assignment.review
    assignment.state = state
    assignment.responded_at = assignment.responded_at or timezone.now()
    if state == Assignment.State.DECLINED:
        assignment.decline_reason = reason[:500]
    else:
        assignment.end_reason = reason[:500]
    _save(assignment, by=by, reason=kind)
    permissions.revoke_review_access(assignment)
    _changed(assignment)
    if incoming is None:
        incoming = _next_alternate(review)
    draw = assignment.draw or getattr(review, "draw", None)
    if draw is not None:
        DrawChange.objects.create(
            draw=draw,
            kind=kind if incoming is not None else DrawChange.Kind.EXHAUSTED,
            expert_out=assignment.expert,
            expert_in=incoming,
            reason=reason[:500],
            by=by,
        )
    if incoming is not None:
        _invite(review, incoming, draw=draw, by=by)
    return assignment


def _next_alternate(review):
    """The first ranked alternate still eligible who keeps the panel within the rules."""
    draw = Draw.objects.filter(review=review).first()
    if draw is None:
        return None
    on_review = set(review.assignments.values_list("expert_id", flat=True))
    panel = set(review.assignments.filter(state__in=Assignment.ACTIVE_STATES).values_list("expert_id", flat=True))
    facts = eligibility.review_facts([review])[review.pk]
    roster = {c.id: c for c in eligibility.load_roster(exclude_reviews=[review.pk])}
    ineligible = {
        i for i in draw.alternates if i not in roster or eligibility.exclusion_reason(roster[i], facts, draw.rules)
    }
    expert_id = engine.next_alternate(
        draw.pool, draw.alternates, panel_ids=panel, unavailable_ids=(on_review | ineligible), rules=draw.rules
    )
    return Expert.objects.select_related("user").get(pk=expert_id) if expert_id else None


def chase_unanswered(*, now=None):
    """Invitations past their reply date: a reminder and one more day, then the next alternate.
    Returns ``(reminded, expired)`` counts. Run by the periodic task."""
    now = now or timezone.now()
    reminded = expired = 0
    overdue = Assignment.objects.filter(state=Assignment.State.INVITED, reply_by__lte=now).select_related(
        "review", "expert__user"
    )
    for assignment in overdue:
        with transaction.atomic():
            locked = _lock_assignment(assignment)
            if locked.state != Assignment.State.INVITED or locked.reply_by > now:
                continue
            if locked.reminded_at is None:
                locked.reminded_at = now
                locked.reply_by = now + timedelta(days=1)
                _save(locked, by=None, reason="reply reminder")
                invitations.send_reply_reminder(locked)
                reminded += 1
            else:
                _end(
                    locked,
                    state=Assignment.State.EXPIRED,
                    kind=DrawChange.Kind.NO_ANSWER,
                    reason=str(_("No answer by the reply date.")),
                    by=None,
                )
                expired += 1
    return reminded, expired


def _has_submitted(assignment):
    """Whether the expert has submitted their opinion (opinions arrive with issue 5)."""
    try:
        opinion_model = apps.get_model("consultations", "Opinion")
    except LookupError:
        return False
    names = {f.name for f in opinion_model._meta.get_fields()}
    if not {"review", "expert", "submitted_at"} <= names:
        return False
    return opinion_model.objects.filter(
        review_id=assignment.review_id, expert_id=assignment.expert_id, submitted_at__isnull=False
    ).exists()


def send_due_reminders(*, now=None):
    """Remind accepted experts who have not submitted, ``DUE_REMINDER_DAYS`` days before the due
    date (three and one by default); each reminder once. Returns how many were sent."""
    now = now or timezone.now()
    days_list = sorted(getattr(settings, "REVIEW_DUE_REMINDER_DAYS", (3, 1)), reverse=True)
    horizon = now + timedelta(days=max(days_list))
    sent = 0
    candidates = Assignment.objects.filter(
        state=Assignment.State.ACCEPTED,
        review__state=Review.State.OPEN,
        review__due_at__gt=now,
        review__due_at__lte=horizon,
    ).select_related("review__plan", "expert__user")
    for assignment in candidates:
        left = assignment.review.due_at - now
        due = [d for d in days_list if left <= timedelta(days=d) and d not in assignment.due_reminders]
        if not due or _has_submitted(assignment):
            continue
        with transaction.atomic():
            assignment.due_reminders = sorted({*assignment.due_reminders, *due}, reverse=True)
            _save(assignment, by=None, reason="due reminder", update_fields=["due_reminders"])
            invitations.send_due_reminder(assignment, days=min(due))
        sent += 1
    return sent
