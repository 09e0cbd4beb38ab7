"""``POST /api/v1/draws/batch/``: the secretariat draws the panels of several reviews at once
(``reviews.draw.services.batch_draw_reviews``: one integer program, all or nothing, unwitnessed).

Kept beside ``reviews/api.py`` rather than in ``reviews/draw/``: it answers with
``reviews.serializers.DrawSerializer``, which reads ``reviews.draw``, and sibling packages never
import each other both ways. The view translates; what refuses a batch is
``reviews.draw.selectors.batch_refusals`` and the service."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import MAX_ID, IdField, error_response
from reviews import rules
from reviews.draw import services as draw_services
from reviews.draw.selectors import MAX_BATCH, batch_refusals
from reviews.models import Draw
from reviews.serializers import DrawSerializer


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "minItems": 1,
        "maxItems": MAX_BATCH,
        "uniqueItems": True,
        "description": "The ids of reviews waiting for a panel (drafts with neither draw nor commitment).",
    }
)
class ReviewIdsField(serializers.ListField):
    """Review ids; emptiness, repeats and the rest are ``batch_refusals``' to say, naming the review."""

    child = IdField()


class BatchDrawRequestSerializer(serializers.Serializer):
    reviews = ReviewIdsField()


def _refused(refusals):
    """400 naming ``reviews``, each message naming its review; ``refused`` says it for machines."""
    messages = [refusal.message for refusal in refusals]
    refused = [{"review": r.review, "rule": r.rule, "detail": r.message} for r in refusals]
    return error_response(messages[0], status_code=400, errors={"reviews": messages}, refused=refused)


class BatchDrawView(APIView):
    @extend_schema(
        operation_id="draws_batch_create",
        request=BatchDrawRequestSerializer,
        responses={201: DrawSerializer(many=True)},
        examples=[OpenApiExample("Three reviews", value={"reviews": [12, 13, 15]}, request_only=True)],
        description="Draw the panels of several reviews at once with one integer program, so that no expert "
        "exceeds their load cap (docs/procedure.md). Unwitnessed: each review gets a commitment (source "
        '"system"), and one seed is derived from all their digests; each draw\'s record replays the whole '
        "batch. All or nothing: the panels are invited and the reviews move to `inviting`, or nothing is "
        "written. 201: one draw per review, in the order named, as `GET /draws/{id}/`. 400 naming `reviews`: "
        "none, more than 500, one named twice, one that does not exist, one not waiting for a panel, one "
        "whose pool cannot give its panel, or a batch the load caps cannot fill; `refused` lists "
        "`{review, rule, detail}` (`review` null for the batch as a whole). 403 for everyone but the "
        "secretariat; 409 when another draw took a review meanwhile.",
    )
    def post(self, request):
        if not rules.can_manage_review(request.user):  # before reading the body
            raise exceptions.PermissionDenied(_("Only the secretariat draws panels."))
        data = BatchDrawRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        named = data.validated_data["reviews"]
        reviews, refusals = batch_refusals(named)
        if refusals:
            return _refused(refusals)
        try:
            draws, _stats = draw_services.batch_draw_reviews(reviews, by=request.user)
        except draw_services.DrawInfeasible as error:  # the batch as a whole: the load caps cannot fill it
            problem = " ".join(error.messages)
            refused = [{"review": None, "rule": error.code, "detail": problem}]
            return error_response(problem, status_code=400, errors={"reviews": [problem]}, refused=refused,
                                  rule=error.code)  # fmt: skip
        by_review = {draw.review_id: draw.pk for draw in draws}
        stored = Draw.objects.select_related("commitment").prefetch_related("changes").in_bulk(by_review.values())
        ordered = [stored[by_review[review_id]] for review_id in named]
        return Response(DrawSerializer(ordered, many=True).data, status=status.HTTP_201_CREATED)
