"""The API of plans, versions, reviews, draws and assignments (API.md). Views translate and call
services; an object the caller may not see answers 404."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import Conflict, error_response
from experts import audit
from experts.models import Domain, Expert, Organization
from reviews import permissions, selectors, services
from reviews.events import event_message
from reviews.models import Assignment, Draw, Plan, PlanVersion, Review, ReviewEvent


def _raise_validation(error):
    if hasattr(error, "error_dict"):
        raise exceptions.ValidationError(error.message_dict)
    raise exceptions.ValidationError({"non_field_errors": error.messages})


def _call(func, *args, **kwargs):
    """Run a service, turning its errors into the API's 400 and 409."""
    try:
        return func(*args, **kwargs)
    except services.DrawInfeasible as error:
        raise Conflict({"detail": " ".join(error.messages), "rule": error.code})
    except services.StateConflict as error:
        raise Conflict(error.message)
    except DjangoValidationError as error:
        _raise_validation(error)


# ---------------------------------------------------------------- plans and versions


class PlanVersionSerializer(serializers.ModelSerializer):
    document = serializers.SerializerMethodField()
    sections = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = ["id", "plan", "number", "original_name", "sha256", "uploaded_at", "document", "sections",
                  "conversion_error"]  # fmt: skip
        read_only_fields = fields

    def get_document(self, version) -> str:
        url = reverse("reviews:plan-document", args=[version.plan_id, version.number])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_sections(self, version) -> str:
        url = reverse("reviews:plan-reader", args=[version.plan_id, version.number])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class PlanSerializer(serializers.ModelSerializer):
    domains = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Domain.objects.all(), required=False)
    related_organizations = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organization.objects.all(), required=False
    )
    submitted_by = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False)
    latest_version = serializers.SerializerMethodField()

    class Meta:
        model = Plan
        fields = ["id", "title", "kind", "submitted_by", "domains", "related_organizations", "state", "created_at",
                  "latest_version"]  # fmt: skip
        read_only_fields = ["state", "created_at"]

    def get_latest_version(self, plan) -> int | None:
        versions = list(plan.versions.all())
        return versions[-1].number if versions else None


class PlanListView(generics.ListCreateAPIView):
    serializer_class = PlanSerializer
    queryset = Plan.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        return selectors.plans_visible_to(self.request.user).order_by("-created_at", "-id")

    def create(self, request, *args, **kwargs):
        data = PlanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        organization = values.get("submitted_by")
        if organization is None:
            own = permissions.staff_organization_id(request.user)
            if own is None:
                raise exceptions.ValidationError({"submitted_by": [_("Name the submitting organisation.")]})
            organization = Organization.objects.get(pk=own)
        if not permissions.can_submit_plan(request.user, organization.pk):
            raise exceptions.PermissionDenied(_("You may submit plans for your own organisation only."))
        plan = _call(
            services.create_plan,
            by=request.user,
            title=values["title"],
            kind=values["kind"],
            submitted_by=organization,
            domains=values.get("domains", []),
            related_organizations=values.get("related_organizations", []),
        )
        plan = selectors.plans_visible_to(request.user).get(pk=plan.pk)
        return Response(PlanSerializer(plan, context={"request": request}).data, status=status.HTTP_201_CREATED)


def _visible_plan(request, plan_id):
    plan = get_object_or_404(Plan, pk=plan_id)
    if not permissions.can_view_plan(request.user, plan):
        raise exceptions.NotFound()
    return plan


class PlanVersionUploadSerializer(serializers.Serializer):
    document = serializers.FileField()
    drafters = serializers.PrimaryKeyRelatedField(
        queryset=Expert.objects.all(),
        many=True,
        required=False,
        help_text="Experts of the roster who drafted this version; they are not drawn for its reviews "
        "while the review's rule exclude_drafters holds.",
    )


class PlanVersionListView(generics.ListCreateAPIView):
    serializer_class = PlanVersionSerializer
    queryset = PlanVersion.objects.none()  # names the model for the schema; get_queryset() decides
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        plan = _visible_plan(self.request, self.kwargs["plan_id"])
        return plan.versions.defer("blocks").order_by("number")

    @extend_schema(
        request={"multipart/form-data": PlanVersionUploadSerializer},
        responses={201: PlanVersionSerializer},
    )
    def post(self, request, plan_id):
        plan = _visible_plan(request, plan_id)
        if not permissions.can_add_version(request.user, plan):
            raise exceptions.PermissionDenied(_("You may not add versions to this plan."))
        upload = request.FILES.get("document")
        if upload is None:
            raise exceptions.ValidationError({"document": [_("Attach the document as “document”.")]})
        body = PlanVersionUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drafters = body.validated_data.get("drafters", [])
        try:
            version = services.add_plan_version(plan, upload=upload, by=request.user, drafters=drafters)
        except DjangoValidationError as error:
            if error.code == "too_large":
                return error_response(error.messages[0], status_code=413, errors={"document": error.messages})
            raise exceptions.ValidationError({"document": error.messages})
        return Response(PlanVersionSerializer(version, context={"request": request}).data, status=201)


# ---------------------------------------------------------------- reviews


class ReviewSerializer(serializers.ModelSerializer):
    required_domains = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Domain.objects.all(), required=False
    )
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    plan_version = serializers.PrimaryKeyRelatedField(queryset=PlanVersion.objects.all(), required=False)
    draw = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "plan", "plan_title", "plan_version", "mode", "opens_at", "due_at", "meeting_at", "location",
                  "panel_size", "required_domains", "blind", "state", "rules", "criteria", "reply_days", "chair",
                  "draw", "created_at"]  # fmt: skip
        read_only_fields = ["state", "chair", "created_at"]

    def get_draw(self, review) -> int | None:
        try:
            return review.draw.pk
        except Draw.DoesNotExist:
            return None


class ReviewPatchSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=Review.State.choices, required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=100)
    opens_at = serializers.DateTimeField(required=False)
    due_at = serializers.DateTimeField(required=False)
    meeting_at = serializers.DateTimeField(required=False, allow_null=True)
    location = serializers.CharField(required=False, allow_blank=True, max_length=200)
    panel_size = serializers.IntegerField(required=False, min_value=1, max_value=99)
    blind = serializers.ChoiceField(choices=Review.Blind.choices, required=False)
    reply_days = serializers.IntegerField(required=False, min_value=1, max_value=30)
    required_domains = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Domain.objects.all(), required=False
    )
    chair = serializers.PrimaryKeyRelatedField(queryset=Expert.objects.all(), required=False)


class ReviewListView(generics.ListCreateAPIView):
    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        return selectors.reviews_visible_to(self.request.user)

    def create(self, request, *args, **kwargs):
        if not permissions.can_manage_review(request.user):
            raise exceptions.PermissionDenied(_("Only the secretariat schedules reviews."))
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = values.pop("plan")
        review = _call(
            services.create_review,
            plan,
            by=request.user,
            plan_version=values.pop("plan_version", None),
            required_domains=values.pop("required_domains", []),
            rules=values.pop("rules", None),
            criteria=values.pop("criteria", None),
            **values,
        )
        review = selectors.reviews_visible_to(request.user).get(pk=review.pk)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)


def _visible_review(request, review_id):
    review = selectors.reviews_visible_to(request.user).filter(pk=review_id).first()
    if review is None:
        raise exceptions.NotFound()
    return review


class ReviewDetailView(APIView):
    @extend_schema(responses=ReviewSerializer)
    def get(self, request, review_id):
        return Response(ReviewSerializer(_visible_review(request, review_id)).data)

    @extend_schema(request=ReviewPatchSerializer, responses=ReviewSerializer)
    def patch(self, request, review_id):
        review = _visible_review(request, review_id)
        if not permissions.can_manage_review(request.user, review):
            raise exceptions.PermissionDenied(_("Only the secretariat changes a review."))
        data = ReviewPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        state = values.pop("state", None)
        reason = values.pop("reason", "")
        chair = values.pop("chair", None)
        if values:
            review = _call(services.update_review, review, by=request.user, **values)
        if chair is not None:
            _call(services.set_chair, review, chair, by=request.user)
        if state is not None and state != review.state:
            if state not in services.MANUAL_TARGETS:
                raise Conflict(_("That state is reached through its own action, not by hand."))
            _call(services.transition, review, state, by=request.user, reason=reason)
        return Response(ReviewSerializer(_visible_review(request, review_id)).data)


# ---------------------------------------------------------------- draws


class ExclusionSerializer(serializers.Serializer):
    expert = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField()
    rule = serializers.CharField()


class DrawSerializer(serializers.ModelSerializer):
    excluded = serializers.SerializerMethodField()
    pool_size = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = Draw
        fields = ["id", "review", "seed", "seed_source", "pool_hash", "pool", "pool_size", "rules", "algorithm",
                  "method", "solver", "selected", "alternates", "excluded", "changes", "batch", "drawn_by",
                  "drawn_at"]  # fmt: skip
        read_only_fields = fields

    def get_pool_size(self, draw) -> int:
        return len(draw.pool)

    @extend_schema_field(ExclusionSerializer(many=True))
    def get_excluded(self, draw):
        return [
            {"expert": expert_id, "name": name, "reason": str(label), "rule": code}
            for code, label, members in services.exclusions_by_rule(draw)
            for expert_id, name in members
        ]

    def get_changes(self, draw) -> list[dict]:
        return [
            {"kind": c.kind, "expert_out": c.expert_out_id, "expert_in": c.expert_in_id, "reason": c.reason,
             "at": c.at.isoformat()}
            for c in draw.changes.all()
        ]  # fmt: skip


def _visible_draw(request, draw_id):
    draw = get_object_or_404(Draw.objects.select_related("review__plan"), pk=draw_id)
    if not permissions.sees_every_review(request.user):
        raise exceptions.NotFound()
    return draw


class DrawCreateView(APIView):
    @extend_schema(
        request=inline_serializer("DrawRequest", {"seed": serializers.CharField(required=False)}),
        responses={201: DrawSerializer},
    )
    def post(self, request, review_id):
        review = _visible_review(request, review_id)
        if not permissions.can_manage_review(request.user, review):
            raise exceptions.PermissionDenied(_("Only the secretariat draws panels."))
        seed = request.data.get("seed") if hasattr(request.data, "get") else None
        if seed is not None and not isinstance(seed, str | int):
            raise exceptions.ValidationError({"seed": [_("The seed is a text or a number.")]})
        draw = _call(services.draw_for_review, review, by=request.user, seed=str(seed) if seed is not None else None)
        return Response(DrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class DrawDetailView(APIView):
    @extend_schema(responses=DrawSerializer)
    def get(self, request, draw_id):
        return Response(DrawSerializer(_visible_draw(request, draw_id)).data)


class DrawVerifyView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "DrawVerification", {"verified": serializers.BooleanField(), "detail": serializers.CharField()}
        ),
    )
    def post(self, request, draw_id):
        verified, detail = services.verify_draw(draw := _visible_draw(request, draw_id))
        audit.record(
            audit.DRAW_VERIFY, actor=request.user, request=request, obj=draw, outcome=audit.SUCCESS, verified=verified
        )
        return Response({"verified": verified, "detail": str(detail)})


# ---------------------------------------------------------------- assignments


class ReviewSummarySerializer(serializers.ModelSerializer):
    plan_title = serializers.CharField(source="plan.title")
    kind = serializers.CharField(source="plan.kind")

    class Meta:
        model = Review
        fields = ["id", "plan", "plan_title", "kind", "mode", "opens_at", "due_at", "meeting_at", "location", "state"]


class AssignmentSerializer(serializers.ModelSerializer):
    expert_name = serializers.CharField(source="expert.name", read_only=True)
    review_summary = ReviewSummarySerializer(source="review", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "review", "review_summary", "expert", "expert_name", "state", "invited_at", "reply_by",
                  "responded_at", "decline_reason", "no_conflict_text", "confidentiality_text"]  # fmt: skip
        read_only_fields = fields


class PanelAssignmentSerializer(serializers.ModelSerializer):
    expert_name = serializers.CharField(source="expert.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "review", "expert", "expert_name", "state", "invited_at", "reply_by", "responded_at"]
        read_only_fields = fields


class ReviewAssignmentListView(generics.ListAPIView):
    serializer_class = PanelAssignmentSerializer
    queryset = Assignment.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        review = _visible_review(self.request, self.kwargs["review_id"])
        return selectors.assignments_for_review(review)


class AssignmentListView(generics.ListAPIView):
    """``?mine=1``: the caller's own invitations and panels; the secretariat sees all without it."""

    serializer_class = AssignmentSerializer
    queryset = Assignment.objects.none()  # names the model for the schema; get_queryset() decides

    @extend_schema(parameters=[OpenApiParameter("mine", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        user = self.request.user
        if self.request.query_params.get("mine") in ("1", "true") or not permissions.is_secretariat(user):
            return selectors.assignments_of(user)
        return selectors.all_assignments()


def _own_assignment(request, assignment_id):
    assignment = get_object_or_404(Assignment.objects.select_related("review__plan", "expert"), pk=assignment_id)
    if not permissions.can_see_assignment(request.user, assignment):
        raise exceptions.NotFound()
    if assignment.expert.user_id != request.user.id:
        raise exceptions.PermissionDenied(_("Only the invited expert answers an invitation."))
    return assignment


class AcceptSerializer(serializers.Serializer):
    no_conflict = serializers.BooleanField(required=False, default=False)
    confidentiality = serializers.BooleanField(required=False, default=False)


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")


class AssignmentAcceptView(APIView):
    @extend_schema(request=AcceptSerializer, responses=AssignmentSerializer)
    def post(self, request, assignment_id):
        assignment = _own_assignment(request, assignment_id)
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = _call(services.accept_assignment, assignment, by=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data)


class AssignmentDeclineView(APIView):
    @extend_schema(request=DeclineSerializer, responses=AssignmentSerializer)
    def post(self, request, assignment_id):
        assignment = _own_assignment(request, assignment_id)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = _call(services.decline_assignment, assignment, by=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data)


# ---------------------------------------------------------------- events


class EventSerializer(serializers.Serializer):
    type = serializers.CharField()
    review = serializers.IntegerField()
    seq = serializers.IntegerField()
    at = serializers.CharField()


class ReviewEventListView(generics.ListAPIView):
    """The review's events after ``?after=<seq>`` (default 0), oldest first."""

    serializer_class = EventSerializer
    queryset = ReviewEvent.objects.none()  # names the model for the schema; get_queryset() decides

    @extend_schema(parameters=[OpenApiParameter("after", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        review = _visible_review(self.request, self.kwargs["review_id"])
        raw = self.request.query_params.get("after", "0") or "0"
        try:
            after = int(raw)
        except ValueError:
            raise exceptions.ValidationError({"after": [_("“after” is a whole number.")]})
        return ReviewEvent.objects.filter(review=review, seq__gt=after).order_by("seq")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([event_message(event) for event in page])
