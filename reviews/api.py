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

from core.rest import Conflict, MultiPartParser, TextField, error_response, query_flag
from experts import audit
from experts.models import Organization
from reviews import rules, selectors, states
from reviews.draw import services as draw_services
from reviews.draw.selectors import draw_record
from reviews.draw.verify import verify_draw
from reviews.events import event_message, without_panel
from reviews.models import Assignment, Draw, DrawCommitment, Plan, PlanVersion, Review, ReviewEvent
from reviews.serializers import (
    AcceptSerializer,
    AssignmentSerializer,
    DeclineSerializer,
    DrawCommitmentRequestSerializer,
    DrawCommitmentSerializer,
    DrawRecordSerializer,
    DrawRevealSerializer,
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
    draw = get_object_or_404(Draw.objects.select_related("review__plan", "commitment"), pk=draw_id)
    if not rules.can_view_draw(request.user, draw):
        raise exceptions.NotFound()
    return draw


def _may_draw(request, review_id):
    review = _visible_review(request, review_id)
    if not rules.can_manage_review(request.user, review):  # before reading the body
        raise exceptions.PermissionDenied(_("Only the secretariat draws panels."))
    return review


class DrawCommitmentView(APIView):
    @extend_schema(
        request=DrawCommitmentRequestSerializer,
        responses={201: DrawCommitmentSerializer},
        description="Freeze the eligible pool and bind the draw to a future public value and the witnesses "
        "present (docs/draw-record.md). 400 names the field, or `pool` with the `rule` no panel could meet; "
        "409 once the review has a draw or a commitment.",
    )
    def post(self, request, review_id):
        review = _may_draw(request, review_id)
        data = DrawCommitmentRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            commitment = draw_services.commit_draw(review, by=request.user, **data.validated_data)
        except draw_services.DrawInfeasible as error:  # the pool cannot give a panel: nothing to commit to
            problem = " ".join(error.messages)
            return error_response(problem, status_code=400, errors={"pool": [problem]}, rule=error.code)
        return Response(DrawCommitmentSerializer(commitment).data, status=status.HTTP_201_CREATED)


class DrawCreateView(APIView):
    @extend_schema(
        request=DrawRevealSerializer,
        responses={201: DrawSerializer},
        description="After a commitment: the public value, its signature (drand) and one input per witness; "
        "the seed is derived from them and the commitment's digest. `{}` with no commitment: an unwitnessed "
        "draw (system randomness). A `seed` field is refused (400).",
    )
    def post(self, request, review_id):
        review = _may_draw(request, review_id)
        if isinstance(request.data, dict) and "seed" in request.data:
            refusal = _("The seed is derived from the public value and the witnesses; it cannot be typed.")
            raise exceptions.ValidationError({"non_field_errors": [refusal], "seed": [refusal]})
        data = DrawRevealSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            if values or DrawCommitment.objects.filter(review=review).exists():
                draw = draw_services.reveal_draw(
                    review, by=request.user, beacon_value=values.get("beacon_value"),
                    beacon_signature=values.get("beacon_signature"), witness_inputs=values.get("witness_inputs", []),
                )  # fmt: skip
            else:
                draw = draw_services.draw_for_review(review, by=request.user)
        except draw_services.DrawInfeasible as error:  # a 409 that names the rule, not a 400
            raise Conflict({"detail": " ".join(error.messages), "rule": error.code})
        return Response(DrawSerializer(draw).data, status=status.HTTP_201_CREATED)


class DrawDetailView(APIView):
    @extend_schema(responses=DrawSerializer)
    def get(self, request, draw_id):
        return Response(DrawSerializer(_visible_draw(request, draw_id)).data)


class DrawRecordView(APIView):
    @extend_schema(
        responses=DrawRecordSerializer,
        description="The self-contained record: `python -m reviews.verify record.json` replays it offline "
        "(docs/draw-record.md).",
    )
    def get(self, request, draw_id):
        draw = _visible_draw(request, draw_id)
        response = Response(draw_record(draw))
        response["Content-Disposition"] = f'attachment; filename="draw-{draw.pk}-record.json"'
        return response


class DrawVerifyView(APIView):
    @extend_schema(
        request=None,
        responses=inline_serializer(
            "DrawVerification", {"verified": serializers.BooleanField(), "detail": TextField()}
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
