"""The API of plans, versions, reviews, draws and assignments (API.md). Views translate and call
services; ``core.rest`` turns their errors into the API's 400, 403, 404 and 409. An object the
caller may not see answers 404; a refusal the body cannot change is checked before reading it."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import Conflict, MultiPartParser, error_response, query_flag
from experts import audit
from experts.models import Organization
from reviews import rules, selectors, states
from reviews.draw import services as draw_services
from reviews.draw.verify import verify_draw
from reviews.events import event_message, without_panel
from reviews.models import Assignment, Draw, Plan, PlanVersion, Review, ReviewEvent
from reviews.serializers import (
    AcceptSerializer,
    AssignmentSerializer,
    DeclineSerializer,
    DrawSerializer,
    EventSerializer,
    PanelAssignmentSerializer,
    PlanSerializer,
    PlanVersionSerializer,
    PlanVersionUploadSerializer,
    ReviewPatchSerializer,
    ReviewSerializer,
)
from reviews.services import assignments, plans, scheduling

# ---------------------------------------------------------------- plans and versions


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
            own = rules.staff_organization_id(request.user)
            if own is None:
                raise exceptions.ValidationError({"submitted_by": [_("Name the submitting organisation.")]})
            organization = Organization.objects.get(pk=own)
        if not rules.can_submit_plan(request.user, organization.pk):  # the services let operators through
            raise exceptions.PermissionDenied(_("You may submit plans for your own organisation only."))
        plan = plans.create_plan(
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
    if not rules.can_view_plan(request.user, plan):
        raise exceptions.NotFound()
    return plan


class PlanVersionListView(generics.ListCreateAPIView):
    serializer_class = PlanVersionSerializer
    queryset = PlanVersion.objects.none()  # names the model for the schema; get_queryset() decides
    parser_classes = [MultiPartParser]

    def get_queryset(self):
        plan = _visible_plan(self.request, self.kwargs["plan_id"])
        return plan.versions.defer("blocks").order_by("number")

    @extend_schema(
        request={"multipart/form-data": PlanVersionUploadSerializer},
        responses={201: PlanVersionSerializer},
    )
    def post(self, request, plan_id):
        plan = _visible_plan(request, plan_id)
        if not rules.can_add_version(request.user, plan):  # before reading the upload
            raise exceptions.PermissionDenied(_("You may not add versions to this plan."))
        upload = request.FILES.get("document")
        if upload is None:
            raise exceptions.ValidationError({"document": [_("Attach the document as “document”.")]})
        body = PlanVersionUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drafters = body.validated_data.get("drafters", [])
        try:
            version = plans.add_plan_version(plan, upload=upload, by=request.user, drafters=drafters)
        except DjangoValidationError as error:
            if error.code == "too_large":
                return error_response(error.messages[0], status_code=413, errors={"document": error.messages})
            raise exceptions.ValidationError({"document": error.messages})
        return Response(PlanVersionSerializer(version, context={"request": request}).data, status=201)


# ---------------------------------------------------------------- reviews


class ReviewListView(generics.ListCreateAPIView):
    serializer_class = ReviewSerializer
    queryset = Review.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        return selectors.reviews_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response([_review_data(request, review) for review in page])

    def create(self, request, *args, **kwargs):
        if not rules.can_manage_review(request.user):  # before reading the body
            raise exceptions.PermissionDenied(_("Only the secretariat schedules reviews."))
        data = ReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        plan = values.pop("plan")
        review = scheduling.create_review(
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


def _review_data(request, review):
    """``ReviewSerializer``'s data; ``chair`` (an expert of the panel) is null for a reader who may
    not see the panel (名单保密, ``rules.can_see_panel``)."""
    data = ReviewSerializer(review).data
    if data.get("chair") is not None and not rules.can_see_panel(request.user, review):
        data["chair"] = None
    return data


class ReviewDetailView(APIView):
    @extend_schema(responses=ReviewSerializer)
    def get(self, request, review_id):
        return Response(_review_data(request, _visible_review(request, review_id)))

    @extend_schema(request=ReviewPatchSerializer, responses=ReviewSerializer)
    def patch(self, request, review_id):
        review = _visible_review(request, review_id)
        if not rules.can_manage_review(request.user, review):  # before reading the body
            raise exceptions.PermissionDenied(_("Only the secretariat changes a review."))
        data = ReviewPatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        state = values.pop("state", None)
        reason = values.pop("reason", "")
        chair = values.pop("chair", None)
        if values:
            review = scheduling.update_review(review, by=request.user, **values)
        if chair is not None:
            scheduling.set_chair(review, chair, by=request.user)
        if state is not None and state != review.state:
            states.change_state(review, state, by=request.user, reason=reason)
        return Response(_review_data(request, _visible_review(request, review_id)))


# ---------------------------------------------------------------- draws


def _visible_draw(request, draw_id):
    draw = get_object_or_404(Draw.objects.select_related("review__plan"), pk=draw_id)
    if not rules.can_view_draw(request.user, draw):
        raise exceptions.NotFound()
    return draw


class DrawCreateView(APIView):
    @extend_schema(
        request=inline_serializer("DrawRequest", {"seed": serializers.CharField(required=False)}),
        responses={201: DrawSerializer},
    )
    def post(self, request, review_id):
        review = _visible_review(request, review_id)
        if not rules.can_manage_review(request.user, review):  # before reading the body
            raise exceptions.PermissionDenied(_("Only the secretariat draws panels."))
        seed = request.data.get("seed") if hasattr(request.data, "get") else None
        if seed is not None and not isinstance(seed, str | int):
            raise exceptions.ValidationError({"seed": [_("The seed is a text or a number.")]})
        try:
            draw = draw_services.draw_for_review(review, by=request.user, seed=str(seed) if seed is not None else None)
        except draw_services.DrawInfeasible as error:  # a 409 that names the rule, not a 400
            raise Conflict({"detail": " ".join(error.messages), "rule": error.code})
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
        verified, detail = verify_draw(draw := _visible_draw(request, draw_id))
        audit.record(
            audit.DRAW_VERIFY, actor=request.user, request=request, obj=draw, outcome=audit.SUCCESS, verified=verified
        )
        return Response({"verified": verified, "detail": str(detail)})


# ---------------------------------------------------------------- assignments


class ReviewAssignmentListView(generics.ListAPIView):
    serializer_class = PanelAssignmentSerializer
    queryset = Assignment.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        review = _visible_review(self.request, self.kwargs["review_id"])
        if not rules.can_see_panel(self.request.user, review):  # 名单保密: numbers only, on the review page
            raise exceptions.NotFound()
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
        if query_flag(self.request, "mine") or not rules.sees_every_assignment(user):
            return selectors.assignments_of(user)
        return selectors.all_assignments()


def _own_assignment(request, assignment_id):
    assignment = get_object_or_404(Assignment.objects.select_related("review__plan", "expert"), pk=assignment_id)
    if not rules.can_see_assignment(request.user, assignment):
        raise exceptions.NotFound()
    if not rules.is_invitee(request.user, assignment):
        raise exceptions.PermissionDenied(_("Only the invited expert answers an invitation."))
    return assignment


class AssignmentAcceptView(APIView):
    @extend_schema(request=AcceptSerializer, responses=AssignmentSerializer)
    def post(self, request, assignment_id):
        assignment = _own_assignment(request, assignment_id)
        data = AcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignments.accept_assignment(assignment, by=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data)


class AssignmentDeclineView(APIView):
    @extend_schema(request=DeclineSerializer, responses=AssignmentSerializer)
    def post(self, request, assignment_id):
        assignment = _own_assignment(request, assignment_id)
        data = DeclineSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = assignments.decline_assignment(assignment, by=request.user, **data.validated_data)
        return Response(AssignmentSerializer(assignment).data)


# ---------------------------------------------------------------- events


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
        self.sees_panel = rules.can_see_panel(self.request.user, review)
        return ReviewEvent.objects.filter(review=review, seq__gt=after).order_by("seq")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        shown = event_message if self.sees_panel else lambda event: without_panel(event_message(event))
        return self.get_paginated_response([shown(event) for event in page])
