"""The API of experts' proposals (API.md): list and submit, read one, and the secretariat's
screening actions. Views translate and call ``proposals``; whoever may not see a proposal gets
404 on every path, the same as for one that does not exist. The services' refusals are answered
by ``core.rest`` (400, 409); an attachment too large is a 413 here."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from consultations.opinions.models import Point
from consultations.proposals import cleaning, rules, selectors
from consultations.proposals import services as proposals
from consultations.proposals.models import Proposal
from core.rest import IdField, ModelSerializer, MultiPartParser, TextField
from experts import roles


class TooLarge(exceptions.APIException):
    """413: an attachment over its limit (as for plan versions)."""

    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "too_large"


def _submit(expert, **kwargs):
    """``submit_proposal``, with an attachment too large answered 413 and a refusal 403 with its
    reason; any other refusal goes on to ``core.rest``."""
    try:
        return proposals.submit_proposal(expert, **kwargs)
    except DjangoPermissionDenied as error:
        raise exceptions.PermissionDenied(str(error) or None)
    except DjangoValidationError as error:
        refused = getattr(error, "error_dict", {}).get("attachments", [])
        too_large = [message for item in refused if item.code == "too_large" for message in item.messages]
        if too_large:
            raise TooLarge({"detail": too_large[0], "errors": {"attachments": too_large}})
        raise


def proposal_queryset(user):
    points = Point.objects.filter(removed=False).select_related("response", "organization").order_by("position", "id")
    return (
        selectors.proposals_visible_to(user)
        .select_related("author", "merged_into")
        .prefetch_related(
            Prefetch("points", queryset=points, to_attr="live_points"), "domains", "routed_to", "attachments"
        )
        .order_by("-submitted_at", "-id")
    )


class ResponseSummarySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["adopted", "partly_adopted", "not_adopted"])
    reason = TextField()
    at = serializers.DateTimeField()


class ProposalPointSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = TextField()
    organization = serializers.IntegerField(allow_null=True, source="organization_id")
    organization_name = serializers.SerializerMethodField()
    response = serializers.SerializerMethodField()

    def get_organization_name(self, point) -> str:
        return point.organization.name if point.organization_id else ""

    @extend_schema_field(ResponseSummarySerializer(allow_null=True))
    def get_response(self, point):
        response = getattr(point, "response", None)
        if response is None:
            return None
        return {"status": response.status, "reason": response.reason, "at": response.at.isoformat()}


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = TextField()
    size = serializers.IntegerField()
    sha256 = TextField()


class ProposalSerializer(ModelSerializer):
    author_name = TextField(source="author.name", read_only=True)
    points = ProposalPointSerializer(many=True, source="live_points", read_only=True)
    domains = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = ["id", "title", "problem", "points", "domains", "state", "author", "author_name", "routed_to",
                  "merged_into", "return_reason", "submitted_at", "digest", "attachments",
                  "publication_consent_at"]  # fmt: skip
        read_only_fields = fields


# A blank suggestion is skipped (an empty row of a form), as ``cleaning`` does; at least one must
# have text (a 400 otherwise).
POINT_TEXT = {"type": "string", "maxLength": cleaning.MAX_POINT}


@extend_schema_field(
    {
        "type": "array",
        "minItems": 1,
        "maxItems": cleaning.MAX_POINTS,
        "items": {
            "oneOf": [
                POINT_TEXT,
                {"type": "object", "properties": {"text": POINT_TEXT}, "required": ["text"]},
            ]
        },
    }
)
class SuggestionsField(serializers.JSONField):
    """``[{"text"}]`` or plain strings; checked by ``cleaning`` (all errors at once)."""


class ProposalWriteSerializer(serializers.Serializer):
    """A JSON body: ``points`` as ``[{"text"}]`` or plain strings, ``domains`` as codes."""

    title = TextField(max_length=cleaning.MAX_TITLE)
    problem = TextField(max_length=cleaning.MAX_PROBLEM, trim_whitespace=False)
    points = SuggestionsField()
    domains = serializers.ListField(child=TextField(), required=False)


class ProposalUploadSerializer(ProposalWriteSerializer):
    """A multipart body (for the schema): ``points`` and ``domains`` repeated, ``attachments``
    files (.pdf, .docx; at most 5 of 10 MB)."""

    points = serializers.ListField(
        child=TextField(max_length=cleaning.MAX_POINT, allow_blank=True, trim_whitespace=False),
        min_length=1,
        max_length=cleaning.MAX_POINTS,
    )
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, max_length=cleaning.MAX_ATTACHMENTS
    )


class RouteSerializer(serializers.Serializer):
    organizations = serializers.ListField(child=IdField(), allow_empty=False)
    point_organizations = serializers.DictField(
        child=IdField(),
        required=False,
        help_text="optional {point id: organisation id}, one of `organizations`; a suggestion left out goes to all "
        "of them (its `organization` is null, and the staff of any of them may answer it, once)",
    )


class ReturnSerializer(serializers.Serializer):
    reason = TextField(trim_whitespace=False)


class MergeSerializer(serializers.Serializer):
    into = IdField()


def _proposal_or_404(request, proposal_id):
    proposal = selectors.visible_proposal(request.user, proposal_id)
    if proposal is None:
        raise exceptions.NotFound()
    return proposal


def _answer(request, proposal_id, *, code=status.HTTP_200_OK):
    proposal = proposal_queryset(request.user).get(pk=proposal_id)
    return Response(ProposalSerializer(proposal).data, status=code)


class ProposalListView(generics.ListCreateAPIView):
    """The caller's visible proposals (newest first); POST: an expert submits one (sealed)."""

    serializer_class = ProposalSerializer
    queryset = Proposal.objects.none()  # names the model for the schema; get_queryset() decides
    parser_classes = [JSONParser, MultiPartParser]

    def get_queryset(self):
        return proposal_queryset(self.request.user)

    @extend_schema(
        request={"application/json": ProposalWriteSerializer, "multipart/form-data": ProposalUploadSerializer},
        responses={201: ProposalSerializer},
    )
    def post(self, request, *args, **kwargs):
        expert = getattr(request.user, "expert", None) if roles.has_role(request.user, roles.EXPERT) else None
        if expert is None:
            raise exceptions.PermissionDenied(_("Experts submit proposals."))
        raw = request.data
        if hasattr(raw, "getlist"):  # a form: repeated fields are lists, files come apart
            if any(not isinstance(item, UploadedFile) for item in raw.getlist("attachments")):
                raise exceptions.ValidationError({"attachments": [_("Attach files, not text.")]})
            raw = {"title": raw.get("title"), "problem": raw.get("problem"), "points": raw.getlist("points"),
                   "domains": raw.getlist("domains")}  # fmt: skip
        body = ProposalWriteSerializer(data=raw)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        proposal = _submit(
            expert,
            by=request.user,
            title=data["title"],
            problem=data["problem"],
            points=data["points"],
            domains=data.get("domains", []),
            attachments=request.FILES.getlist("attachments"),
        )
        return _answer(request, proposal.pk, code=status.HTTP_201_CREATED)


class ProposalDetailView(APIView):
    """One proposal; its points carry their ``response``."""

    @extend_schema(responses=ProposalSerializer)
    def get(self, request, proposal_id):
        _proposal_or_404(request, proposal_id)
        return _answer(request, proposal_id)


class _ScreeningView(APIView):
    def _screened(self, request, proposal_id):
        proposal = _proposal_or_404(request, proposal_id)
        if not rules.can_screen(request.user):
            raise exceptions.PermissionDenied(_("The secretariat screens proposals."))
        return proposal


class ProposalRouteView(_ScreeningView):
    """Route to departments: ``organizations``; with several, ``point_organizations`` may give a
    suggestion one of them, and a suggestion given none goes to all of them."""

    @extend_schema(request=RouteSerializer, responses=ProposalSerializer)
    def post(self, request, proposal_id):
        proposal = self._screened(request, proposal_id)
        body = RouteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposals.route_proposal(proposal, by=request.user, **body.validated_data)
        return _answer(request, proposal_id)


class ProposalReturnView(_ScreeningView):
    """Return it to the expert with the reason (required)."""

    @extend_schema(request=ReturnSerializer, responses=ProposalSerializer)
    def post(self, request, proposal_id):
        proposal = self._screened(request, proposal_id)
        body = ReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposals.return_proposal(proposal, by=request.user, reason=body.validated_data["reason"])
        return _answer(request, proposal_id)


class ProposalMergeView(_ScreeningView):
    """Merge a duplicate ``into`` another proposal; the expert is told."""

    @extend_schema(request=MergeSerializer, responses=ProposalSerializer)
    def post(self, request, proposal_id):
        proposal = self._screened(request, proposal_id)
        body = MergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        into = selectors.visible_proposal(request.user, body.validated_data["into"])
        if into is None:
            raise exceptions.ValidationError({"into": [_("There is no such proposal.")]})
        proposals.merge_proposal(proposal, into=into, by=request.user)
        return _answer(request, proposal_id)
