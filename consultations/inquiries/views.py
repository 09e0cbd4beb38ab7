"""Portal pages for consultations: the list, posing one (the secretariat or the commission), the
reading page with the answers grouped by question (the board, live for those who pose), the
expert's answer page (phone first, autosaved through the API) with its sealing step, and the
.docx/.xlsx exports. Pages render and call services; who sees what is ``rules``."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from consultations.doc_templates.official import CONTENT_TYPES
from consultations.inquiries import documents as exports
from consultations.inquiries import rules as access
from consultations.inquiries import services as consulting
from consultations.inquiries.cleaning import fits_id
from consultations.inquiries.models import Consultation
from consultations.inquiries.selectors import consultations_for
from consultations.opinions import services
from consultations.opinions.canonical import digest, opinion_content
from core.errors import StaleVersion, StateConflict
from core.versioning import version_from_form
from experts import audit, roles
from experts.models import Domain, Expert


def _consultation(request, consultation_id):
    consultation = consultations_for(request.user).filter(pk=consultation_id).first()
    if consultation is None:
        raise Http404
    return consultation


def _errors(request, error):
    if hasattr(error, "message_dict"):
        for problems in error.message_dict.values():
            for problem in problems:
                messages.error(request, problem)
    else:
        for message in getattr(error, "messages", None) or [getattr(error, "message", str(error))]:
            messages.error(request, message)


@login_required
def consultation_list(request):
    """Every consultation the caller may see, newest first, with the answers submitted so far."""
    if not (access.poses_consultations(request.user) or roles.has_role(request.user, roles.EXPERT)):
        raise Http404
    rows = list(consultations_for(request.user)[:200])
    own = {}
    if not access.poses_consultations(request.user):
        own = dict(
            request.user.expert.opinions.filter(consultation__in=[c.pk for c in rows]).values_list(
                "consultation_id", "submitted_at"
            )
        ) if hasattr(request.user, "expert") else {}  # fmt: skip
    for row in rows:
        row.own_state = ("submitted" if own[row.pk] else "draft") if row.pk in own else ""
    return render(
        request,
        "consultations/consultation_list.html",
        {"consultations": rows, "can_pose": access.poses_consultations(request.user)},
    )


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    """Experts by id; an id beyond a 64-bit integer is refused as an invalid choice before the
    lookup (SQLite raises OverflowError on it: a 500 instead of the form again)."""

    def clean(self, value):
        for item in value or []:
            try:
                number = int(item)
            except (TypeError, ValueError):
                continue  # not a number: the field's own check says so
            if not fits_id(number):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                      params={"value": item})  # fmt: skip
        return super().clean(value)


class ConsultationForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    background = forms.CharField(label=gettext_lazy("Background"), widget=forms.Textarea(attrs={"rows": 6}),
                                 required=False)  # fmt: skip
    addressed_domains = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Ask the experts of these domains (a domain includes those below it)"),
        queryset=Domain.objects.order_by("code"),
        to_field_name="code",
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    addressed_experts = ExpertChoiceField(
        label=gettext_lazy("Ask these experts by name"),
        queryset=Expert.objects.filter(status=Expert.Status.ACTIVE).order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    closes_at = forms.DateTimeField(
        label=gettext_lazy("Answers due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    answers_shared = forms.BooleanField(label=gettext_lazy("Experts see each other's answers before the close"),
                                       required=False)  # fmt: skip
    anonymous = forms.BooleanField(label=gettext_lazy("Show answers without names (Expert A, B, C)"), required=False)
    document = forms.FileField(label=gettext_lazy("Background document (.docx or .pdf, optional)"), required=False)
    open_now = forms.BooleanField(label=gettext_lazy("Open it now and notify the experts"), required=False)


@login_required
def consultation_new(request):
    """Pose a consultation: its questions are a list the page grows (``question`` repeated)."""
    if not access.poses_consultations(request.user):
        raise Http404
    return _pose(request, None)


@login_required
def consultation_edit(request, consultation_id):
    """Change a draft (the same form); once open it is read here, not edited."""
    consultation = _consultation(request, consultation_id)
    if not access.poses_consultations(request.user):
        raise Http404
    if consultation.state != Consultation.State.DRAFT:
        messages.error(request, _("Only a draft consultation can be edited."))
        return redirect("consultations:consultation", consultation_id=consultation.pk)
    return _pose(request, consultation)


def _initial(consultation):
    if consultation is None:
        return None, []
    initial = {
        "title": consultation.title,
        "background": consultation.background,
        "addressed_domains": list(consultation.addressed_domains.all()),
        "addressed_experts": list(consultation.addressed_experts.all()),
        "closes_at": consultation.closes_at,
        "answers_shared": consultation.answers_shared,
        "anonymous": consultation.anonymous,
    }
    return initial, [q.text for q in consultation.questions.all()]


def _pose(request, consultation):
    initial, questions = _initial(consultation)
    form = ConsultationForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST":
        questions = list(request.POST.getlist("question"))
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        open_now = values.pop("open_now")
        document = values.pop("document")
        data = {
            **values,
            "addressed_domains": [d.code for d in values["addressed_domains"]],
            "addressed_experts": [e.pk for e in values["addressed_experts"]],
            "questions": [{"text": text} for text in questions],
        }
        try:
            with transaction.atomic():  # a refused opening leaves no draft behind (nor a half edit)
                if consultation is None:
                    saved = consulting.create_consultation(by=request.user, data=data)
                else:
                    saved = consulting.update_consultation(consultation, by=request.user, data=data)
                if document:
                    consulting.add_background_document(saved, upload=document, by=request.user)
                if open_now:
                    consulting.open_consultation(saved, by=request.user)
            if open_now:
                messages.success(request, _("The consultation is open; the experts asked have been notified."))
            else:
                messages.success(request, _("The consultation is saved as a draft."))
            return redirect("consultations:consultation", consultation_id=saved.pk)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except StateConflict as error:
            messages.error(request, error.message)
    rows = [q for q in questions if q.strip()] + ["", ""]
    return render(
        request, "consultations/consultation_form.html", {"form": form, "questions": rows, "consultation": consultation}
    )


def grouped_answers(user, consultation):
    """The answers ``user`` may read, grouped by question: ``[{"question", "points": [{"author",
    "text", "id"}]}]``, plus the answers themselves (for the sealing digests)."""
    answers = list(access.answers_visible_to(user, consultation))
    labels = access.author_labels(user, consultation, answers)
    by_question = {q.pk: {"question": q, "points": []} for q in consultation.questions.all()}
    for answer in answers:
        for point in answer.live:
            if point.question_id in by_question:
                by_question[point.question_id]["points"].append(
                    {
                        "id": point.pk,
                        "author": labels[answer.pk],
                        "text": point.text,
                        "answer": answer,
                        "response": getattr(point, "response", None),
                    }
                )
    return list(by_question.values()), answers, labels


@login_required
def consultation_detail(request, consultation_id):
    """The reading page (and the board of those who pose it: ``?fragment=1`` is its live part)."""
    consultation = _consultation(request, consultation_id)
    groups, answers, labels = grouped_answers(request.user, consultation)
    poses = access.poses_consultations(request.user)
    context = {
        "consultation": consultation,
        "groups": groups,
        "answers": [{"answer": a, "author": labels[a.pk]} for a in answers if a.submitted_at],
        "poses": poses,
        "recipient": access.is_recipient(request.user, consultation),
        "board": access.can_watch_board(request.user, consultation),
        "others_hidden": not access.others_visible(request.user, consultation),
        "domains": list(consultation.addressed_domains.all()),
        "named": list(consultation.addressed_experts.all()),
        "documents": list(consultation.documents.all()),
    }
    if request.GET.get("fragment"):
        return render(request, "consultations/_consultation_answers.html", context)
    return render(request, "consultations/consultation_detail.html", context)


@login_required
def consultation_document(request, consultation_id, document_id):
    """A background document, streamed after the same check as the consultation's page."""
    consultation = _consultation(request, consultation_id)
    document = consultation.documents.filter(pk=document_id).first()
    if document is None:
        raise Http404
    audit.record(audit.DOWNLOAD, actor=request.user, request=request, obj=consultation, outcome=audit.SUCCESS,
                 document=document.pk)  # fmt: skip
    return FileResponse(document.file.open("rb"), as_attachment=True, filename=document.title)


@login_required
@require_POST
def consultation_state(request, consultation_id):
    consultation = _consultation(request, consultation_id)
    if not access.poses_consultations(request.user):
        raise Http404
    try:
        consulting.transition_consultation(consultation, request.POST.get("state", ""), by=request.user)
        messages.success(request, _("The consultation is now “{state}”.").format(
            state=Consultation.State(consultation.state).label))  # fmt: skip
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect("consultations:consultation", consultation_id=consultation.pk)


def _own_answer(request, consultation):
    """The caller's answer, or ``None`` (with the reason as a message) when the consultation
    closed before they started one: the caller then goes to its reading page, where the
    notification's link and the "My answer" button would otherwise end in a 404."""
    if not access.is_recipient(request.user, consultation):
        raise Http404
    try:
        answer = consulting.ensure_answer(consultation, request.user.expert)
    except StateConflict as error:
        if consultation.state != Consultation.State.CLOSED:
            raise Http404
        messages.info(request, error.message)
        return None
    return access.answers_visible_to(request.user, consultation).get(pk=answer.pk)


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _posted_points(request, consultation):
    """The no-script form: ``point-<question>`` repeated (empty ones dropped), ``pid-<question>``
    the kept ids beside them."""
    points = []
    for question in consultation.questions.all():
        texts = request.POST.getlist(f"point-{question.pk}")
        ids = request.POST.getlist(f"pid-{question.pk}")
        for index, text in enumerate(texts):
            if text.strip():
                point_id = _int(ids[index]) if index < len(ids) else None
                points.append({"id": point_id, "question": question.pk, "text": text})
    return points


@login_required
def consultation_answer(request, consultation_id):
    """The expert's answer: a list of points under each question (autosaved by the page's script
    through the API; the form posts the same when scripts are off)."""
    consultation = _consultation(request, consultation_id)
    answer = _own_answer(request, consultation)
    if answer is None:
        return redirect("consultations:consultation", consultation_id=consultation.pk)
    if request.method == "POST":
        try:
            services.save_opinion(
                answer,
                by=request.user,
                data={"points": _posted_points(request, consultation)},
                expected_version=version_from_form(request.POST.get("version")),
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Your answer is saved."))
        except StaleVersion:
            messages.error(request, _("The answer changed since you opened this page: check it and save again."))
        except (ValidationError, StateConflict) as error:
            _errors(request, error)
        return redirect("consultations:consultation-answer", consultation_id=consultation.pk)
    questions = [
        {"question": q, "points": [p for p in answer.live if p.question_id == q.pk]}
        for q in consultation.questions.all()
    ]
    return render(
        request,
        "consultations/consultation_answer.html",
        {
            "consultation": consultation,
            "answer": answer,
            "questions": questions,
            "writable": access.accepts_answers(consultation),
            "documents": list(consultation.documents.all()),
        },
    )


@login_required
def consultation_answer_submit(request, consultation_id):
    """The confirmation step (GET: the content and the digest it will carry), then the seal."""
    consultation = _consultation(request, consultation_id)
    answer = _own_answer(request, consultation)
    if answer is None:
        return redirect("consultations:consultation", consultation_id=consultation.pk)
    if request.method == "POST":
        try:
            services.submit_opinion(
                answer, by=request.user, expected_version=version_from_form(request.POST.get("version"))
            )
            messages.success(request, _("Your answer is submitted and sealed."))
        except StaleVersion:
            messages.error(request, _("The answer changed since you opened this page: check it and submit again."))
            return redirect("consultations:consultation-answer-submit", consultation_id=consultation.pk)
        except (ValidationError, StateConflict) as error:
            _errors(request, error)
        return redirect("consultations:consultation-answer", consultation_id=consultation.pk)
    content = opinion_content(answer, answer.live)
    questions = {q.pk: q for q in consultation.questions.all()}
    points = [{"question": questions.get(p.question_id), "text": p.text} for p in answer.live]
    return render(
        request,
        "consultations/consultation_submit.html",
        {"consultation": consultation, "answer": answer, "points": points, "digest": digest(content)},
    )


@login_required
def consultation_export(request, consultation_id, kind):
    """The answers grouped by question as .docx or .xlsx, as the caller may read them."""
    consultation = _consultation(request, consultation_id)
    if kind not in exports.BUILDERS:
        raise Http404
    groups, answers, labels = grouped_answers(request.user, consultation)
    content = exports.BUILDERS[kind](consultation, groups, answers, labels,
                                     asked=access.sees_who_is_asked(request.user))  # fmt: skip
    audit.record(audit.EXPORT, actor=request.user, request=request, obj=consultation, outcome=audit.SUCCESS,
                 export=f"consultation.{kind}")  # fmt: skip
    response = HttpResponse(content, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="consultation-{consultation.pk}.{kind}"'
    return response
