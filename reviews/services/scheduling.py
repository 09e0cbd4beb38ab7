"""Writes for reviews before and around their panel: scheduling, rescheduling, naming the chair.
The state machine is ``reviews.states``; the draw is ``reviews.draw.services``."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import moments
from core.errors import StateConflict
from experts.models import Domain
from reviews import invitations
from reviews.history import save_with_history
from reviews.models import Assignment, Plan, Review
from reviews.rules import can_manage_review, require

REVIEW_FIELDS = ("mode", "opens_at", "due_at", "meeting_at", "location", "panel_size", "blind", "reply_days")
FLAG_RULES = ("one_per_organization", "each_category", "exclude_earlier_versions", "exclude_drafters")
NUMBER_RULES = {"load_cap_per_quarter": (1, 50), "alternates": (0, 100), "minimum_panel_size": (1, 99)}
FIXED_AFTER_DRAW = (Review.State.CLOSED, Review.State.CONSOLIDATED, Review.State.RESPONDED, Review.State.ARCHIVED)


def _check_manager(by):
    require(can_manage_review, by, message=_("Only the secretariat changes a review."))


def _check_review(review):
    errors = {}
    moments.check_writable(review, ("opens_at", "due_at", "meeting_at"), errors)
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


def _is_whole(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _rule_error(name, value):
    """What is wrong with one named rule's ``value``, or ``""``."""
    if name in FLAG_RULES:
        return "" if isinstance(value, bool) else _("The rule “{name}” must be true or false.").format(name=name)
    if name in NUMBER_RULES:
        low, high = NUMBER_RULES[name]
        nullable = name == "load_cap_per_quarter"  # null: no cap
        if (value is None and nullable) or (_is_whole(value) and low <= value <= high):
            return ""
        return _("The rule “{name}” must be a whole number from {low} to {high}.").format(name=name, low=low, high=high)
    if name == "government_share_max":
        if isinstance(value, list) and len(value) == 2 and all(_is_whole(n) for n in value):
            if 0 <= value[0] <= value[1] and 1 <= value[1] <= 100:
                return ""
        return _("The government share must be two whole numbers (at most, out of), like [1, 3].")
    return _("There is no rule “{name}”.").format(name=str(name)[:50])


def _rule_errors(rules):
    """What is wrong with the ``rules`` a review is scheduled with (API.md: an object of the named
    rules of ``default_rules``), so that a draw never meets a rule it cannot read."""
    if not isinstance(rules, dict):
        return [_("The rules must be an object of named rules.")]
    return [error for error in (_rule_error(name, value) for name, value in rules.items()) if error]


@transaction.atomic
def create_review(plan, *, by, plan_version=None, required_domains=(), rules=None, criteria=None, **fields):
    """Schedule a review of ``plan`` (its latest version unless ``plan_version`` is given)."""
    _check_scheduler(by)
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
    save_with_history(review, by=by, reason="scheduled")
    review.required_domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in required_domains]))
    if plan.state == Plan.State.SUBMITTED:
        plan.state = Plan.State.UNDER_REVIEW
        save_with_history(plan, by=by, reason="review scheduled", update_fields=["state"])
    return review


def _check_scheduler(by):
    require(can_manage_review, by, message=_("Only the secretariat schedules reviews."))


@transaction.atomic
def update_review(review, *, by, required_domains=None, **fields):
    """Change a review's schedule. Only a draft may change its panel or rules; a meeting that
    moves gets a new calendar SEQUENCE and the panel is told."""
    _check_manager(by)
    locked = Review.objects.select_for_update().get(pk=review.pk)
    fixed = locked.state != Review.State.DRAFT
    if fixed and (required_domains is not None or "panel_size" in fields or "mode" in fields):
        raise StateConflict(_("The panel and the mode are fixed once the panel is drawn."))
    if locked.state in FIXED_AFTER_DRAW:
        raise StateConflict(_("A closed review cannot be rescheduled."))
    calendar_before = (locked.meeting_at, locked.location)
    for name in REVIEW_FIELDS:
        if name in fields:
            setattr(locked, name, fields[name])
    _check_review(locked)
    moved = (locked.meeting_at, locked.location) != calendar_before
    if moved:
        locked.calendar_sequence += 1
    save_with_history(locked, by=by, reason="rescheduled")
    if required_domains is not None:
        locked.required_domains.set(Domain.objects.filter(code__in=[getattr(d, "code", d) for d in required_domains]))
    if moved and locked.mode == Review.Mode.MEETING:
        for assignment in locked.assignments.filter(state__in=Assignment.ACTIVE_STATES).select_related("expert"):
            invitations.send_calendar_update(assignment)
    return locked


@transaction.atomic
def set_chair(review, expert, *, by):
    """Name the panel's chair, from the experts who accepted."""
    _check_manager(by)
    if not review.assignments.filter(expert=expert, state=Assignment.State.ACCEPTED).exists():
        raise ValidationError({"chair": [_("The chair is named from the experts who accepted.")]})
    review.chair = expert
    save_with_history(review, by=by, reason="chair named", update_fields=["chair"])
    return review
