"""What a consultation and an answer must be: the checks of a write, all errors at once (field →
messages). The services call them and write nothing when they raise."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consultations.opinions.canonical import normalise_text
from consultations.opinions.cleaning import MAX_POINTS, clean_point_items, is_id
from core import moments
from experts.models import Domain, Expert

MAX_TITLE = 200
MAX_BACKGROUND = 20000
MAX_QUESTION = 2000
MAX_QUESTIONS = 30


# ---------------------------------------------------------------- the consultation


def _clean_question(item, index, errors):
    """One row of ``questions`` as ``{"id", "text"}``, or ``None`` (an empty row, or an error)."""
    key = f"questions.{index}"
    if isinstance(item, str):
        item = {"text": item}
    if not isinstance(item, dict):
        errors.setdefault(key, []).append(_("A question is an object with “text”."))
        return None
    if item.get("text") is not None and not isinstance(item.get("text"), str):
        errors.setdefault(key, []).append(_("The text must be a string."))
        return None
    text = normalise_text(item.get("text"))
    if not text:
        return None  # an empty row of the form
    if len(text) > MAX_QUESTION:
        errors.setdefault(key, []).append(_("A question is at most {n} characters.").format(n=MAX_QUESTION))
    question_id = item.get("id")
    if question_id is not None and not is_id(question_id):
        errors.setdefault(key, []).append(_("A question's id is a whole number."))
        question_id = None
    return {"id": question_id, "text": text}


def clean_questions(raw, errors):
    if raw is None:
        return None
    if not isinstance(raw, list):
        errors["questions"] = [_("Questions are a list.")]
        return None
    questions = [q for index, item in enumerate(raw) if (q := _clean_question(item, index, errors)) is not None]
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = [_("A consultation has at most {n} questions.").format(n=MAX_QUESTIONS)]
    return questions


def clean_domains(codes, errors):
    if codes is None:
        return None
    if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
        errors["addressed_domains"] = [_("Domains are a list of codes.")]
        return None
    found = list(Domain.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {d.code for d in found})
    if missing:
        errors["addressed_domains"] = [_("Unknown domain: {codes}.").format(codes=", ".join(missing))]
    return found


def fits_id(value):
    """Whether the whole number ``value`` can be a row's id at all (a 64-bit integer): SQLite
    raises OverflowError for a larger one in a query, so such an id is answered as unknown."""
    return -(2**63) <= value < 2**63


def clean_experts(ids, errors):
    if ids is None:
        return None
    if not isinstance(ids, list) or not all(is_id(i) for i in ids):
        errors["addressed_experts"] = [_("Experts are a list of ids.")]
        return None
    found = list(Expert.objects.filter(pk__in=[i for i in ids if fits_id(i)]))  # others are unknown
    missing = sorted(set(ids) - {e.pk for e in found})
    if missing:
        errors["addressed_experts"] = [_("Unknown expert: {ids}.").format(ids=", ".join(map(str, missing)))]
    return found


def _clean_title(data, errors):
    title = normalise_text(data.get("title"))
    if not title:
        errors["title"] = [_("Give the consultation a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("The title is at most {n} characters.").format(n=MAX_TITLE)]
    return title


def clean_fields(consultation, data, errors, *, creating):
    """Set the fields of ``data`` on ``consultation`` (unsaved), recording what is wrong in ``errors``."""
    if "title" in data or creating:
        consultation.title = _clean_title(data, errors)
    if "background" in data:
        background = normalise_text(data.get("background"))
        if len(background) > MAX_BACKGROUND:
            errors["background"] = [_("The background is at most {n} characters.").format(n=MAX_BACKGROUND)]
        consultation.background = background
    for field in ("opens_at", "closes_at"):
        if field in data:
            setattr(consultation, field, data[field])
    moments.check_writable(consultation, ("opens_at", "closes_at"), errors)
    for field in ("answers_shared", "anonymous"):
        if field in data:
            setattr(consultation, field, bool(data[field]))
    if consultation.opens_at and consultation.closes_at and consultation.closes_at <= consultation.opens_at:
        errors["closes_at"] = [_("The close must come after the opening.")]


# ---------------------------------------------------------------- an answer


def question_ids(consultation):
    return set(consultation.questions.values_list("pk", flat=True))


def _clean_answer_points(answer, raw, errors):
    """A consultation answer's points: each names one of the consultation's questions."""
    questions = question_ids(answer.consultation)

    def clean_item(item, key):
        question = item.get("question")
        if not is_id(question) or question not in questions:
            errors.setdefault(key, []).append(_("Say which question of this consultation the point answers."))
        if item.get("section"):
            errors.setdefault(key, []).append(_("An answer's points name a question, not a plan section."))
        return {"section": "", "question": question}

    return clean_point_items(
        answer,
        raw,
        errors,
        shape=_("Points are a list of objects with “question” and “text”."),
        limit=_("An answer has at most {n} points.").format(n=MAX_POINTS),
        foreign=_("This point is not part of this answer."),
        clean_item=clean_item,
    )


def clean_answer(answer, data):
    """A consultation answer is its points only: no conclusion, scores or summary."""
    errors = {}
    for field in ("conclusion", "scores", "summary"):
        if data.get(field):
            errors[field] = [_("An answer to a consultation has no {field}.").format(field=field)]
    points = _clean_answer_points(answer, data.get("points"), errors)
    if errors:
        raise ValidationError(errors)
    return {"conclusion": "", "scores": {}, "summary": "", "points": points}
