"""The API's serializers for plans, versions, reviews, draws, assignments and events (API.md):
the shapes of the bodies, nothing more; ``reviews.api`` holds the views."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.rest import DateTimeField, ModelSerializer, TextField
from experts.models import Domain, Expert, Organization
from reviews import criteria
from reviews.draw.selectors import exclusions_by_rule
from reviews.models import Assignment, Draw, DrawCommitment, Plan, PlanVersion, Review


class PlanVersionSerializer(ModelSerializer):
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


class PlanSerializer(ModelSerializer):
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


class PlanVersionUploadSerializer(serializers.Serializer):
    document = serializers.FileField()
    drafters = serializers.PrimaryKeyRelatedField(
        queryset=Expert.objects.all(),
        many=True,
        required=False,
        help_text="Experts of the roster who drafted this version; they are not drawn for its reviews "
        "while the review's rule exclude_drafters holds.",
    )


class CriteriaField(serializers.JSONField):
    """A review's scoring criteria, each with its ``label`` in the reader's language
    (``reviews.criteria.label``: a known key translated, the secretariat's own name kept);
    written as sent (a known key needs no label)."""

    def to_representation(self, value):
        return criteria.shown(value)


class ReviewSerializer(ModelSerializer):
    required_domains = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Domain.objects.all(), required=False
    )
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    plan_title = TextField(source="plan.title", read_only=True)
    criteria = CriteriaField(required=False)
    plan_version = serializers.PrimaryKeyRelatedField(queryset=PlanVersion.objects.all(), required=False)
    draw = serializers.SerializerMethodField()
    # From the year 1901 on (core.rest.DateTimeField): what is stored is written back as RFC 3339.
    serializer_field_mapping = {
        **ModelSerializer.serializer_field_mapping,
        models.DateTimeField: DateTimeField,
    }

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
    reason = TextField(required=False, allow_blank=True, max_length=100)
    opens_at = DateTimeField(required=False)
    due_at = DateTimeField(required=False)
    meeting_at = DateTimeField(required=False, allow_null=True)
    location = TextField(required=False, allow_blank=True, max_length=200)
    panel_size = serializers.IntegerField(required=False, min_value=1, max_value=99)
    blind = serializers.ChoiceField(choices=Review.Blind.choices, required=False)
    reply_days = serializers.IntegerField(required=False, min_value=1, max_value=30)
    required_domains = serializers.SlugRelatedField(
        slug_field="code", many=True, queryset=Domain.objects.all(), required=False
    )
    chair = serializers.PrimaryKeyRelatedField(queryset=Expert.objects.all(), required=False)


class ExclusionSerializer(serializers.Serializer):
    expert = serializers.IntegerField()
    name = TextField()
    reason = TextField()
    rule = TextField()


@extend_schema_field({"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "minLength": 1}]})
class RoundField(serializers.Field):
    """A drand round number, or the name of a lottery draw (``reviews.draw.beacon`` checks it)."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(_("A round number, or the lottery draw's name."))
        return data

    def to_representation(self, value):
        return value


class BeaconSerializer(serializers.Serializer):
    """The public value to come: ``source`` (drand quicknet, lottery; system for an unwitnessed
    draw), ``round``, and ``public_at`` (when it becomes public; given for a lottery)."""

    source = TextField(max_length=50)
    round = RoundField(required=False)
    public_at = TextField(required=False, max_length=40)


class BeaconRequestSerializer(serializers.Serializer):
    source = serializers.ChoiceField(choices=[("drand quicknet", "drand quicknet"), ("lottery", "lottery")])
    round = RoundField()
    public_at = TextField(required=False, max_length=40, help_text="For a lottery: ISO 8601 with offset.")


class DrawCommitmentRequestSerializer(serializers.Serializer):
    beacon = BeaconRequestSerializer()
    witnesses = serializers.ListField(child=TextField(max_length=200), min_length=1, max_length=20)


class DrawCommitmentSerializer(ModelSerializer):
    pool_size = serializers.SerializerMethodField()
    beacon = BeaconSerializer()
    witnesses = serializers.ListField(child=TextField())
    committed_at = DateTimeField()

    class Meta:
        model = DrawCommitment
        fields = ["id", "digest", "pool_hash", "pool_size", "rules", "algorithm", "beacon", "witnesses", "committed_at"]
        read_only_fields = fields

    def get_pool_size(self, commitment) -> int:
        return len(commitment.pool)


class DrawRevealSerializer(serializers.Serializer):
    """After a commitment: the public value, its signature (drand), one input per witness. Empty
    with no commitment: an unwitnessed draw. A ``seed`` is refused: it is derived, never typed."""

    beacon_value = TextField(required=False, max_length=200, allow_blank=True)
    beacon_signature = TextField(required=False, max_length=400, allow_blank=True, allow_null=True)
    witness_inputs = serializers.ListField(child=TextField(max_length=200, allow_blank=True), required=False,
                                           max_length=20)  # fmt: skip


class DrawSerializer(ModelSerializer):
    excluded = serializers.SerializerMethodField()
    pool_size = serializers.SerializerMethodField()
    changes = serializers.SerializerMethodField()
    commitment = DrawCommitmentSerializer(allow_null=True)
    seed_source_label = TextField(source="get_seed_source_display")
    witness_inputs = serializers.ListField(child=TextField())

    class Meta:
        model = Draw
        fields = ["id", "review", "seed", "seed_source", "seed_source_label", "commitment", "beacon_value",
                  "beacon_signature", "witness_inputs", "pool_hash", "pool", "pool_size", "rules", "algorithm",
                  "method", "solver", "selected", "alternates", "excluded", "changes", "batch", "drawn_by",
                  "drawn_at"]  # fmt: skip
        read_only_fields = fields

    def get_pool_size(self, draw) -> int:
        return len(draw.pool)

    @extend_schema_field(ExclusionSerializer(many=True))
    def get_excluded(self, draw):
        return [
            {"expert": expert_id, "name": name, "reason": str(label), "rule": code}
            for code, label, members in exclusions_by_rule(draw)
            for expert_id, name in members
        ]

    def get_changes(self, draw) -> list[dict]:
        return [
            {"kind": c.kind, "expert_out": c.expert_out_id, "expert_in": c.expert_in_id, "reason": c.reason,
             "at": c.at.isoformat()}
            for c in draw.changes.all()
        ]  # fmt: skip


# ---------------------------------------------------------------- the record (schema only: docs/draw-record.md)


class RecordCommitmentSerializer(serializers.Serializer):
    format = TextField()
    review = serializers.IntegerField()
    pool = serializers.ListField(child=serializers.ListField(child=serializers.JSONField()))
    pool_hash = TextField()
    excluded = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))
    rules = serializers.DictField()
    algorithm = TextField()
    beacon = BeaconSerializer()
    witnesses = serializers.ListField(child=TextField())
    committed_by = TextField()
    committed_at = TextField()
    batch = TextField(allow_blank=True)
    digest = TextField()


class RecordMemberSerializer(serializers.Serializer):
    draw = serializers.IntegerField()
    review = serializers.IntegerField()
    drawn_at = TextField()
    method = TextField()
    commitment = RecordCommitmentSerializer(allow_null=True)
    legacy = serializers.DictField(required=False, help_text="A draw made before commitments: pool, pool_hash, "
                                   "excluded, rules.")  # fmt: skip
    selected = serializers.ListField(child=serializers.IntegerField())
    alternates = serializers.ListField(child=serializers.IntegerField())


class RecordRevealSerializer(serializers.Serializer):
    beacon_value = TextField(allow_blank=True)
    beacon_signature = TextField(allow_blank=True)
    witness_inputs = serializers.ListField(child=TextField())


class DrawRecordSerializer(serializers.Serializer):
    format = TextField()
    draw = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["single", "batch"])
    seed_source = serializers.ChoiceField(choices=Draw.SeedSource.choices)
    algorithm = TextField()
    solver = TextField(allow_blank=True)
    batch = TextField(allow_blank=True)
    source = serializers.DictField(allow_null=True, help_text="The drand chain's constants, or null.")
    reveal = RecordRevealSerializer()
    seed = TextField()
    members = RecordMemberSerializer(many=True)
    names = serializers.DictField(child=TextField(allow_blank=True))


class ReviewSummarySerializer(ModelSerializer):
    plan_title = TextField(source="plan.title")
    kind = TextField(source="plan.kind")

    class Meta:
        model = Review
        fields = ["id", "plan", "plan_title", "kind", "mode", "opens_at", "due_at", "meeting_at", "location", "state"]


class AssignmentSerializer(ModelSerializer):
    expert_name = TextField(source="expert.name", read_only=True)
    review_summary = ReviewSummarySerializer(source="review", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "review", "review_summary", "expert", "expert_name", "state", "invited_at", "reply_by",
                  "responded_at", "decline_reason", "no_conflict_text", "confidentiality_text"]  # fmt: skip
        read_only_fields = fields


class PanelAssignmentSerializer(ModelSerializer):
    expert_name = TextField(source="expert.name", read_only=True)

    class Meta:
        model = Assignment
        fields = ["id", "review", "expert", "expert_name", "state", "invited_at", "reply_by", "responded_at"]
        read_only_fields = fields


class AcceptSerializer(serializers.Serializer):
    no_conflict = serializers.BooleanField(required=False, default=False)
    confidentiality = serializers.BooleanField(required=False, default=False)


class DeclineSerializer(serializers.Serializer):
    reason = TextField(max_length=500, allow_blank=True, required=False, default="")


class EventSerializer(serializers.Serializer):
    type = TextField()
    review = serializers.IntegerField()
    seq = serializers.IntegerField()
    at = TextField()
