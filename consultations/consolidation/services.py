"""The consolidated opinion of a review: what the sealed opinions add up to, and the panel's group
opinion (专家组意见) that the chair drafts with the secretariat and every panel member confirms.

The numbers are computed from the sealed (submitted) opinions each time they are read, so they
always match a recomputation; only the group opinion is stored (``Consolidation``).

Agreement, over the sealed opinions that do not abstain:
- ``unanimous``: every one has the same conclusion;
- ``conflicting``: some agree (with or without revisions) and some disagree;
- ``mixed``: anything else (agree and agree after revision side by side, no disagreement);
- ``""`` when there is no sealed opinion with a conclusion other than abstain.

Dissent: an opinion on the other side of the majority is a dissenting opinion and is always
shown in full: a disagreement where most agree (with or without revisions), an agreement where
most disagree (ties: the favourable side counts as the majority).

Per criterion: count, mean, median, minimum, maximum and the sample standard deviation
(``statistics.stdev``; 0.0 for a single score, ``None`` with no score).
"""

import hashlib
import json
import statistics
from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from consultations.consolidation.models import Confirmation, Consolidation
from consultations.opinions.canonical import normalise_text
from consultations.opinions.models import Comment, Opinion, Point
from core.errors import StateConflict
from experts import roles
from reviews import events as review_events
from reviews import permissions
from reviews.models import Assignment, Review

CONCLUSIONS = [c for c in Opinion.Conclusion.values]
FAVOURABLE = ("agree", "agree_with_revisions")
MAX_GROUP_OPINION = 50000
WORKING_STATES = (Review.State.CLOSED, Review.State.CONSOLIDATED)


class StaleConsolidation(Exception):
    """The write was based on an older version: 409 with ``consolidation`` (the current one)."""

    def __init__(self, consolidation):
        super().__init__(f"stale: current version is {consolidation.version}")
        self.consolidation = consolidation


# ---------------------------------------------------------------- who may


def can_view(user, review):
    """Once the review is closed: the secretariat, the commission, the panel, and the staff of the
    department whose plan it is. Callers first narrow to ``reviews_visible_to(user)``."""
    if not user.is_authenticated or review.state not in permissions.CLOSED_STATES:
        return False
    if permissions.sees_every_review(user):
        return True
    own = permissions.staff_organization_id(user)
    if own is not None and own == review.plan.submitted_by_id:
        return True
    return permissions.is_panel_member(user, review)


def can_edit(user, review):
    """The chair drafts the group opinion with the secretariat."""
    return permissions.can_move_marker(user, review)


def can_confirm(user, review):
    return bool(panel_expert(user, review))


def sees_names(user, consolidation):
    """The department whose plan it is reads letters where the consolidation is blind to it."""
    if not consolidation.blind_to_department:
        return True
    if permissions.sees_every_review(user) or permissions.is_panel_member(user, consolidation.review):
        return True
    return not roles.has_role(user, roles.DEPARTMENT)


def panel_expert(user, review):
    if not user.is_authenticated:
        return None
    assignment = (
        Assignment.objects.filter(review=review, expert__user=user, state=Assignment.State.ACCEPTED)
        .select_related("expert")
        .first()
    )
    return assignment.expert if assignment else None


# ---------------------------------------------------------------- reading


def ensure_consolidation(review):
    consolidation, _created = Consolidation.objects.get_or_create(review=review)
    consolidation.review = review
    return consolidation


def sealed_opinions(review):
    from django.db.models import Prefetch

    return list(
        Opinion.objects.filter(review=review, submitted_at__isnull=False)
        .select_related("expert", "assignment")
        .prefetch_related(
            Prefetch(
                "points",
                queryset=Point.objects.filter(removed=False).select_related("response").order_by("position", "id"),
                to_attr="live",
            )
        )
        .order_by("assignment_id")
    )


def letters_for(review):
    """A stable letter per accepted assignment (in the order they were made): A, B, C ..."""
    ids = (
        Assignment.objects.filter(review=review)
        .filter(state__in=[Assignment.State.ACCEPTED, Assignment.State.REPLACED, Assignment.State.WITHDRAWN])
        .order_by("id")
        .values_list("id", flat=True)
    )
    return {assignment_id: _letter(index) for index, assignment_id in enumerate(ids)}


def _letter(index):
    label = chr(ord("A") + index % 26) + (str(index // 26) if index >= 26 else "")
    return _("Expert %(letter)s") % {"letter": label}


def tallies(opinions):
    counts = Counter(o.conclusion for o in opinions if o.conclusion)
    return {conclusion: counts.get(conclusion, 0) for conclusion in CONCLUSIONS}


def score_statistics(review, opinions):
    result = {}
    for criterion in review.criteria or []:
        key = criterion.get("key")
        if not key:
            continue
        values = [o.scores[key] for o in opinions if isinstance((o.scores or {}).get(key), int)]
        result[key] = {
            "label": criterion.get("label") or key,
            "scale": int(criterion.get("max") or 100),
            "values": values,
            "count": len(values),
            "mean": statistics.fmean(values) if values else None,
            "median": statistics.median(values) if values else None,
            "min": min(values) if values else None,
            "max": max(values) if values else None,
            "stdev": (statistics.stdev(values) if len(values) > 1 else 0.0) if values else None,
        }
    return result


def agreement(counts):
    voting = {c for c, n in counts.items() if n and c != Opinion.Conclusion.ABSTAIN}
    if not voting:
        return ""
    if len(voting) == 1:
        return "unanimous"
    if Opinion.Conclusion.DISAGREE in voting and voting & set(FAVOURABLE):
        return "conflicting"
    return "mixed"


def _side(conclusion):
    if conclusion in FAVOURABLE:
        return "for"
    return "against" if conclusion == Opinion.Conclusion.DISAGREE else ""


def majority_side(counts):
    favourable = sum(counts.get(c, 0) for c in FAVOURABLE)
    against = counts.get(Opinion.Conclusion.DISAGREE, 0)
    if not favourable and not against:
        return ""
    return "for" if favourable >= against else "against"


def section_titles(review):
    """``{section: short text}`` from the plan version's converted blocks."""
    titles = {}
    for block in review.plan_version.blocks or []:
        section = block.get("section")
        if section and section not in titles:
            titles[section] = strip_tags(block.get("html") or "")[:60]
    return titles


def consolidate(review, *, user=None, names=None):
    """Everything the reading view, the API and the documents show, as plain data. Authors are
    named unless ``user`` may not see names here (or ``names`` is False)."""
    consolidation = ensure_consolidation(review)
    opinions = sealed_opinions(review)
    letters = letters_for(review)
    if names is None:
        names = user is None or sees_names(user, consolidation)
    counts = tallies(opinions)
    main = {"for": "agree", "against": "disagree"}.get(majority_side(counts), "")
    titles = section_titles(review)
    order = {section: index for index, section in enumerate(titles)}
    points = []
    for opinion in opinions:
        author = opinion.expert.name if names else letters.get(opinion.assignment_id, "")
        opinion.author = author
        opinion.letter = letters.get(opinion.assignment_id, "")
        for point in opinion.live:
            response = getattr(point, "response", None)
            points.append(
                {
                    "id": point.id,
                    "section": point.section,
                    "section_title": titles.get(point.section, ""),
                    "text": point.text,
                    "author": author,
                    "expert": opinion.expert_id,
                    "response": _response_data(response),
                }
            )
    points.sort(key=lambda p: (p["section"] == "", order.get(p["section"], len(order)), p["id"]))
    groups = []
    for point in points:
        if not groups or groups[-1]["section"] != point["section"]:
            groups.append({"section": point["section"], "title": point["section_title"], "points": []})
        groups[-1]["points"].append(point)
    confirmations = list(
        consolidation.confirmations.filter(version=consolidation.version).select_related("expert").order_by("at")
    )
    return {
        "review": review,
        "consolidation": consolidation,
        "opinions": opinions,
        "tallies": counts,
        "scores": score_statistics(review, opinions),
        "agreement": agreement(counts),
        "majority": majority_side(counts),
        "points": points,
        "groups": groups,
        "dissent": [o for o in opinions if main and o.conclusion and _side(o.conclusion) not in ("", _side(main))],
        "dissent_comments": list(
            Comment.objects.filter(review=review, dissent=True).select_related("expert").order_by("created_at")
        ),
        "panel": panel_with_confirmations(review, consolidation, confirmations, letters, names),
        "names": names,
    }


def _response_data(response):
    if response is None:
        return None
    return {"status": response.status, "reason": response.reason, "at": response.at.isoformat()}


def panel_with_confirmations(review, consolidation, confirmations, letters, names):
    confirmed = {c.expert_id: c for c in confirmations}
    panel = (
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED)
        .select_related("expert")
        .order_by("id")
    )
    return [
        {
            "expert": a.expert_id,
            "name": a.expert.name if names else letters.get(a.id, ""),
            "title": a.expert.title if names else "",
            "chair": a.expert_id == review.chair_id,
            "confirmation": confirmed.get(a.expert_id),
        }
        for a in panel
    ]


# ---------------------------------------------------------------- the group opinion


def text_digest(review_id, version, text):
    canonical = json.dumps(
        {"review": review_id, "version": version, "group_opinion": text}, ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _locked(review):
    ensure_consolidation(review)
    return Consolidation.objects.select_for_update().select_related("review").get(review=review)


def _working(review):
    if review.state not in WORKING_STATES or has_package(review):
        raise StateConflict(_("The group opinion is written after the review closes and before the package is final."))


def has_package(review):
    from consultations.responses.models import ResponsePackage

    return ResponsePackage.objects.filter(review=review).exists()


@transaction.atomic
def save_group_opinion(review, *, by, text, expected_version, reason=""):
    """Save the group opinion over ``expected_version`` or raise ``StaleConsolidation``.

    Once sealed, a change is a new version that needs ``reason``; the confirmations start again."""
    _working(review)
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationError({"version": [_("Send the version you started from (If-Match).")]})
    text = normalise_text(text)
    reason = normalise_text(reason)[:500]
    if len(text) > MAX_GROUP_OPINION:
        raise ValidationError(
            {"group_opinion": [_("The group opinion is at most {n} characters.").format(n=MAX_GROUP_OPINION)]}
        )
    consolidation = _locked(review)
    if consolidation.version != expected_version:
        raise StaleConsolidation(consolidation)
    if consolidation.sealed_at and not reason:
        raise ValidationError({"reason": [_("The group opinion is sealed: a change needs a reason.")]})
    consolidation.version += 1
    consolidation.group_opinion = text
    consolidation.saved_at, consolidation.saved_by = timezone.now(), by
    consolidation.change_reason = reason
    consolidation.digest = text_digest(review.pk, consolidation.version, text)
    consolidation.sealed_at = None
    consolidation._history_user = by
    consolidation._change_reason = reason or "saved"
    consolidation.save()
    review_events.emit_review_event(
        review, "consolidation.saved", version=consolidation.version, sealed=False, confirmed=0
    )
    return consolidation


@transaction.atomic
def confirm_group_opinion(review, *, by, version):
    """A panel member confirms ``version``; when all have, the text is sealed and the review
    becomes consolidated. Raises ``StaleConsolidation`` when the text changed meanwhile."""
    from reviews.services import transition

    _working(review)
    expert = panel_expert(by, review)
    if expert is None:
        raise StateConflict(_("Only a panel member confirms the group opinion."))
    consolidation = _locked(review)
    if consolidation.version != version:
        raise StaleConsolidation(consolidation)
    if not consolidation.group_opinion:
        raise StateConflict(_("There is no group opinion to confirm yet."))
    Confirmation.objects.get_or_create(
        consolidation=consolidation, expert=expert, version=version, defaults={"digest": consolidation.digest}
    )
    confirmed = sorted(consolidation.confirmations.filter(version=version).values_list("expert_id", flat=True))
    panel = set(
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED).values_list("expert_id", flat=True)
    )
    if panel <= set(confirmed) and not consolidation.sealed_at:
        consolidation.sealed_at = timezone.now()
        consolidation._history_user = by
        consolidation._change_reason = "sealed"
        consolidation.save()
        if review.state == Review.State.CLOSED:
            transition(review, Review.State.CONSOLIDATED, by=by, reason="group opinion confirmed")
    review_events.emit_review_event(
        review,
        "consolidation.saved",
        version=consolidation.version,
        sealed=bool(consolidation.sealed_at),
        confirmed=len(confirmed),  # a count: the department in the group may not learn who
    )
    return consolidation
