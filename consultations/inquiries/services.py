"""Writes for consultations (征询): posing one with its questions, opening it (which fixes who it
reaches and tells them), closing it, the expert's answer and the commission's answers to its
points.

An answer is an ``Opinion`` with ``consultation`` set, written and sealed by the opinion services
(``consultations.opinions.services.save_opinion`` / ``submit_opinion``: versions, autosave,
If-Match, digest) through the answer's kind (``kinds``, registered when the app is ready); this
module holds what differs: who may write it now, what the seal needs and whom its writes tell.
"""

import logging
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.inquiries import cleaning, rules
from consultations.inquiries.models import Consultation, ConsultationDocument, Question
from consultations.inquiries.selectors import addressed_experts
from consultations.opinions.models import Opinion
from consultations.responses.kinds import write_response
from consultations.responses.models import Response
from core import live
from core.errors import StateConflict
from core.models import Notification
from core.notify import notify
from core.uploads import safe_filename
from experts.notices import outbox
from reviews.services import MAX_DOCUMENT_BYTES, check_document

logger = logging.getLogger(__name__)

# The state machine: the only moves a consultation makes.
TRANSITIONS = {
    Consultation.State.DRAFT: {Consultation.State.OPEN},
    Consultation.State.OPEN: {Consultation.State.CLOSED},
    Consultation.State.CLOSED: set(),
}
EDITABLE_WHILE_OPEN = {"closes_at"}  # a deadline may move; the questions may not once answered


# ---------------------------------------------------------------- posing


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
    if not rules.poses_consultations(by):
        raise PermissionDenied(_("The secretariat and the commission pose consultations."))
    errors = {}
    consultation = Consultation(posed_by=by)
    cleaning.clean_fields(consultation, data, errors, creating=True)
    questions = cleaning.clean_questions(data.get("questions"), errors) or []
    domains = cleaning.clean_domains(data.get("addressed_domains", []), errors)
    experts = cleaning.clean_experts(data.get("addressed_experts", []), errors)
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
    if not rules.poses_consultations(by):
        raise PermissionDenied(_("The secretariat and the commission change consultations."))
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    changing = set(data) - {"state"}
    if locked.state == Consultation.State.CLOSED and changing:
        raise StateConflict(_("The consultation is closed."))
    if locked.state == Consultation.State.OPEN and changing - EDITABLE_WHILE_OPEN:
        raise StateConflict(_("Once open, only the closing date of a consultation can change."))
    errors = {}
    cleaning.clean_fields(locked, data, errors, creating=False)
    questions = cleaning.clean_questions(data.get("questions"), errors)
    domains = cleaning.clean_domains(data.get("addressed_domains"), errors)
    experts = cleaning.clean_experts(data.get("addressed_experts"), errors)
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
    if not rules.poses_consultations(by):
        raise PermissionDenied(_("The secretariat and the commission change consultations."))
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


# ---------------------------------------------------------------- the state machine


def transition_consultation(consultation, to, *, by):
    """The one way a consultation's state changes (``TRANSITIONS``). Opening fixes the recipients
    and tells each of them; both moves tell the consultation's channel. ``StateConflict`` if the
    move is not allowed, ``ValidationError`` if the consultation is not ready to open. ``by`` is
    ``None`` when the periodic task closes it."""
    if by is not None and not rules.poses_consultations(by):
        raise PermissionDenied(_("The secretariat and the commission change consultations."))
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
        live.emit_consultation_event(locked, "consultation.state_changed", state=to)
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
    live.notify_users(notifications)  # one trip to the sockets after commit, not one per expert
    subject = _("A consultation of the expert advisory committee")
    takes_mail = [e for e in recipients if outbox.wants_email(e)]
    mails = [
        EmailMessage(subject=subject, body=text, to=[e.email], from_email=settings.DEFAULT_FROM_EMAIL)
        for e in takes_mail
    ]
    closes = timezone.localtime(consultation.closes_at).strftime("%Y-%m-%d") if consultation.closes_at else "-"
    params = {"title": consultation.title, "closes": closes}
    outbox.queue_sms_many([(e, params, consultation) for e in recipients], kind="consultation")

    def send():
        try:
            mailers.default.send_messages(mails)
            sent = True
        except Exception:  # a mail outage must not undo the opening; the portal has it
            logger.warning("consultation %s: mail not sent", consultation.pk, exc_info=True)
            sent = False
        for expert in takes_mail:
            outbox.record_email(expert, kind="consultation", subject=subject, sent=sent, about=consultation)

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


def check_answer_writable(answer, *, by):
    """Raises ``StateConflict`` unless ``rules.refusal_to_answer`` lets ``by`` write the answer
    (the answer kind's check, inside ``save_opinion`` and ``submit_opinion``)."""
    # Under the consultation's row lock, read afresh: the caller's transaction (save or submit)
    # holds it until commit, so a close (transition_consultation locks the same row) cannot slip
    # between this check and the write.
    consultation = Consultation.objects.select_for_update().get(pk=answer.consultation_id)
    refusal = rules.refusal_to_answer(answer, consultation, by=by)
    if refusal:
        raise StateConflict(refusal)


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


def tell_answer(answer, what):
    """The live event of an answer's write (``what``: ``saved`` or ``submitted``) on the
    consultation's board: ids only, and no expert id, so an anonymous consultation stays so."""
    payload = {"answer": answer.pk}
    if what == "saved":
        payload["version"] = answer.version
    live.emit_consultation_event(answer.consultation, f"answer.{what}", **payload)


# ---------------------------------------------------------------- answering the points of answers


@transaction.atomic
def answer_answer_point(point, *, by, status, reason):
    """Record (or change) the answer to a point of a consultation's answer, once it is closed;
    the expert is told (portal and socket) and the board hears ``response.saved``."""
    consultation = point.opinion.consultation
    if consultation.state != Consultation.State.CLOSED:
        raise StateConflict(_("The points of a consultation are answered once it closes."))
    response = write_response(point, by=by, status=status, reason=reason)
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
    live.emit_consultation_event(consultation, "response.saved", point=point.pk, status=status)
    return response
