"""What the roster's API reads and answers: domains, organisations, experts (cut down to what
the caller may read by ``expert_data``), history entries and declared conflicts."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.rest import ModelSerializer, TextField
from experts import rules
from experts.models import Conflict, Domain, Expert, Organization
from experts.privacy import contact_for


class DomainSerializer(ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Domain
        fields = ["id", "code", "name", "name_en", "parent"]


class OrganizationSerializer(ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "parent", "credit_code"]


class ExpertSerializer(ModelSerializer):
    """The full record. What a caller actually receives is cut down by ``expert_data``."""

    employer_name = TextField(source="employer.name", read_only=True, default="")
    domains = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Domain.objects.all(), required=False)
    primary_domain = serializers.SlugRelatedField(
        slug_field="code", queryset=Domain.objects.all(), required=False, allow_null=True
    )
    # Read: the photo's URL (or null); written as a multipart file (ExpertUploadSerializer).
    photo = serializers.ImageField(required=False, allow_null=True)
    # Read: the account's username (or null), for those who read the full record.
    username = TextField(required=False, allow_blank=True, allow_null=True, max_length=150)
    status_reason = TextField(required=False, allow_blank=True, max_length=500)

    class Meta:
        model = Expert
        fields = [
            "id",
            "key",
            "name",
            "category",
            "title",
            "title_level",
            "position",
            "employer",
            "employer_name",
            "domains",
            "primary_domain",
            "specialties",
            "biography",
            "status",
            "status_reason",
            "term_start",
            "term_end",
            "appointment_letter",
            "mobile",
            "email",
            "photo",
            "username",
            "public_fields",
            "manual_order",
        ]
        extra_kwargs = {"key": {"required": False, "validators": []}, "status": {"required": False}}

    def to_representation(self, expert):
        data = super().to_representation(expert)
        data["username"] = expert.user.username if expert.user_id else None
        return data


class ExpertJsonSerializer(ExpertSerializer):
    """A JSON body: every field but ``photo``, which only a multipart body carries."""

    class Meta(ExpertSerializer.Meta):
        fields = [name for name in ExpertSerializer.Meta.fields if name != "photo"]


class ExpertRecordSerializer(ExpertSerializer):
    """The record as answered (for the schema): ``id`` and ``name`` always; every other field
    only where ``expert_data`` lets the caller read it; ``mobile`` and ``email`` may be masked
    (``131****9141``), so they are plain text here."""

    mobile = TextField(required=False)
    email = TextField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        for name, field in fields.items():
            if name not in ("id", "name"):
                field.required, field.read_only, field.validators = False, False, []
        return fields


PUBLIC_API_FIELDS = {
    "title": ["title", "title_level"],
    "position": ["position"],
    "employer": ["employer", "employer_name"],
    "domains": ["domains", "primary_domain"],
    "biography": ["biography"],
    "photo": ["photo"],
}


def _serializer(request):
    """One serializer per request: DRF builds a ModelSerializer's fields anew for every instance
    (deep copies, model introspection: about 2 ms here), which made a page of 200 experts cost
    200 of them (bench/pages.py, docs/benchmarks.md)."""
    if request is None:
        return ExpertSerializer()
    if not hasattr(request, "_expert_serializer"):
        request._expert_serializer = ExpertSerializer(context={"request": request})
    return request._expert_serializer


def expert_data(expert, *, viewer, request, unmasked=False):
    """What ``viewer`` may read of ``expert``: everything for the secretariat and the expert
    themself (``rules.may_read_full_record``); the name, the fields the record marks public and
    masked contacts for others. Contacts are masked for everyone but the expert unless
    ``unmasked`` (``privacy.unmask``)."""
    data = _serializer(request).to_representation(expert)
    data.update(contact_for(viewer, expert, unmasked=unmasked))
    if rules.may_read_full_record(viewer, expert):
        return data
    shown = {"id", "name", "mobile", "email"}
    for field in expert.public_fields if isinstance(expert.public_fields, list) else []:
        shown.update(PUBLIC_API_FIELDS.get(field, []))
    return {key: value for key, value in data.items() if key in shown}


class HistoryChangeSerializer(serializers.Serializer):
    field = TextField()
    label = TextField()
    old = TextField()
    new = TextField()


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    by = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    reason = TextField()
    changes = HistoryChangeSerializer(many=True)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_by(self, entry):
        user = entry["by"]
        return user.username if user is not None else None


class ConflictSerializer(ModelSerializer):
    organization_name = TextField(source="organization.name", read_only=True)
    declared_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Conflict
        fields = ["id", "organization", "organization_name", "reason", "until", "declared_by", "created_at"]
