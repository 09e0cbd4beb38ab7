"""The API of consultations and their answers (docs/api.md): views translate, call the services
(``services`` for consultations, the opinion services for answers, through the answer's kind) and
shape the answer; who sees what is ``rules``. Refusals pass through to
``core.rest.exception_handler``; a stale answer is answered here with the current one."""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response

from consultations.inquiries import rules as access
from consultations.inquiries import services as consulting
from consultations.inquiries.models import Consultation, Question
from consultations.inquiries.selectors import consultations_for
from consultations.opinions.api import (
    SaveSerializer,
    points_schema,
    save_from_request,
    stale_schema,
    submit_from_request,
)
from consultations.opinions.models import Opinion
from core import versioning
from core.errors import StaleVersion, StateConflict
from core.rest import MAX_ID, DateTimeField, IdField, ModelSerializer, TextField, error_response


def _visible(request, consultation_id):
    consultation = consultations_for(request.user).filter(pk=consultation_id).first()
    if consultation is None:
        raise exceptions.NotFound()
    return consultation


# ---------------------------------------------------------------- serializers


class QuestionSerializer(ModelSerializer):
    id = serializers.IntegerField(required=False)

    class Meta:
        model = Question
        fields = ["id", "text"]


class ConsultationSerializer(ModelSerializer):
    questions = QuestionSerializer(many=True, required=False)
    addressed_domains = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, help_text="Domain codes; a domain includes those below it."
    )
    addressed_experts = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Only for those who pose consultations; [] for the experts asked."
    )
    recipients_count = serializers.IntegerField(
        source="n_recipients", read_only=True, default=0, allow_null=True,
        help_text="Only for those who pose consultations; null for the experts asked.",
    )  # fmt: skip
    submitted_count = serializers.IntegerField(
        source="n_submitted", read_only=True, default=0, allow_null=True,
        help_text="Only for those who pose consultations; null for the experts asked.",
    )  # fmt: skip

    class Meta:
        model = Consultation
        fields = ["id", "title", "background", "questions", "addressed_domains", "addressed_experts", "opens_at",
                  "closes_at", "state", "answers_shared", "anonymous", "recipients_count", "submitted_count",
                  "created_at"]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance):
        """Who else was asked and how many answered are for those who pose consultations only
        (as on the portal): a recipient gets ``[]`` and ``null``, so an anonymous one stays so."""
        data = super().to_representation(instance)
        if not self._for_poser():
            data.update(addressed_experts=[], recipients_count=None, submitted_count=None)
        return data

    def _for_poser(self):
        context = self.context  # the root's dict: asked once per response, not per row
        if "for_poser" not in context:
            request = context.get("request")
            context["for_poser"] = request is not None and access.sees_who_is_asked(request.user)
        return context["for_poser"]


class ConsultationWriteSerializer(serializers.Serializer):
    """The body of a POST (a draft) or a PATCH (a draft's fields, an open one's ``closes_at``,
    or ``state``: ``open`` / ``closed``)."""

    title = TextField(required=False, allow_blank=True, max_length=200)
    background = TextField(required=False, allow_blank=True, trim_whitespace=False)
    questions = serializers.ListField(child=serializers.DictField(), required=False,
                                      help_text='[{"id": optional (keeps the question), "text"}]')  # fmt: skip
    addressed_domains = serializers.ListField(child=TextField(), required=False)
    addressed_experts = serializers.ListField(child=IdField(), required=False)
    opens_at = DateTimeField(required=False, allow_null=True)
    closes_at = DateTimeField(required=False, allow_null=True)
    answers_shared = serializers.BooleanField(required=False)
    anonymous = serializers.BooleanField(required=False)
    state = serializers.ChoiceField(choices=Consultation.State.choices, required=False)


def answer_points(answer):
    points = getattr(answer, "live", None)
    if points is None:
        points = answer.points.filter(removed=False).order_by("position", "id")
    return [{"id": p.id, "question": p.question_id, "text": p.text} for p in points]


class AnswerSerializer(ModelSerializer):
    """An answer: its points, each naming the question it answers. ``expert``/``expert_name``
    are empty where the consultation is anonymous to the caller (``author`` says "Expert A")."""

    points = serializers.SerializerMethodField()
    expert = serializers.SerializerMethodField()
    author = serializers.SerializerMethodField()

    class Meta:
        model = Opinion
        fields = ["id", "consultation", "expert", "author", "points", "version", "saved_at", "submitted_at", "digest"]
        read_only_fields = fields

    def get_points(self, answer) -> list[dict]:
        return answer_points(answer)

    def get_expert(self, answer) -> int | None:
        return answer.expert_id if self.context.get("names", True) else None

    def get_author(self, answer) -> str:
        return self.context.get("authors", {}).get(answer.pk) or answer.expert.name


@extend_schema_field(points_schema(["question"], question={"type": "integer", "minimum": 1, "maximum": MAX_ID}))
class AnswerPointsField(serializers.JSONField):
    """``[{"id": optional, "question": id, "text"}]``, checked by the inquiries' cleaning."""


class AnswerWriteSerializer(SaveSerializer):
    """The body of a PUT of an answer."""

    points = AnswerPointsField(required=False)


# ---------------------------------------------------------------- consultations


class ConsultationListView(generics.ListCreateAPIView):
    """The consultations the caller may see (newest first); POST poses a draft."""

    serializer_class = ConsultationSerializer
    queryset = Consultation.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        return consultations_for(self.request.user)

    @extend_schema(request=ConsultationWriteSerializer, responses={201: ConsultationSerializer})
    def post(self, request, *args, **kwargs):
        if not access.poses_consultations(request.user):
            raise exceptions.PermissionDenied(_("The secretariat and the commission pose consultations."))
        body = ConsultationWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        to = data.pop("state", Consultation.State.DRAFT)
        with transaction.atomic():  # a refused opening leaves no draft behind
            consultation = consulting.create_consultation(by=request.user, data=data)
            if to != Consultation.State.DRAFT:
                consulting.transition_consultation(consultation, to, by=request.user)
        created = _visible(request, consultation.pk)
        return Response(
            ConsultationSerializer(created, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class ConsultationDetailView(generics.GenericAPIView):
    """One consultation; PATCH edits a draft, moves the close of an open one, or moves ``state``."""

    serializer_class = ConsultationSerializer
    queryset = Consultation.objects.none()

    def get(self, request, consultation_id):
        return Response(ConsultationSerializer(_visible(request, consultation_id), context={"request": request}).data)

    @extend_schema(request=ConsultationWriteSerializer, responses=ConsultationSerializer)
    def patch(self, request, consultation_id):
        consultation = _visible(request, consultation_id)
        if not access.poses_consultations(request.user):
            raise exceptions.PermissionDenied(_("The secretariat and the commission change consultations."))
        body = ConsultationWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        consulting.update_consultation(consultation, by=request.user, data=dict(body.validated_data))
        return Response(ConsultationSerializer(_visible(request, consultation_id), context={"request": request}).data)


# ---------------------------------------------------------------- the caller's answer


def own_answer(user, consultation):
    """The caller's answer (made as an empty draft on first access while open), or 404."""
    if not access.is_recipient(user, consultation):
        raise exceptions.NotFound(_("You are not asked in this consultation."))
    expert = user.expert
    try:
        answer = consulting.ensure_answer(consultation, expert)
    except StateConflict as error:
        raise exceptions.NotFound(error.message)
    return access.answers_visible_to(user, consultation).get(pk=answer.pk)


def _stale(request, consultation):
    current = own_answer(request.user, consultation)
    response = error_response(
        _("Someone saved this answer after the version you started from."),
        status_code=status.HTTP_409_CONFLICT,
        version=current.version,
        current=AnswerSerializer(current).data,
    )
    return versioning.with_etag(response, current.version)


class OwnAnswerView(generics.GenericAPIView):
    """The caller's own answer: GET (with ``ETag``), PUT (with ``If-Match``)."""

    serializer_class = AnswerSerializer
    queryset = Opinion.objects.none()

    def get(self, request, consultation_id):
        answer = own_answer(request.user, _visible(request, consultation_id))
        return versioning.with_etag(Response(AnswerSerializer(answer).data), answer.version)

    @extend_schema(
        request=AnswerWriteSerializer,
        responses={200: AnswerSerializer, 409: stale_schema("StaleAnswer", AnswerSerializer)},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description='"<version>"')],
    )
    def put(self, request, consultation_id):
        consultation = _visible(request, consultation_id)
        answer = own_answer(request.user, consultation)
        try:
            save_from_request(request, answer, AnswerWriteSerializer)
        except StaleVersion:
            return _stale(request, consultation)
        saved = own_answer(request.user, consultation)
        return versioning.with_etag(Response(AnswerSerializer(saved).data), saved.version)


class SubmitAnswerView(generics.GenericAPIView):
    """Seal the caller's answer: ``submitted_at`` and ``digest`` (SHA-256 of the canonical form)."""

    serializer_class = AnswerSerializer
    queryset = Opinion.objects.none()

    @extend_schema(request=None, responses=AnswerSerializer)
    def post(self, request, consultation_id):
        consultation = _visible(request, consultation_id)
        answer = own_answer(request.user, consultation)
        try:
            submit_from_request(request, answer)
        except StaleVersion:
            return _stale(request, consultation)
        submitted = own_answer(request.user, consultation)
        return versioning.with_etag(Response(AnswerSerializer(submitted).data), submitted.version)


class AnswerListView(generics.ListAPIView):
    """All answers the caller may read at this stage (``rules.answer_filter``)."""

    serializer_class = AnswerSerializer
    queryset = Opinion.objects.none()

    def get_queryset(self):
        self.consultation = _visible(self.request, self.kwargs["consultation_id"])
        return access.answers_visible_to(self.request.user, self.consultation)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        context = {
            **self.get_serializer_context(),
            "names": access.names_shown(request.user, self.consultation),
            "authors": access.author_labels(request.user, self.consultation, page),
        }
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)
