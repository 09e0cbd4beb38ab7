"""What an opinion's content must be: the checks of a write (all errors at once, field →
messages) and of a seal. Pure functions over the submitted data; the services call them.

The points of every kind of opinion share ``clean_point_items`` (a list of objects, each with some
text and, if it names an ``id``, one of this opinion's live points); a kind adds what its points
name (a plan section here, a question for a consultation's answer).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consultations.opinions.canonical import normalise_text
from consultations.opinions.models import Opinion
from reviews.criteria import label as criterion_label

MAX_SUMMARY = 20000
MAX_POINT = 5000
MAX_POINTS = 200
MAX_COMMENT = 2000
DEFAULT_SCALE = 100


def plan_sections(review):
    """The anchors a point or comment may name: the reviewed plan version's block sections."""
    return [b.get("section") for b in (review.plan_version.blocks or []) if b.get("section")]


def is_id(value):
    """A whole number as an id (not a bool, list or dict: those are not hashable or not ids)."""
    return isinstance(value, int) and not isinstance(value, bool)


def clean_section(value, sections, errors, key):
    section = str(value or "").strip()
    if section and section not in sections:
        errors.setdefault(key, []).append(_("“{section}” is not a section of the plan.").format(section=section))
    return section


def _clean_score(criterion, key, value, errors):
    """The whole number ``value`` within the criterion's scale, or ``None`` (with the error)."""
    top = int(criterion.get("max") or DEFAULT_SCALE)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= top:
        errors.setdefault("scores", []).append(
            _("The score for “{key}” is a whole number from 0 to {top}.").format(key=key, top=top)
        )
        return None
    return value


def _clean_scores(review, raw, errors):
    if raw in (None, ""):
        return {}
    if not isinstance(raw, dict):
        errors["scores"] = [_("Scores are an object of criterion and whole number.")]
        return {}
    criteria = {c["key"]: c for c in (review.criteria or []) if isinstance(c, dict) and c.get("key")}
    scores = {}
    for key, value in raw.items():
        if key not in criteria:
            errors.setdefault("scores", []).append(_("“{key}” is not a criterion of this review.").format(key=key))
            continue
        if value is None or value == "":
            continue
        score = _clean_score(criteria[key], key, value, errors)
        if score is not None:
            scores[key] = score
    return scores


def _point_text(item, errors, key):
    """The point's normalised text (empty, with the error, when it is not a string)."""
    raw = item.get("text")
    if raw is not None and not isinstance(raw, str):
        errors.setdefault(key, []).append(_("The text must be a string."))
        return ""
    text = normalise_text(raw)
    if not text:
        errors.setdefault(key, []).append(_("A point needs some text."))
    elif len(text) > MAX_POINT:
        errors.setdefault(key, []).append(_("A point is at most {n} characters.").format(n=MAX_POINT))
    return text


def clean_point_items(opinion, raw, errors, *, shape, limit, foreign, clean_item):
    """The points of an opinion or of a consultation answer: a list of objects, at most
    ``MAX_POINTS``, each with some text and, if it names an ``id``, one of this opinion's live
    points. ``clean_item(item, key)`` checks what the kind adds (a section, a question) and returns
    those fields. The messages say which kind it is."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        errors["points"] = [shape]
        return []
    if len(raw) > MAX_POINTS:
        errors["points"] = [limit]
        return []
    known = set(opinion.points.filter(removed=False).values_list("id", flat=True))
    points = []
    for index, item in enumerate(raw):
        key = f"points.{index}"
        text = _point_text(item, errors, key)
        point_id = item.get("id")
        if point_id is not None and (not is_id(point_id) or point_id not in known):
            errors.setdefault(key, []).append(foreign)
        points.append({"id": point_id, **clean_item(item, key), "text": text})
    return points


def _clean_points(opinion, raw, sections, errors):
    def clean_item(item, key):
        return {"section": clean_section(item.get("section"), sections, errors, key)}

    return clean_point_items(
        opinion,
        raw,
        errors,
        shape=_("Points are a list of objects with “section” and “text”."),
        limit=_("An opinion has at most {n} points.").format(n=MAX_POINTS),
        foreign=_("This point is not part of this opinion."),
        clean_item=clean_item,
    )


def clean_review_opinion(opinion, data):
    """A review opinion's write: conclusion, scores within their scales, summary, points on the
    plan's sections. Raises ``ValidationError`` (field → messages) and changes nothing."""
    errors = {}
    conclusion = str(data.get("conclusion") or "")
    if conclusion and conclusion not in Opinion.Conclusion.values:
        errors["conclusion"] = [_("Choose agree, agree_with_revisions, disagree or abstain.")]
    summary = normalise_text(data.get("summary"))
    if len(summary) > MAX_SUMMARY:
        errors["summary"] = [_("The summary is at most {n} characters.").format(n=MAX_SUMMARY)]
    scores = _clean_scores(opinion.review, data.get("scores"), errors)
    points = _clean_points(opinion, data.get("points"), plan_sections(opinion.review), errors)
    if errors:
        raise ValidationError(errors)
    return {"conclusion": conclusion, "scores": scores, "summary": summary, "points": points}


def check_review_opinion_complete(opinion):
    """Before the seal: a conclusion and, unless abstaining, a score for every criterion."""
    errors = {}
    if not opinion.conclusion:
        errors["conclusion"] = [_("Choose a conclusion before submitting.")]
    if opinion.conclusion != Opinion.Conclusion.ABSTAIN:
        missing = [
            criterion_label(c) for c in opinion.review.criteria or [] if c.get("key") not in (opinion.scores or {})
        ]
        if missing:
            errors["scores"] = [_("Score every criterion before submitting: {keys}.").format(keys=", ".join(missing))]
    if errors:
        raise ValidationError(errors)


def clean_comment(review, *, text, section, dissent):
    """A discussion message: some text within the limit, a section of the plan if named (and
    named for a dissent). Returns ``(text, section)``; raises ``ValidationError``."""
    text = normalise_text(text)
    errors = {}
    if not text:
        errors["text"] = [_("Write something first.")]
    elif len(text) > MAX_COMMENT:
        errors["text"] = [_("A comment is at most {n} characters.").format(n=MAX_COMMENT)]
    section = clean_section(section, plan_sections(review), errors, "section")
    if dissent and not section:
        errors["section"] = [_("Dissent is recorded against a section.")]
    if errors:
        raise ValidationError(errors)
    return text, section
