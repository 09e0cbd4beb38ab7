"""Answers to points (采纳情况反馈), the response package, the experts' feedback and the
publication of a finalised package as a conclusion page on the committee site.

A ``Response`` belongs to a ``Point`` of the one global id space: today the points of opinions;
the next issue adds those of consultation answers and proposals (``can_answer`` grows a branch).
"""

import hashlib
import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.opinions.canonical import normalise_text
from consultations.opinions.models import Point
from consultations.responses.models import Response, ResponsePackage
from core.errors import StateConflict
from experts import roles
from reviews import events as review_events
from reviews import permissions
from reviews.models import Review

MAX_REASON = 5000


# ---------------------------------------------------------------- who may


def review_of(point):
    return point.opinion.review if point.opinion_id else None


def can_see_point(user, point):
    """Whoever may read the consolidation of the point's review; for a proposal's suggestion,
    whoever may see the proposal."""
    from consultations.consolidation.services import can_view

    if point.proposal_id:
        from consultations.proposals.services import can_see_proposal

        return can_see_proposal(user, point.proposal)
    if point.opinion.consultation_id:
        from consultations.inquiries.services import can_see_answer_point

        return can_see_answer_point(user, point)
    review = review_of(point)
    return review is not None and point.opinion.submitted_at is not None and can_view(user, review)


def can_answer(user, point):
    """The commission for every plan; a department's staff for their own plans; for a proposal's
    suggestion, the commission or the staff of the department it was routed to."""
    if point.proposal_id:
        from consultations.proposals.services import can_answer_proposal_point

        return can_answer_proposal_point(user, point)
    if point.opinion.consultation_id:
        from consultations.inquiries.services import can_answer_answer_point

        return can_answer_answer_point(user, point)
    return can_answer_for(user, review_of(point))


def can_answer_for(user, review):
    if review is None or not user.is_authenticated:
        return False
    if roles.has_role(user, roles.COMMISSION):
        return True
    own = permissions.staff_organization_id(user)
    return own is not None and own == review.plan.submitted_by_id


def visible_point(user, point_id):
    related = ("opinion__review__plan", "opinion__consultation", "opinion__expert", "proposal__author", "response")
    point = Point.objects.select_related(*related).filter(pk=point_id).first()
    if point is None or point.removed or not can_see_point(user, point):
        return None
    return point


# ---------------------------------------------------------------- answering


def clean_response(status, reason):
    errors = {}
    reason = normalise_text(reason)
    if status not in Response.Status.values:
        errors["status"] = [_("Choose adopted, partly_adopted or not_adopted.")]
    elif status != Response.Status.ADOPTED and not reason:
        errors["reason"] = [_("Give the reason when a point is not or only partly adopted.")]
    if len(reason) > MAX_REASON:
        errors["reason"] = [_("The reason is at most {n} characters.").format(n=MAX_REASON)]
    if errors:
        raise ValidationError(errors)
    return reason


@transaction.atomic
def answer_point(point, *, by, status, reason=""):
    """Record (or change) the one answer to ``point``. Allowed while the review is closed or
    consolidated and its package is not final."""
    reason = clean_response(status, reason)
    if point.proposal_id:
        from consultations.proposals.services import answer_proposal_point

        return answer_proposal_point(point, by=by, status=status, reason=reason)
    if point.opinion.consultation_id:
        from consultations.inquiries.services import answer_answer_point

        return answer_answer_point(point, by=by, status=status, reason=reason)
    review = review_of(point)
    if review.state not in (Review.State.CLOSED, Review.State.CONSOLIDATED):
        raise StateConflict(_("Points are answered after the review closes and before the package is final."))
    if ResponsePackage.objects.filter(review=review).exists():
        raise StateConflict(_("The response package is final: its answers no longer change."))
    response = Response.objects.select_for_update().filter(point=point).first() or Response(point=point)
    response.status, response.reason, response.by, response.at = status, reason, by, timezone.now()
    response._history_user = by
    response._change_reason = "answered"
    response.save()
    review_events.emit_review_event(review, "response.saved", point=point.pk, status=status)
    return response


def open_points(review):
    """The live points of sealed opinions that have no answer yet."""
    return Point.objects.filter(
        opinion__review=review, opinion__submitted_at__isnull=False, removed=False, response__isnull=True
    )


def package_rows(review):
    from consultations.consolidation.services import letters_for

    letters = letters_for(review)
    points = (
        Point.objects.filter(opinion__review=review, opinion__submitted_at__isnull=False, removed=False)
        .select_related("opinion__expert", "response")
        .order_by("opinion__assignment_id", "position", "id")
    )
    return [
        {
            "point": p.id,
            "section": p.section,
            "text": p.text,
            "expert": p.opinion.expert_id,
            "expert_name": p.opinion.expert.name,
            "letter": letters.get(p.opinion.assignment_id, ""),
            "status": p.response.status,
            "reason": p.response.reason,
        }
        for p in points
    ]


@transaction.atomic
def finalise_package(review, *, by):
    """Freeze the plan version, the consolidation version and the table of responses; the review
    becomes ``responded`` and each expert is told how their points were answered."""
    from consultations.consolidation.models import Consolidation
    from reviews.services import transition

    locked = Review.objects.select_for_update().get(pk=review.pk)
    if ResponsePackage.objects.filter(review=locked).exists():
        raise StateConflict(_("The response package is already final."))
    consolidation = Consolidation.objects.filter(review=locked).first()
    if locked.state != Review.State.CONSOLIDATED or consolidation is None or not consolidation.sealed_at:
        raise StateConflict(_("The package is finalised once the panel has confirmed the group opinion."))
    missing = open_points(locked).count()
    if missing:
        raise ValidationError(
            {"responses": [_("{n} point(s) have no answer yet: answer every point first.").format(n=missing)]}
        )
    rows = package_rows(locked)
    content = {
        "review": locked.pk,
        "plan_version": locked.plan_version_id,
        "consolidation_version": consolidation.version,
        "consolidation_digest": consolidation.digest,
        "responses": rows,
    }
    package = ResponsePackage(
        review=locked,
        plan_version_id=locked.plan_version_id,
        consolidation_version=consolidation.version,
        responses=rows,
        digest=hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest(),
        finalised_by=by,
    )
    package._history_user = by
    package._change_reason = "finalised"
    package.save()
    transition(locked, Review.State.RESPONDED, by=by, reason="response package finalised")
    _tell_experts(locked, rows)
    return package


def _tell_experts(review, rows):
    from core.notify import notify
    from experts.models import Expert

    per_expert = {}
    for row in rows:
        per_expert.setdefault(row["expert"], []).append(row)
    experts = Expert.objects.filter(pk__in=per_expert, user__isnull=False).select_related("user")
    for expert in experts:
        answered = per_expert[expert.pk]
        adopted = sum(1 for r in answered if r["status"] == Response.Status.ADOPTED)
        notify(
            expert.user,
            kind="response",
            text=_("Your {n} point(s) on “{plan}” have been answered ({adopted} adopted).").format(
                n=len(answered), plan=review.plan.title, adopted=adopted
            ),
            url=reverse("consultations:my-points"),
        )


# ---------------------------------------------------------------- feedback to experts


def answered_points_of(user):
    """The caller's own points whose review has a finalised package, with their answers."""
    return (
        Point.objects.filter(
            opinion__expert__user=user,
            removed=False,
            opinion__submitted_at__isnull=False,
            opinion__review__response_package__isnull=False,
        )
        .select_related("opinion__review__plan", "response")
        .order_by("-opinion__review__response_package__finalised_at", "position", "id")
    )


def adoption_counts(expert_ids):
    """``{expert_id: (points answered in finalised packages, adopted, partly adopted)}``."""
    from django.db.models import Count, Q

    rows = (
        Point.objects.filter(
            opinion__expert_id__in=list(expert_ids),
            removed=False,
            opinion__review__response_package__isnull=False,
            response__isnull=False,
        )
        .order_by()
        .values("opinion__expert_id")
        .annotate(
            points=Count("id"),
            adopted=Count("id", filter=Q(response__status=Response.Status.ADOPTED)),
            partly=Count("id", filter=Q(response__status=Response.Status.PARTLY_ADOPTED)),
        )
    )
    return {row["opinion__expert_id"]: (row["points"], row["adopted"], row["partly"]) for row in rows}


# ---------------------------------------------------------------- publication


@transaction.atomic
def publish_conclusion(package, *, by, show_names=False):
    """Make a draft ``ConclusionPage`` from a finalised package (the redaction step decides
    whether experts' names show) and submit it to the site's approval workflow.

    Returns the page; its id is kept on the package so it is made only once."""
    from django.utils.html import escape

    from cms.models import ConclusionIndexPage, ConclusionPage
    from cms.publishing import approval_workflow

    if not permissions.is_secretariat(by):
        raise StateConflict(_("The secretariat publishes conclusions."))
    if package.conclusion_page_id:
        raise StateConflict(_("This package has already been turned into a conclusion page."))
    index = ConclusionIndexPage.objects.order_by("path").first()
    if index is None:
        raise StateConflict(_("The site has no conclusions section to publish under."))
    review = package.review
    consolidation = review.consolidation
    opinion = "".join(f"<p>{escape(line)}</p>" for line in consolidation.group_opinion.splitlines() if line.strip())
    rows = [
        (
            "response",
            {
                "section": row["section"],
                "point": row["text"][:2000],
                "expert": row["expert_name"],
                "status": row["status"],
                "reason": row["reason"][:2000],
            },
        )
        for row in package.responses
    ]
    page = ConclusionPage(
        title=_("Conclusion on “{plan}”").format(plan=review.plan.title)[:255],
        slug=f"review-{review.pk}",
        plan_title=review.plan.title,
        concluded_on=timezone.localdate(package.finalised_at),
        opinion=opinion or "<p></p>",
        responses=rows,
        show_expert_names=bool(show_names),
        live=False,
        owner=by,
    )
    index.add_child(instance=page)
    revision = page.save_revision(user=by, log_action=True)
    approval_workflow()
    workflow = page.get_workflow()
    if workflow is not None:
        workflow.start(page, by)
    package.conclusion_page_id = page.pk
    package._history_user = by
    package._change_reason = "published as a conclusion page"
    package.save(update_fields=["conclusion_page_id"])
    del revision
    return page
