"""Portal pages of issue 6: the commission's workspace, the consolidation reading view (group
opinion, confirmations, answers to points, documents, the package, publication), and each
expert's page of answers to their points. Pages render and call services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.consolidation import (
    answers_due,
    charts,
    confirmations,
    content,
    documents,
    package,
    rules,
    selectors,
    services,
)
from consultations.consolidation.api import document_names, document_response, visible_review
from consultations.consolidation.models import GeneratedDocument
from consultations.opinions import selectors as opinion_selectors
from consultations.opinions.models import Opinion
from consultations.responses import rules as response_rules
from consultations.responses import selectors as response_selectors
from consultations.responses import services as responses
from consultations.responses.models import Response, ResponsePackage
from core.errors import StateConflict
from core.versioning import version_from_form
from reviews import rules as review_rules


def _review(request, review_id):
    review = visible_review(request.user, review_id)
    if review is None:
        raise Http404
    return review


def _errors(request, error):
    for message in getattr(error, "messages", None) or [getattr(error, "message", str(error))]:
        messages.error(request, message)


@login_required
def workspace(request):
    """The commission's (or a department's) reviews with their state and live tallies."""
    if not rules.may_use_workspace(request.user):
        raise Http404
    reviews = list(selectors.workspace_reviews(request.user)[:200])
    for review in reviews:
        review.tallies = [(c.label, getattr(review, f"n_{c.value}")) for c in Opinion.Conclusion]
    template = "consultations/consolidation/_workspace_rows.html" if request.GET.get("rows") else None
    return render(
        request,
        template or "consultations/consolidation/workspace.html",
        {"reviews": reviews},
    )


@login_required
def reading(request, review_id):
    """The consolidation reading view."""
    review = _review(request, review_id)
    data = selectors.consolidate(review, user=request.user)
    context = {**data, **_reading_rights(request.user, review, data)}
    kinds = {
        d.kind: d
        for d in GeneratedDocument.objects.filter(
            consolidation=data["consolidation"], key=documents.content_key(review, data["names"])
        )
    }
    context.update(
        {
            "tally_chart": charts.tally_chart(data["tallies"]),
            "spread_chart": charts.spread_chart(data["scores"]),
            "conclusion_labels": dict(Opinion.Conclusion.choices),
            "agreement_label": documents.agreement_label(data["agreement"]),
            "statuses": Response.Status.choices,
            "open_points": response_selectors.open_points(review).count(),
            "documents": [(kind, kinds.get(kind)) for kind in documents.BUILDERS],
            "seq": opinion_selectors.last_seq(review),
            "answer_kinds": [(k.value, k.label) for k in confirmations.ANSWER_KINDS],
            "answer_draft": request.session.pop("answer_draft", None),
            "answer_counts": _answer_counts(data["panel"]),
            "sealed_by_label": content.sealed_by_label(data["sealed_by"]),
            "answers_overdue": _overdue_days(data["consolidation"], context["package"]),
            "answer_reminders": list(
                data["consolidation"].answer_reminders.filter(due_on=data["consolidation"].answers_due_on)
            ),
        }
    )
    return render(request, "consultations/consolidation/reading.html", context)


def _reading_rights(user, review, data):
    """What the reading view offers ``user``: each form only while the rule and the stage allow it."""
    final = ResponsePackage.objects.filter(review=review).first()
    expert = rules.panel_expert(user, review)
    working = review.state in services.WORKING_STATES and not final
    consolidation = data["consolidation"]
    open_for_answers = working and bool(consolidation.group_opinion) and not consolidation.sealed_at
    mine = next((m["confirmation"] for m in data["panel"] if expert and m["expert"] == expert.pk), None)
    sealer = rules.can_seal(user, review) and open_for_answers
    return {
        "package": final,
        "can_edit": rules.can_edit(user, review) and working,
        "can_confirm": bool(expert) and open_for_answers,
        "my_answer": mine,
        "confirmed_by_me": bool(mine),
        "can_seal": sealer,
        "seal_due": sealer and confirmations.may_seal_now(review, consolidation),
        "can_answer": rules.can_respond(user, review) and working,
        "can_set_answers_due": rules.can_set_answers_due(user, review) and working,
        "can_publish": bool(final) and rules.can_publish_conclusion(user) and not final.conclusion_page_id,
        "is_secretariat": review_rules.is_secretariat(user),
        "can_archive": rules.can_download_archive(user, review) and review.state != review.State.CLOSED,
    }


def _overdue_days(consolidation, final):
    """How many days the answers are overdue (0: not overdue, or the package is final)."""
    if final or consolidation.answers_due_on is None:
        return 0
    return max(0, (timezone.localdate() - consolidation.answers_due_on).days)


def _answer_counts(panel):
    answers = [m["confirmation"].kind for m in panel if m["confirmation"]]
    return {"answered": sum(k != "no_answer" for k in answers), "panel": len(panel)}


@login_required
@require_POST
def save_group_opinion(request, review_id):
    """The no-JavaScript path of the editor (the page's script uses the API with If-Match)."""
    review = _review(request, review_id)
    if not rules.can_edit(request.user, review):
        raise Http404
    try:
        services.save_group_opinion(
            review,
            by=request.user,
            text=request.POST.get("group_opinion", ""),
            expected_version=version_from_form(request.POST.get("version")),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("The group opinion is saved."))
    except services.StaleConsolidation:
        messages.error(
            request, _("Someone saved the group opinion after you opened the page: check it and save again.")
        )
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect("consultations:consolidation", review_id=review.pk)


@login_required
@require_POST
def confirm(request, review_id):
    """A panel member's answer: confirm, confirm with reservations, or refuse to sign."""
    review = _review(request, review_id)
    try:
        confirmations.answer_group_opinion(
            review,
            by=request.user,
            kind=request.POST.get("kind", ""),
            text=request.POST.get("text", ""),
            version=version_from_form(request.POST.get("version")),
        )
        messages.success(request, _("Your answer to the group opinion is recorded."))
    except services.StaleConsolidation:
        messages.error(request, _("The group opinion changed since you opened the page: read it and answer again."))
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
        request.session["answer_draft"] = {"kind": request.POST.get("kind", ""), "text": request.POST.get("text", "")}
    return redirect(f"{_reading_url(review.pk)}#answer")


@login_required
@require_POST
def seal(request, review_id):
    review = _review(request, review_id)
    if not rules.can_seal(request.user, review):
        raise Http404
    try:
        confirmations.seal_group_opinion(review, by=request.user)
        messages.success(request, _("The group opinion is sealed."))
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect(f"{_reading_url(review.pk)}#group")


@login_required
@require_POST
def deadline(request, review_id):
    review = _review(request, review_id)
    if not rules.can_seal(request.user, review):
        raise Http404
    try:
        confirmations.set_confirmation_deadline(
            review, by=request.user, confirm_by=_local_moment(request.POST.get("confirm_by", ""))
        )
        messages.success(request, _("The confirmation deadline is saved."))
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect(f"{_reading_url(review.pk)}#group")


def _local_moment(value):
    """A ``datetime-local`` field's value in the site's time zone; empty: ``None`` (no deadline)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        moment = parse_datetime(value)
    except ValueError:
        moment = None
    if moment is None:
        raise ValidationError({"confirm_by": [_("Give the deadline as a date and a time.")]})
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@login_required
@require_POST
def set_answers_due(request, review_id):
    """The commission sets (or, with an empty field, clears) the due date of the answers."""
    review = _review(request, review_id)
    if not rules.can_set_answers_due(request.user, review):
        raise Http404
    try:
        consolidation = answers_due.set_answers_due(
            review,
            by=request.user,
            due_on=_day(request.POST.get("answers_due_on", "")),
            expected_version=version_from_form(request.POST.get("version")),
        )
        if consolidation.answers_due_on:
            day = consolidation.answers_due_on.isoformat()
            messages.success(request, _("The answers to the points are due on {day}.").format(day=day))
        else:
            messages.success(request, _("The due date of the answers is cleared."))
    except services.StaleConsolidation:
        messages.error(request, _("The group opinion changed since you opened the page: check it and save again."))
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect(f"{_reading_url(review.pk)}#points")


def _day(value):
    """A ``date`` field's value; empty: ``None`` (no due date)."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = parse_date(value)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({"answers_due_on": [_("Give the day as a date (YYYY-MM-DD).")]})
    return day


@login_required
def answers_overdue(request):
    """The answers overdue (督办), for the commission (and the secretariat)."""
    if not rules.may_chase_answers(request.user):
        raise Http404
    rows = selectors.overdue_answers()
    return render(request, "consultations/consolidation/answers_overdue.html", {"rows": rows})


@login_required
@require_POST
def answer(request, point_id):
    point = response_selectors.visible_point(request.user, point_id)
    if point is None or not response_rules.can_answer(request.user, point):
        raise Http404
    try:
        responses.answer_point(
            point, by=request.user, status=request.POST.get("status", ""), reason=request.POST.get("reason", "")
        )
        messages.success(request, _("The answer is saved."))
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    if point.proposal_id:  # a proposal's suggestion: back to the proposal
        return redirect(f"{reverse('consultations:proposal', args=[point.proposal_id])}#point-{point.pk}")
    if point.opinion.consultation_id:  # a point of a consultation's answer: back to the consultation
        consultation_url = reverse("consultations:consultation", args=[point.opinion.consultation_id])
        return redirect(f"{consultation_url}#point-{point.pk}")
    return redirect(f"{_reading_url(point.opinion.review_id)}#point-{point.pk}")


def _reading_url(review_id):
    return reverse("consultations:consolidation", args=[review_id])


@login_required
@require_POST
def finalise(request, review_id):
    review = _review(request, review_id)
    if not rules.can_respond(request.user, review):
        raise Http404
    try:
        package.finalise_package(review, by=request.user)
        messages.success(request, _("The response package is final; the experts have been told."))
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect("consultations:consolidation", review_id=review.pk)


@login_required
@require_POST
def publish(request, review_id):
    review = _review(request, review_id)
    final = ResponsePackage.objects.filter(review=review).first()
    if final is None or not rules.can_publish_conclusion(request.user):
        raise Http404
    try:
        page = package.publish_conclusion(final, by=request.user, show_names=request.POST.get("show_names") == "1")
        messages.success(request, _("The conclusion page “{title}” waits for approval.").format(title=page.title))
    except StateConflict as error:
        _errors(request, error)
    return redirect("consultations:consolidation", review_id=review.pk)


@login_required
def document(request, review_id, kind):
    """Download a document, or (``?status=1``) its state and progress as JSON for the page."""
    review = _review(request, review_id)
    if kind not in documents.BUILDERS:
        raise Http404
    if request.GET.get("status") or request.method == "POST":
        made = documents.request_document(review, kind, names=document_names(request.user, review))
        made.refresh_from_db()
        return JsonResponse({"state": made.state, "progress": made.progress})
    response = document_response(request, review, kind)
    if response.status_code == 202:
        return redirect(f"{_reading_url(review.pk)}#documents")
    return response


@login_required
def my_points(request):
    """An expert's own points, with the answer to each once the package is final."""
    points = list(response_selectors.answered_points_of(request.user))
    return render(request, "consultations/consolidation/my_points.html", {"points": points})
