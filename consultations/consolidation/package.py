"""The response package of a review (what the department files: the plan version, the
consolidation version and the table of answers), finalised once every point has an answer and
then published by the secretariat as a conclusion page on the committee site."""

import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from consultations.consolidation.models import Consolidation
from consultations.consolidation.rules import can_publish_conclusion, can_respond
from consultations.consolidation.selectors import letters_for
from consultations.opinions.models import Point
from consultations.responses import signals
from consultations.responses.models import Response, ResponsePackage
from consultations.responses.selectors import open_points
from core.errors import StateConflict
from reviews.models import Review


def package_rows(review):
    """The table of answers: every live point of the sealed opinions, with its expert's name and
    letter, in the order of the panel."""
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


def _ready_to_finalise(review):
    """The review locked, with its sealed consolidation; refuses a final or unsealed package and
    a point without an answer."""
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
    return locked, consolidation


@transaction.atomic
def finalise_package(review, *, by):
    """Freeze the plan version, the consolidation version and the table of responses; the review
    becomes ``responded`` and each expert is told how their points were answered."""
    from reviews.services import transition

    if not can_respond(by, review):
        raise PermissionDenied
    locked, consolidation = _ready_to_finalise(review)
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
    """The portal for each author of answered points; a text message (the "answer" template) too."""
    from core.notify import notify
    from experts.models import Expert
    from experts.notices import outbox

    per_expert = {}
    for row in rows:
        per_expert.setdefault(row["expert"], []).append(row)
    experts = list(Expert.objects.filter(pk__in=per_expert, user__isnull=False).select_related("user"))
    outbox.queue_sms_many([(e, {"title": review.plan.title}, review) for e in experts], kind="answer")
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


@transaction.atomic
def publish_conclusion(package, *, by, show_names=False):
    """Have the committee site draft a ``ConclusionPage`` from a finalised package (the redaction
    step decides whether experts' names show), submitted to the site's approval workflow.

    Returns the page; its id is kept on the package so it is made only once."""
    if not can_publish_conclusion(by):
        raise StateConflict(_("The secretariat publishes conclusions."))
    if package.conclusion_page_id:
        raise StateConflict(_("This package has already been turned into a conclusion page."))
    page = signals.drafted_page(
        signals.conclusion_page_requested, sender=ResponsePackage, package=package, by=by, show_names=show_names
    )
    package.conclusion_page_id = page.pk
    package._history_user = by
    package._change_reason = "published as a conclusion page"
    package.save(update_fields=["conclusion_page_id"])
    return page
