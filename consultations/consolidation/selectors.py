"""What the sealed opinions of a review add up to, read each time (never stored twice), so the
numbers always match a recomputation; only the group opinion is stored (``Consolidation``).
Also the workspace's list of reviews with their tallies.

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

import statistics
from collections import Counter

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from consultations.consolidation.base import WORKING_STATES
from consultations.consolidation.models import Confirmation, Consolidation
from consultations.consolidation.rules import sees_names
from consultations.consolidation.services import ensure_consolidation
from consultations.opinions.models import Comment, Opinion, OpinionVersion, Point
from consultations.opinions.selectors import independence
from reviews import rules as review_rules
from reviews import selectors as review_selectors
from reviews.criteria import label as criterion_label
from reviews.models import Assignment, Review

CONCLUSIONS = [c for c in Opinion.Conclusion.values]
FAVOURABLE = ("agree", "agree_with_revisions")
WORKSPACE_STATES = (Review.State.OPEN, *review_rules.CLOSED_STATES)


def sealed_opinions(review):
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
            "label": criterion_label(criterion),
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
    points = _points(review, opinions, letters, names)
    confirmations = list(
        consolidation.confirmations.filter(version=consolidation.version).select_related("expert").order_by("at", "id")
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
        "groups": _groups(points),
        "dissent": [o for o in opinions if main and o.conclusion and _side(o.conclusion) not in ("", _side(main))],
        "dissent_comments": list(
            Comment.objects.filter(review=review, dissent=True).select_related("expert").order_by("created_at")
        ),
        "panel": panel_with_confirmations(review, consolidation, confirmations, letters, names),
        "sealed_by": sealed_by_role(review, consolidation, confirmations),
        "independence": attach_independence(opinions, criteria=review.criteria),
        "names": names,
    }


def sealed_by_role(review, consolidation, confirmations):
    """Who sealed the group opinion, as a role (never a name: the department reads this too):
    ``chair``, ``secretariat``, ``all_answered`` (sealed by the last answer), ``deadline`` (by the
    deadline task), or ``None`` while unsealed."""
    if not consolidation.sealed_at:
        return None
    if consolidation.sealed_by_id is None:
        return "deadline" if any(c.kind == Confirmation.Kind.NO_ANSWER for c in confirmations) else "all_answered"
    if review.chair_id and review.chair.user_id == consolidation.sealed_by_id:
        return "chair"
    return "secretariat"


def _points(review, opinions, letters, names):
    """Every live point of the sealed opinions, in the plan's order of sections (general points
    last); sets ``author`` (a name or a letter) and ``letter`` on each opinion on the way."""
    titles = section_titles(review)
    order = {section: index for index, section in enumerate(titles)}
    points = []
    for opinion in opinions:
        author = opinion.expert.name if names else letters.get(opinion.assignment_id, "")
        opinion.author = author
        opinion.letter = letters.get(opinion.assignment_id, "")
        for point in opinion.live:
            points.append(
                {
                    "id": point.id,
                    "section": point.section,
                    "section_title": titles.get(point.section, ""),
                    "text": point.text,
                    "author": author,
                    "expert": opinion.expert_id,
                    "response": _response_data(getattr(point, "response", None)),
                }
            )
    points.sort(key=lambda p: (p["section"] == "", order.get(p["section"], len(order)), p["id"]))
    return points


def _groups(points):
    groups = []
    for point in points:
        if not groups or groups[-1]["section"] != point["section"]:
            groups.append({"section": point["section"], "title": point["section_title"], "points": []})
        groups[-1]["points"].append(point)
    return groups


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


def workspace_reviews(user):
    """The reviews the caller's workspace lists, with their tallies, in a fixed number of queries."""
    counts = {
        f"n_{c}": Count(
            "opinions", distinct=True, filter=Q(opinions__submitted_at__isnull=False, opinions__conclusion=c)
        )
        for c in Opinion.Conclusion.values
    }
    return (
        review_selectors.reviews_visible_to(user)
        .filter(state__in=WORKSPACE_STATES)
        .annotate(
            n_sealed=Count("opinions", distinct=True, filter=Q(opinions__submitted_at__isnull=False)),
            n_points=Count(
                "opinions__points",
                distinct=True,
                filter=Q(opinions__submitted_at__isnull=False, opinions__points__removed=False),
            ),  # fmt: skip
            n_answered=Count(
                "opinions__points",
                distinct=True,
                filter=Q(
                    opinions__submitted_at__isnull=False,
                    opinions__points__removed=False,
                    opinions__points__response__isnull=False,
                ),  # fmt: skip
            ),
            **counts,
        )
        .order_by("-due_at", "-id")
    )


NOT_READ = {"read_others_at": None, "changed_after_reading_others": False, "changes": []}


def attach_independence(opinions, *, criteria=None):
    """Set ``independence`` on each opinion (``opinions.selectors.independence``: when its author
    could first read the others' opinions, whether it changed after, and each kept version since,
    with a ``kind_label`` and a one-line ``summary``) and return ``{opinion id: record}``."""
    records = independence(opinions, criteria=criteria) if opinions else {}
    kinds = dict(OpinionVersion.Kind.choices)
    for opinion in opinions:
        record = records.get(opinion.pk) or NOT_READ
        opinion.independence = {
            **record,
            "changes": [
                {**c, "kind_label": kinds.get(c["kind"], c["kind"]), "summary": change_summary(c["changes"])}
                for c in record["changes"]
            ],
        }
    return records


def change_summary(changes):
    """What one kept version changed (``[{"field", "before", "after"}]``), as one line for the
    page and the documents: "Conclusion: “agree” → “disagree”; Point: …"."""
    labels = {"conclusion": _("Conclusion"), "summary": _("Summary"), "scores": _("Scores")}
    parts = []
    for change in changes or []:
        field = str(change.get("field", ""))
        label = labels.get(field) or (_("Point") if field.startswith("points.") else field)
        parts.append(f"{label}: “{_cut(change.get('before'))}” → “{_cut(change.get('after'))}”")
    return "; ".join(parts)


def _cut(text, size=120):
    text = str(text or "")
    return text if len(text) <= size else text[: size - 1] + "…"


def overdue_answers(*, today=None, due_from=None, due_until=None):
    """The answers overdue (督办): each consolidation whose answers were due before ``today``
    (Beijing) while the package is not final and points of the sealed opinions have no answer,
    the longest overdue first; ``due_from``/``due_until`` (dates, inclusive) narrow the due dates
    (the year report). One query. Each row: ``review``, ``plan``, ``department`` (its name, or
    ``""``), ``department_id``, ``due_on``, ``days_overdue``, ``unanswered``, ``total``, ``url``
    (the answering screen). Callers check ``rules.may_chase_answers`` first."""
    today = today or timezone.localdate()
    live = Q(review__opinions__submitted_at__isnull=False, review__opinions__points__removed=False)
    rows = Consolidation.objects.filter(
        answers_due_on__lt=today, review__state__in=WORKING_STATES, review__response_package__isnull=True
    )
    if due_from is not None:
        rows = rows.filter(answers_due_on__gte=due_from)
    if due_until is not None:
        rows = rows.filter(answers_due_on__lte=due_until)
    rows = (
        rows.annotate(
            total=Count("review__opinions__points", distinct=True, filter=live),
            unanswered=Count(
                "review__opinions__points",
                distinct=True,
                filter=live & Q(review__opinions__points__response__isnull=True),
            ),
        )
        .filter(unanswered__gt=0)
        .order_by("answers_due_on", "review_id")
        .values(
            "review_id",
            "review__plan__title",
            "review__plan__submitted_by_id",
            "review__plan__submitted_by__name",
            "answers_due_on",
            "total",
            "unanswered",
        )
    )
    return [
        {
            "review": row["review_id"],
            "plan": row["review__plan__title"],
            "department_id": row["review__plan__submitted_by_id"],
            "department": row["review__plan__submitted_by__name"] or "",
            "due_on": row["answers_due_on"],
            "days_overdue": (today - row["answers_due_on"]).days,
            "unanswered": row["unanswered"],
            "total": row["total"],
            "url": reverse("consultations:consolidation", args=[row["review_id"]]) + "#points",
        }
        for row in rows
    ]
