"""Writes for consultations (征询): posing one with its questions, opening it (which fixes who it
reaches and tells them), closing it, and the expert's answer.

An answer is an ``Opinion`` with ``consultation`` set, written and sealed by the opinion services
(``services.save_opinion`` / ``submit_opinion``: versions, autosave, If-Match, digest); this module
holds only what differs: who may write it and what its points must name (a question).
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.inquiries.models import Consultation, Question
from consultations.opinions.canonical import normalise_text
from consultations.opinions.models import Opinion
from consultations.opinions.services import is_id
from core import live as realtime
from core import notify as sms
from core.errors import StateConflict
from core.models import Notification

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_BACKGROUND = 20000
MAX_QUESTION = 2000
MAX_QUESTIONS = 30

# The state machine: the only moves a consultation makes.
TRANSITIONS = {
    Consultation.State.DRAFT: {Consultation.State.OPEN},
    Consultation.State.OPEN: {Consultation.State.CLOSED},
    Consultation.State.CLOSED: set(),
}
EDITABLE_WHILE_OPEN = {"closes_at"}  # a deadline may move; the questions may not once answered


# ---------------------------------------------------------------- posing


def _clean_questions(raw, errors):
    if raw is None:
        return None
    if not isinstance(raw, list):
        errors["questions"] = [_("Questions are a list.")]
        return None
    questions = []
    for index, item in enumerate(raw):
        if isinstance(item, str):
            item = {"text": item}
        if not isinstance(item, dict):
            errors.setdefault(f"questions.{index}", []).append(_("A question is an object with “text”."))
            continue
        if item.get("text") is not None and not isinstance(item.get("text"), str):
            errors.setdefault(f"questions.{index}", []).append(_("The text must be a string."))
            continue
        text = normalise_text(item.get("text"))
        if not text:
            continue  # an empty row of the form
        if len(text) > MAX_QUESTION:
            errors.setdefault(f"questions.{index}", []).append(
                _("A question is at most {n} characters.").format(n=MAX_QUESTION)
            )
        question_id = item.get("id")
        if question_id is not None and (isinstance(question_id, bool) or not isinstance(question_id, int)):
            errors.setdefault(f"questions.{index}", []).append(_("A question's id is a whole number."))
            question_id = None
        questions.append({"id": question_id, "text": text})
    if len(questions) > MAX_QUESTIONS:
        errors["questions"] = [_("A consultation has at most {n} questions.").format(n=MAX_QUESTIONS)]
    return questions


def _clean_domains(codes, errors):
    from experts.models import Domain

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


def _clean_experts(ids, errors):
    from experts.models import Expert

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


def fits_id(value):
    """Whether the whole number ``value`` can be a row's id at all (a 64-bit integer): SQLite
    raises OverflowError for a larger one in a query, so such an id is answered as unknown."""
    return -(2**63) <= value < 2**63


def _clean_fields(consultation, data, errors, *, creating):
    if "title" in data or creating:
        title = normalise_text(data.get("title"))
        if not title:
            errors["title"] = [_("Give the consultation a title.")]
        elif len(title) > MAX_TITLE:
            errors["title"] = [_("The title is at most {n} characters.").format(n=MAX_TITLE)]
        consultation.title = title
    if "background" in data:
        background = normalise_text(data.get("background"))
        if len(background) > MAX_BACKGROUND:
            errors["background"] = [_("The background is at most {n} characters.").format(n=MAX_BACKGROUND)]
        consultation.background = background
    for field in ("opens_at", "closes_at"):
        if field in data:
            setattr(consultation, field, data[field])
    for field in ("answers_shared", "anonymous"):
        if field in data:
            setattr(consultation, field, bool(data[field]))
    if consultation.opens_at and consultation.closes_at and consultation.closes_at <= consultation.opens_at:
        errors["closes_at"] = [_("The close must come after the opening.")]


def _write_questions(consultation, questions, errors):
    existing = {q.pk: q for q in consultation.questions.all()}
    for item in questions:
        if item["id"] is not None and item["id"] not in existing:
            errors.setdefault("questions", []).append(_("Question {id} is not part of this consultation.").format(
                id=item["id"]))  # fmt: skip
    if errors:
        raise ValidationError(errors)
    kept = set()
    for position, item in enumerate(questions):
        question = existing.get(item["id"]) or Question(consultation=consultation)
        question.text, question.position = item["text"], position
        question.save()
        kept.add(question.pk)
    Question.objects.filter(consultation=consultation).exclude(pk__in=kept).delete()


def _save(consultation, *, by, reason):
    consultation._history_user = by
    consultation._change_reason = reason[:100]
    consultation.save()
    return consultation


@transaction.atomic
def create_consultation(*, by, data):
    """A draft consultation with its questions (``data`` as the API's POST body). Raises
    ``ValidationError`` (field → messages) and changes nothing on bad input."""
    errors = {}
    consultation = Consultation(posed_by=by)
    _clean_fields(consultation, data, errors, creating=True)
    questions = _clean_questions(data.get("questions"), errors) or []
    domains = _clean_domains(data.get("addressed_domains", []), errors)
    experts = _clean_experts(data.get("addressed_experts", []), errors)
    if errors:
        raise ValidationError(errors)
    _save(consultation, by=by, reason="created")
    _write_questions(consultation, questions, errors)
    consultation.addressed_domains.set(domains or [])
    consultation.addressed_experts.set(experts or [])
    return consultation


@transaction.atomic
def update_consultation(consultation, *, by, data):
    """Change a draft (anything) or an open consultation (its close only). ``data["state"]``, if
    given, moves it afterwards through ``transition_consultation``."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    changing = set(data) - {"state"}
    if locked.state == Consultation.State.CLOSED and changing:
        raise StateConflict(_("The consultation is closed."))
    if locked.state == Consultation.State.OPEN and changing - EDITABLE_WHILE_OPEN:
        raise StateConflict(_("Once open, only the closing date of a consultation can change."))
    errors = {}
    _clean_fields(locked, data, errors, creating=False)
    questions = _clean_questions(data.get("questions"), errors)
    domains = _clean_domains(data.get("addressed_domains"), errors)
    experts = _clean_experts(data.get("addressed_experts"), errors)
    if errors:
        raise ValidationError(errors)
    if changing:
        _save(locked, by=by, reason="edited")
    if questions is not None:
        _write_questions(locked, questions, errors)
    if domains is not None:
        locked.addressed_domains.set(domains)
    if experts is not None:
        locked.addressed_experts.set(experts)
    if data.get("state") and data["state"] != locked.state:
        locked = transition_consultation(locked, data["state"], by=by)
    return locked


def add_background_document(consultation, *, upload, by):
    """Keep a background document (.docx or .pdf, checked like a plan version) of a draft or open
    consultation. ``ValidationError`` (field ``document``) for a file that is not a real one."""
    import uuid

    from django.core.files.base import ContentFile

    from consultations.inquiries.models import ConsultationDocument
    from core.uploads import safe_filename
    from reviews.services import MAX_DOCUMENT_BYTES, check_document

    if consultation.state == Consultation.State.CLOSED:
        raise StateConflict(_("The consultation is closed."))
    data = upload.read(MAX_DOCUMENT_BYTES + 1)
    try:
        check_document(upload.name, data)
    except ValidationError as error:
        raise ValidationError({"document": error.messages})
    document = ConsultationDocument(
        consultation=consultation, title=safe_filename(upload.name, max_length=200), size=len(data), uploaded_by=by
    )
    extension = ".pdf" if upload.name.lower().endswith(".pdf") else ".docx"
    document.file.save(f"consultation-{consultation.pk}-{uuid.uuid4().hex}{extension}", ContentFile(data), save=False)
    document.save()
    return document


# ---------------------------------------------------------------- who is asked


def with_descendants(domains):
    """The ids of ``domains`` and of every domain below them (the taxonomy is a tree of any depth)."""
    from experts.models import Domain

    found = {d.pk for d in domains}
    frontier = set(found)
    while frontier:
        frontier = set(Domain.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def addressed_experts(consultation):
    """The active experts the consultation addresses now: those of its domains (and below), plus
    the named ones; both empty: the whole active committee."""
    from experts.models import Expert

    active = Expert.objects.filter(status=Expert.Status.ACTIVE)
    domains = list(consultation.addressed_domains.all())
    named = list(consultation.addressed_experts.values_list("pk", flat=True))
    if not domains and not named:
        return active
    ids = set(named)
    if domains:
        ids |= set(active.filter(domains__in=with_descendants(domains)).values_list("pk", flat=True))
    return active.filter(pk__in=ids)


# ---------------------------------------------------------------- the state machine


def transition_consultation(consultation, to, *, by):
    """The one way a consultation's state changes (``TRANSITIONS``). Opening fixes the recipients
    and tells each of them; both moves tell the consultation's channel. ``StateConflict`` if the
    move is not allowed, ``ValidationError`` if the consultation is not ready to open."""
    if to not in Consultation.State.values:
        raise ValidationError({"state": [_("Choose draft, open or closed.")]})
    with transaction.atomic():
        locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
        if to not in TRANSITIONS[locked.state]:
            raise StateConflict(
                _("A consultation in state “{state}” cannot move to “{to}”.").format(
                    state=locked.get_state_display(), to=Consultation.State(to).label
                )
            )
        if to == Consultation.State.OPEN:
            _open(locked, by=by)
        else:
            locked.state = to
            _save(locked, by=by, reason=f"{consultation.state} → {to}")
        realtime.emit_consultation_event(locked, "consultation.state_changed", state=to)
    consultation.state = locked.state
    return locked


def open_consultation(consultation, *, by):
    return transition_consultation(consultation, Consultation.State.OPEN, by=by)


def close_consultation(consultation, *, by):
    return transition_consultation(consultation, Consultation.State.CLOSED, by=by)


def close_due_consultations(*, now=None):
    """Close every open consultation whose closing time has passed, as the experts were told it
    would (run by the periodic task; nobody is recorded as closing it). Returns their ids."""
    now = now or timezone.now()
    closed = []
    for consultation in Consultation.objects.filter(state=Consultation.State.OPEN, closes_at__lte=now):
        try:
            close_consultation(consultation, by=None)
        except StateConflict:  # closed by hand meanwhile
            continue
        closed.append(consultation.pk)
    return closed


def _open(consultation, *, by):
    if not consultation.questions.exists():
        raise ValidationError({"questions": [_("Ask at least one question before opening.")]})
    recipients = list(addressed_experts(consultation).select_related("user"))
    if not recipients:
        raise ValidationError({"addressed_domains": [_("No active expert is addressed: nobody would be asked.")]})
    consultation.state = Consultation.State.OPEN
    consultation.opens_at = timezone.now()
    _save(consultation, by=by, reason="draft → open")
    consultation.recipients.set(recipients)
    tell_recipients(consultation, recipients)


def tell_recipients(consultation, recipients):
    """A notification in the portal (pushed to open sockets), a mail and a text message to each
    recipient; mail and SMS go after commit and an outage never undoes the opening."""
    url = reverse("consultations:consultation-answer", args=[consultation.pk])
    text = _("The committee asks for your advice: “{title}”.").format(title=consultation.title)
    if consultation.closes_at:
        due = timezone.localtime(consultation.closes_at)
        text += " " + _("Please answer by {date:%Y-%m-%d %H:%M}.").format(date=due)
    notifications = Notification.objects.bulk_create(
        Notification(user_id=e.user_id, kind="consultation", text=text[:500], url=url) for e in recipients if e.user_id
    )
    realtime.notify_users(notifications)  # one trip to the sockets after commit, not one per expert
    subject = _("A consultation of the expert advisory committee")
    mails = [
        EmailMessage(subject=subject, body=text, to=[e.email], from_email=settings.DEFAULT_FROM_EMAIL)
        for e in recipients
        if e.email
    ]
    mobiles = [e.mobile for e in recipients if e.mobile]

    def send():
        try:
            mailers.default.send_messages(mails)
        except Exception:  # a mail outage must not undo the opening; the portal has it
            logger.warning("consultation %s: mail not sent", consultation.pk, exc_info=True)
        for mobile in mobiles:
            sms.send_sms(mobile, text)

    transaction.on_commit(send)


# ---------------------------------------------------------------- answers


def ensure_answer(consultation, expert):
    """The expert's answer: an empty draft (version 0) once the consultation is open. Idempotent.
    ``StateConflict`` before it opens."""
    if consultation.state == Consultation.State.DRAFT:
        raise StateConflict(_("The consultation is not open yet."))
    answer = Opinion.objects.filter(consultation=consultation, expert=expert).first()
    if answer is None:
        if consultation.state != Consultation.State.OPEN:
            raise StateConflict(_("The consultation is closed."))
        answer, _created = Opinion.objects.get_or_create(consultation=consultation, expert=expert)
    return answer


def accepts_answers(consultation, *, now=None):
    """Open and not past its closing time (the periodic task may not have closed it yet)."""
    now = now or timezone.now()
    past = consultation.closes_at is not None and consultation.closes_at <= now
    return consultation.state == Consultation.State.OPEN and not past


def check_answer_writable(answer, *, by):
    """Raises ``StateConflict`` unless ``by`` is the answer's author, still an active recipient,
    and the consultation is open (called by ``services.save_opinion`` and ``submit_opinion``)."""
    from experts.models import Expert

    # Under the consultation's row lock, read afresh: the caller's transaction (save or submit)
    # holds it until commit, so a close (transition_consultation locks the same row) cannot slip
    # between this check and the write.
    consultation = Consultation.objects.select_for_update().get(pk=answer.consultation_id)
    if answer.expert.user_id != getattr(by, "id", None):
        raise StateConflict(_("Only its author writes an answer."))
    if answer.expert.status != Expert.Status.ACTIVE or not consultation.recipients.filter(pk=answer.expert_id).exists():
        raise StateConflict(_("You are not asked in this consultation."))
    if consultation.state != Consultation.State.OPEN:
        if consultation.state == Consultation.State.CLOSED:
            raise StateConflict(_("The consultation is closed: the answer is read-only."))
        raise StateConflict(_("Answers are written once the consultation is open."))
    if not accepts_answers(consultation):
        # Past its closing time but not yet closed by the periodic task: the deadline still holds.
        raise StateConflict(
            _("The consultation closed at {time:%Y-%m-%d %H:%M}: the answer is read-only.").format(
                time=timezone.localtime(consultation.closes_at)
            )
        )


def question_ids(consultation):
    return set(consultation.questions.values_list("pk", flat=True))


def check_answer_complete(answer):
    """Before the seal: every question has at least one point."""
    answered = set(answer.points.filter(removed=False).values_list("question_id", flat=True))
    missing = [q for q in answer.consultation.questions.all() if q.pk not in answered]
    if missing:
        raise ValidationError(
            {
                "points": [
                    _("Answer every question before submitting: {questions}.").format(
                        questions="; ".join(q.text[:40] for q in missing)
                    )
                ]
            }  # fmt: skip
        )


# ---------------------------------------------------------------- answering the points of answers


def can_see_answer_point(user, point):
    """A point of a sealed answer, for whoever may read that answer now."""
    from consultations.inquiries.rules import answer_filter, can_see_consultation

    answer = point.opinion
    if answer.submitted_at is None or not can_see_consultation(user, answer.consultation):
        return False
    return Opinion.objects.filter(pk=answer.pk).filter(answer_filter(user, answer.consultation)).exists()


def can_answer_answer_point(user, point):
    """The commission answers the points of a consultation's sealed answers."""
    from experts import roles

    return user.is_authenticated and roles.has_role(user, roles.COMMISSION) and can_see_answer_point(user, point)


@transaction.atomic
def answer_answer_point(point, *, by, status, reason):
    """Record (or change) the answer to a point of a consultation's answer, once it is closed;
    the expert is told (portal and socket) and the board hears ``response.saved``."""
    from consultations.responses.models import Response
    from core.notify import notify

    consultation = point.opinion.consultation
    if consultation.state != Consultation.State.CLOSED:
        raise StateConflict(_("The points of a consultation are answered once it closes."))
    response = Response.objects.select_for_update().filter(point=point).first() or Response(point=point)
    response.status, response.reason, response.by, response.at = status, reason, by, timezone.now()
    response._history_user = by
    response._change_reason = "answered"
    response.save()
    expert = point.opinion.expert
    if expert.user_id:
        notify(
            expert.user,
            kind="response",
            text=_("Your point in “{title}” was answered: {status}.").format(
                title=consultation.title, status=Response.Status(status).label
            ),
            url=reverse("consultations:consultation", args=[consultation.pk]) + f"#point-{point.pk}",
        )
    realtime.emit_consultation_event(consultation, "response.saved", point=point.pk, status=status)
    return response
