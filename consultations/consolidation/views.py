"""Portal pages of issue 6: the commission's workspace, the consolidation reading view (group
opinion, confirmations, answers to points, documents, the package, publication), honoraria, and
each expert's page of answers to their points. Pages render and call services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.consolidation import documents, honoraria
from consultations.consolidation import services as rules
from consultations.consolidation.api import document_names, document_response, visible_review
from consultations.consolidation.models import GeneratedDocument
from consultations.opinions import selectors
from consultations.opinions.models import Opinion
from consultations.responses import services as responses
from consultations.responses.models import Response, ResponsePackage
from core.errors import StateConflict
from experts import audit, roles
from reviews import permissions
from reviews import selectors as review_selectors
from reviews.models import Review

WORKSPACE_STATES = (Review.State.OPEN, *permissions.CLOSED_STATES)


def _review(request, review_id):
    review = visible_review(request.user, review_id)
    if review is None:
        raise Http404
    return review


def _errors(request, error):
    for message in getattr(error, "messages", None) or [getattr(error, "message", str(error))]:
        messages.error(request, message)


def may_use_workspace(user):
    return (
        roles.has_role(user, roles.COMMISSION)
        or roles.has_role(user, roles.DEPARTMENT)
        or (permissions.is_secretariat(user))
    )


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


@login_required
def workspace(request):
    """The commission's (or a department's) reviews with their state and live tallies."""
    if not may_use_workspace(request.user):
        raise Http404
    reviews = list(workspace_reviews(request.user)[:200])
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
    data = rules.consolidate(review, user=request.user)
    package = ResponsePackage.objects.filter(review=review).first()
    user = request.user
    expert = rules.panel_expert(user, review)
    kinds = {
        d.kind: d
        for d in GeneratedDocument.objects.filter(
            consolidation=data["consolidation"], key=documents.content_key(review, data["names"])
        )
    }
    answerable = responses.can_answer_for(user, review)
    return render(
        request,
        "consultations/consolidation/reading.html",
        {
            **data,
            "tally_chart": documents.tally_chart(data["tallies"]),
            "spread_chart": documents.spread_chart(data["scores"]),
            "conclusion_labels": dict(Opinion.Conclusion.choices),
            "agreement_label": documents.agreement_label(data["agreement"]),
            "can_edit": rules.can_edit(user, review) and review.state in rules.WORKING_STATES and not package,
            "can_confirm": bool(expert) and review.state in rules.WORKING_STATES and not package,
            "confirmed_by_me": bool(expert)
            and any(m["expert"] == expert.pk and m["confirmation"] for m in data["panel"]),
            "can_answer": answerable and not package and review.state in rules.WORKING_STATES,
            "statuses": Response.Status.choices,
            "package": package,
            "open_points": responses.open_points(review).count(),
            "can_publish": bool(package) and permissions.is_secretariat(user) and not package.conclusion_page_id,
            "documents": [(kind, kinds.get(kind)) for kind in documents.BUILDERS],
            "seq": selectors.last_seq(review),
            "is_secretariat": permissions.is_secretariat(user),
        },
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def save_group_opinion(request, review_id):
    """The no-JavaScript path of the editor (the page's script uses the API with If-Match)."""
    review = _review(request, review_id)
    if not rules.can_edit(request.user, review):
        raise Http404
    try:
        rules.save_group_opinion(
            review,
            by=request.user,
            text=request.POST.get("group_opinion", ""),
            expected_version=_int(request.POST.get("version")),
            reason=request.POST.get("reason", ""),
        )
        messages.success(request, _("The group opinion is saved."))
    except rules.StaleConsolidation:
        messages.error(
            request, _("Someone saved the group opinion after you opened the page: check it and save again.")
        )
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect("consultations:consolidation", review_id=review.pk)


@login_required
@require_POST
def confirm(request, review_id):
    review = _review(request, review_id)
    try:
        rules.confirm_group_opinion(review, by=request.user, version=_int(request.POST.get("version")))
        messages.success(request, _("You confirmed the group opinion."))
    except rules.StaleConsolidation:
        messages.error(request, _("The group opinion changed since you opened the page: read it and confirm again."))
    except StateConflict as error:
        _errors(request, error)
    return redirect("consultations:consolidation", review_id=review.pk)


@login_required
@require_POST
def answer(request, point_id):
    point = responses.visible_point(request.user, point_id)
    if point is None or not responses.can_answer(request.user, point):
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
    from django.urls import reverse

    return reverse("consultations:consolidation", args=[review_id])


@login_required
@require_POST
def finalise(request, review_id):
    review = _review(request, review_id)
    if not responses.can_answer_for(request.user, review):
        raise Http404
    try:
        responses.finalise_package(review, by=request.user)
        messages.success(request, _("The response package is final; the experts have been told."))
    except (ValidationError, StateConflict) as error:
        _errors(request, error)
    return redirect("consultations:consolidation", review_id=review.pk)


@login_required
@require_POST
def publish(request, review_id):
    review = _review(request, review_id)
    package = ResponsePackage.objects.filter(review=review).first()
    if package is None or not permissions.is_secretariat(request.user):
        raise Http404
    try:
        page = responses.publish_conclusion(package, by=request.user, show_names=request.POST.get("show_names") == "1")
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
def honoraria_view(request, review_id):
    """The panel's fees for a closed review (the secretariat); ``?xlsx=1`` for the finance office."""
    review = _review(request, review_id)
    if not permissions.is_secretariat(request.user):
        raise Http404
    days = max(1, min(_int(request.GET.get("days")) or 1, 30))
    if request.GET.get("xlsx"):
        audit.record(audit.EXPORT, actor=request.user, request=request, obj=review, outcome=audit.SUCCESS,
                     export="honoraria.xlsx")  # fmt: skip
        response = HttpResponse(
            honoraria.honoraria_xlsx(review, days=days), content_type=documents.CONTENT_TYPES["xlsx"]
        )
        response["Content-Disposition"] = f'attachment; filename="honoraria-{review.pk}.xlsx"'
        return response
    rows = honoraria.honoraria(review, days=days)
    return render(
        request,
        "consultations/consolidation/honoraria.html",
        {"review": review, "rows": rows, "days": days, "total": sum(r["fee"] for r in rows)},
    )


@login_required
def my_points(request):
    """An expert's own points, with the answer to each once the package is final."""
    points = list(responses.answered_points_of(request.user))
    return render(request, "consultations/consolidation/my_points.html", {"points": points})
