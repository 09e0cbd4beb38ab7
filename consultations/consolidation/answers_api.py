"""The API of the panel's answers to the group opinion, its confirmation deadline and its seal
(``confirmations``). Whoever may not read the consolidation gets 404; a reader who may not act
gets 403; a refusal of the service is answered by ``core.rest`` (400 naming the field, 409 for the
state); a stale ``version`` gets 409 with the current consolidation."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiTypes, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from consultations.consolidation import confirmations, rules, selectors
from consultations.consolidation.api import consolidation_json, review_or_404
from consultations.consolidation.api_schema import ConsolidationRead
from consultations.consolidation.services import StaleConsolidation
from core.rest import DateTimeField, TextField, error_response
from core.versioning import with_etag


class AnswerSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[(k.value, k.label) for k in confirmations.ANSWER_KINDS],
        help_text="confirm; reservation (confirm with reservations); refusal (refuse to sign).",
    )
    text = TextField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        max_length=confirmations.MAX_ANSWER_TEXT,
        help_text="The reservations, or the reason for a refusal: required for those two, empty for confirm.",
    )
    version = serializers.IntegerField(
        required=False, min_value=0, max_value=2**31 - 1, help_text="The version answered; 409 if no longer current."
    )


class DeadlineSerializer(serializers.Serializer):
    confirm_by = DateTimeField(allow_null=True, help_text="The confirmation deadline, in the future; null clears it.")


def _answer(request, review):
    data = selectors.consolidate(review, user=request.user)
    return with_etag(Response(consolidation_json(data)), data["consolidation"].version)


def _stale(request, review):
    data = selectors.consolidate(review, user=request.user)
    response = error_response(
        _("The group opinion changed since you read it: read the current version and answer again."),
        status_code=status.HTTP_409_CONFLICT,
        version=data["consolidation"].version,
        current=consolidation_json(data),
    )
    return with_etag(response, data["consolidation"].version)


class ConfirmationView(APIView):
    """A panel member's answer to the current version of the group opinion, once it is up for
    confirmation: confirm, confirm with reservations (``text`` required) or refuse to sign
    (``text``: the reason, required). Changeable until the seal; 409 after it."""

    @extend_schema(request=AnswerSerializer, responses={200: ConsolidationRead, 409: OpenApiTypes.OBJECT})
    def post(self, request, review_id):
        review = review_or_404(request, review_id)
        if not rules.can_confirm(request.user, review):
            raise exceptions.PermissionDenied(_("Only a panel member answers the group opinion."))
        body = AnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            confirmations.answer_group_opinion(
                review,
                by=request.user,
                kind=body.validated_data["kind"],
                text=body.validated_data.get("text", ""),
                version=body.validated_data.get("version"),
            )
        except StaleConsolidation:
            return _stale(request, review)
        return _answer(request, review)


class SealView(APIView):
    """The chair or the secretariat seals the group opinion: once the deadline has passed, or
    earlier when every member has answered (409 otherwise). Members who did not answer are
    recorded as ``no_answer``."""

    @extend_schema(request=None, responses={200: ConsolidationRead, 409: OpenApiTypes.OBJECT})
    def post(self, request, review_id):
        review = review_or_404(request, review_id)
        if not rules.can_seal(request.user, review):
            raise exceptions.PermissionDenied(_("The chair and the secretariat seal the group opinion."))
        confirmations.seal_group_opinion(review, by=request.user)
        return _answer(request, review)


class DeadlineView(APIView):
    """The chair or the secretariat sets the confirmation deadline (``confirm_by``) of the
    unsealed group opinion; null clears it."""

    @extend_schema(request=DeadlineSerializer, responses={200: ConsolidationRead, 409: OpenApiTypes.OBJECT})
    def put(self, request, review_id):
        review = review_or_404(request, review_id)
        if not rules.can_seal(request.user, review):
            raise exceptions.PermissionDenied(_("The chair and the secretariat set the confirmation deadline."))
        body = DeadlineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        confirmations.set_confirmation_deadline(review, by=request.user, confirm_by=body.validated_data["confirm_by"])
        return _answer(request, review)
