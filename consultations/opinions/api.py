"""The API of opinions, their versions and the review's discussion (docs/api.md). Views translate
the request, call a service and shape the answer; who may is ``rules``, what is written is
``services``. Refusals pass through to ``core.rest.exception_handler`` (400, 403, 409); a stale
version is answered here, with the current opinion to merge with."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from consultations.opinions import cleaning, diff, rules, selectors, services
from consultations.opinions.models import Comment, Opinion, OpinionVersion
from core import versioning
from core.errors import StaleVersion
from core.rest import MAX_ID, ModelSerializer, TextField, error_response
from reviews import selectors as review_selectors


def _visible_review(request, review_id):
    review = review_selectors.reviews_visible_to(request.user).filter(pk=review_id).first()
    if review is None:
        raise exceptions.NotFound()
    return review


# ---------------------------------------------------------------- serializers


# The schemas of the bodies' structured fields. They are checked by ``cleaning`` (one rule, all
# errors at once), so the fields stay JSON here and only their schema is typed.
POINT_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID, "description": "an existing point of this opinion"}
POINT_TEXT = {"type": "string", "minLength": 1, "maxLength": cleaning.MAX_POINT, "pattern": r"\S"}


def points_schema(required=(), **properties):
    item = {"type": "object", "properties": {"id": POINT_ID, **properties, "text": POINT_TEXT},
            "required": [*required, "text"]}  # fmt: skip
    return {"type": "array", "maxItems": cleaning.MAX_POINTS, "items": item}


@extend_schema_field(points_schema(section={"type": "string", "description": "an anchor of the plan, or empty"}))
class OpinionPointsField(serializers.JSONField):
    """``[{"id": optional, "section": anchor or "", "text"}]``."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "integer", "minimum": 0},
        "description": "{criterion key of the review: a whole number within its scale}",
    }
)
class ScoresField(serializers.JSONField):
    """``{criterion key: whole number}``."""


@extend_schema_field({"type": "string", "enum": ["", *Opinion.Conclusion.values]})
class ConclusionField(serializers.CharField):
    """One of the conclusions, or empty while it is a draft."""


class OpinionSerializer(ModelSerializer):
    """An opinion as the caller may read it. A draft's content is its author's alone
    (``rules.shows_content``): anyone else gets ``content_hidden`` and empty content, with
    ``saved_at``. ``read_others_at`` and ``changed_after_reading_others`` are the independence
    record (``selectors.independence``, given as the ``independence`` context for a list)."""

    expert_name = TextField(source="expert.name", read_only=True)
    conclusion = ConclusionField(read_only=True)
    scores = ScoresField(read_only=True)
    points = serializers.SerializerMethodField()
    content_hidden = serializers.SerializerMethodField(
        help_text="A draft seen by someone other than its author: its content is left out."
    )
    read_others_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the author could first read the others' opinions."
    )
    changed_after_reading_others = serializers.SerializerMethodField(
        help_text="Whether a kept version after that moment changed the sealed opinion."
    )

    class Meta:
        model = Opinion
        fields = ["id", "review", "expert", "expert_name", "conclusion", "scores", "summary", "points", "version",
                  "saved_at", "submitted_at", "digest", "content_hidden", "read_others_at",
                  "changed_after_reading_others"]  # fmt: skip
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_points(self, opinion) -> list[dict]:
        points = getattr(opinion, "live", None)
        if points is None:
            points = opinion.points.filter(removed=False).order_by("position", "id")
        return [{"id": p.id, "section": p.section, "text": p.text} for p in points]

    def get_content_hidden(self, opinion) -> bool:
        return not rules.shows_content(self._user(), opinion)

    def get_changed_after_reading_others(self, opinion) -> bool:
        record = self.context.get("independence")
        if record is None or opinion.pk not in record:
            record = selectors.independence([opinion], criteria=opinion.review.criteria)
        return record[opinion.pk]["changed_after_reading_others"]

    def to_representation(self, opinion):
        data = super().to_representation(opinion)
        if data["content_hidden"]:
            data.update(conclusion="", scores={}, summary="", points=[], digest="")
        return data


class SaveSerializer(serializers.Serializer):
    """What any save of an opinion or a consultation answer may carry beside its content:
    ``label`` keeps a named version; ``reason`` is required after submission (an addendum);
    ``merged`` marks the save that resolves a 409."""

    label = TextField(allow_blank=True, required=False, max_length=200)
    reason = TextField(allow_blank=True, required=False, max_length=500)
    merged = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, help_text="Used only when If-Match is missing.")


def stale_schema(name, serializer_class):
    """The 409 of a save: the error body; when the version was stale, with the current
    ``version`` and object (a state that forbids the save has neither)."""
    return inline_serializer(
        name,
        fields={
            "detail": TextField(),
            "errors": serializers.DictField(),
            "version": serializers.IntegerField(required=False),
            "current": serializer_class(required=False),
        },
    )


class OpinionWriteSerializer(SaveSerializer):
    """The body of a PUT of an opinion."""

    conclusion = ConclusionField(allow_blank=True, required=False)
    # Scores and points are checked by ``cleaning.clean_review_opinion`` (one rule, all errors at once).
    scores = ScoresField(required=False)
    summary = TextField(allow_blank=True, required=False, trim_whitespace=False)
    points = OpinionPointsField(required=False)


class VersionSerializer(ModelSerializer):
    by_name = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()

    class Meta:
        model = OpinionVersion
        fields = ["number", "kind", "reason", "by", "by_name", "at", "digest", "opinion_version",
                  "after_reading_others", "content", "changes"]  # fmt: skip
        read_only_fields = fields

    def get_by_name(self, version) -> str:
        user = version.by
        return (user.get_full_name() or user.username) if user else ""

    def get_changes(self, version) -> list[dict]:
        previous = self.context.get("previous", {}).get(version.number)
        return diff.changes(previous, version.content, criteria=self.context.get("criteria"))


class CommentSerializer(ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "review", "text", "section", "dissent", "expert", "author_name", "created_at"]
        read_only_fields = ["id", "review", "expert", "author_name", "created_at"]

    def get_author_name(self, comment) -> str:
        if comment.expert_id:
            return comment.expert.name
        return comment.author.get_full_name() or comment.author.username


class DiscussionSerializer(serializers.Serializer):
    section = TextField(allow_blank=True)


# ---------------------------------------------------------------- the caller's opinion


def _own_opinion(request, review_id):
    review = _visible_review(request, review_id)
    opinion = selectors.own_opinion(request.user, review)
    if opinion is None:
        assignment = selectors.own_assignment(request.user, review)
        if assignment is None:
            raise exceptions.NotFound(_("You have no opinion to write on this review."))
        services.ensure_opinion(assignment)  # accepted before opinions existed
        opinion = selectors.own_opinion(request.user, review)
    return opinion


def _stale(request, error):
    current = selectors.own_opinion(error.opinion.expert.user, error.opinion.review)
    response = error_response(
        _("Someone saved this opinion after the version you started from."),
        status_code=status.HTTP_409_CONFLICT,
        version=current.version,
        current=OpinionSerializer(current, context={"request": request}).data,
    )
    return versioning.with_etag(response, current.version)


def save_from_request(request, opinion, body_class):
    """A PUT of an opinion or an answer: check the body, read the version from ``If-Match``, save
    through ``services.save_opinion``. Raises ``StaleVersion`` for the caller's 409."""
    body = body_class(data=request.data)
    body.is_valid(raise_exception=True)
    values = dict(body.validated_data)
    data = {key: request.data.get(key) for key in ("conclusion", "scores", "summary", "points")}
    return services.save_opinion(
        opinion,
        by=request.user,
        data=data,
        expected_version=versioning.version_from_request(request, values),
        label=values.get("label", ""),
        reason=values.get("reason", ""),
        merged=values.get("merged", False),
    )


def submit_from_request(request, opinion):
    """Seal an opinion or an answer; ``If-Match`` is optional here. Raises ``StaleVersion``."""
    expected = versioning.version_from_request(request) if request.headers.get("If-Match") else None
    return services.submit_opinion(opinion, by=request.user, expected_version=expected)


class OwnOpinionView(APIView):
    """The caller's own opinion: GET (with ``ETag``), PUT (with ``If-Match``)."""

    @extend_schema(responses=OpinionSerializer)
    def get(self, request, review_id):
        opinion = _own_opinion(request, review_id)
        return versioning.with_etag(
            Response(OpinionSerializer(opinion, context={"request": request}).data), opinion.version
        )

    @extend_schema(
        request=OpinionWriteSerializer,
        responses={200: OpinionSerializer, 409: stale_schema("StaleOpinion", OpinionSerializer)},
        parameters=[OpenApiParameter("If-Match", str, OpenApiParameter.HEADER, description='"<version>"')],
    )
    def put(self, request, review_id):
        opinion = _own_opinion(request, review_id)
        try:
            saved = save_from_request(request, opinion, OpinionWriteSerializer)
        except StaleVersion as error:
            return _stale(request, error)
        saved = selectors.own_opinion(request.user, saved.review)
        return versioning.with_etag(
            Response(OpinionSerializer(saved, context={"request": request}).data), saved.version
        )


class SubmitOpinionView(APIView):
    """Seal the caller's opinion: ``submitted_at`` and ``digest`` (SHA-256 of the canonical form)."""

    @extend_schema(request=None, responses=OpinionSerializer)
    def post(self, request, review_id):
        opinion = _own_opinion(request, review_id)
        try:
            submitted = submit_from_request(request, opinion)
        except StaleVersion as error:
            return _stale(request, error)
        submitted = selectors.own_opinion(request.user, submitted.review)
        return versioning.with_etag(
            Response(OpinionSerializer(submitted, context={"request": request}).data), submitted.version
        )


class OpinionVersionListView(generics.ListAPIView):
    """Every kept version of the caller's opinion, oldest first, each with its changes against
    the one before."""

    serializer_class = VersionSerializer
    queryset = OpinionVersion.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        self.opinion = _own_opinion(self.request, self.kwargs["review_id"])
        return selectors.versions_of(self.opinion)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        numbers = [v.number - 1 for v in page]  # 0 for the first: the query runs whatever the count
        before = dict(self.opinion.versions.filter(number__in=numbers).values_list("number", "content"))
        previous = {number + 1: content for number, content in before.items()}
        context = {**self.get_serializer_context(), "previous": previous, "criteria": self.opinion.review.criteria}
        serializer = self.get_serializer(page, many=True, context=context)
        return self.get_paginated_response(serializer.data)


class OpinionListView(generics.ListAPIView):
    """All opinions of the review the caller may see at this stage (``rules.opinion_filter``),
    drafts without their content for anyone but their author (``rules.shows_content``), each with
    its independence record."""

    serializer_class = OpinionSerializer
    queryset = Opinion.objects.none()  # names the model for the schema; get_queryset() decides

    def get_queryset(self):
        self.review = _visible_review(self.request, self.kwargs["review_id"])
        return selectors.opinions_visible_to(self.request.user, self.review)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        record = selectors.independence(page, criteria=self.review.criteria)
        context = {**self.get_serializer_context(), "independence": record}
        return self.get_paginated_response(self.get_serializer(page, many=True, context=context).data)


# ---------------------------------------------------------------- the discussion


def _discussable_review(request, review_id):
    review = _visible_review(request, review_id)
    if not rules.can_discuss(request.user, review):
        raise exceptions.PermissionDenied(_("The discussion is the panel's."))
    return review


class CommentListView(generics.ListCreateAPIView):
    """The review's discussion, oldest first; ``?after=<comment id>`` for what is new."""

    serializer_class = CommentSerializer
    queryset = Comment.objects.none()  # names the model for the schema; get_queryset() decides

    @extend_schema(parameters=[OpenApiParameter("after", int)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        review = _discussable_review(self.request, self.kwargs["review_id"])
        raw = self.request.query_params.get("after") or "0"
        try:
            after = int(raw)
        except ValueError:
            raise exceptions.ValidationError({"after": [_("“after” is a whole number.")]})
        return selectors.comments_for(review, after=after)

    def create(self, request, *args, **kwargs):
        review = _discussable_review(request, kwargs["review_id"])
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        comment = services.add_comment(review, by=request.user, **body.validated_data)
        comment = selectors.comments_for(review).get(pk=comment.pk)
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class DiscussionView(APIView):
    """The meeting's "now discussing" marker: GET for the panel, PUT for the chair."""

    @extend_schema(responses=DiscussionSerializer)
    def get(self, request, review_id):
        review = _discussable_review(request, review_id)
        return Response({"section": selectors.discussion_section(review)})

    @extend_schema(request=DiscussionSerializer, responses=DiscussionSerializer)
    def put(self, request, review_id):
        review = _discussable_review(request, review_id)
        if not rules.can_move_marker(request.user, review):
            raise exceptions.PermissionDenied(_("The chair moves the discussion."))
        body = DiscussionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        discussion = services.move_discussion(review, by=request.user, section=body.validated_data["section"])
        return Response({"section": discussion.section})
