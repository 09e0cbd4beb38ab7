"""The roster's API (API.md): tokens, domains, organisations, experts."""

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.generics import ListAPIView, ListCreateAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from core.rest import Conflict as ConflictError
from core.rest import error_response
from experts import privacy, selectors, services
from experts.models import Conflict, Domain, Expert, Organization
from experts.privacy import contact_for
from experts.roles import SECRETARIAT, has_role
from experts.second_factor import SecondFactorError


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=256, trim_whitespace=False)
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="a current code of the authenticator app (or a backup code): required of the back office's accounts",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    """``POST`` exchanges a username and password for a bearer token; ``DELETE`` revokes it."""

    throttle_scope = "token"

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_throttles(self):
        return [ScopedRateThrottle()] if self.request.method == "POST" else []

    def get_authenticators(self):
        # The token endpoint never needs a CSRF check: it takes credentials, not a session.
        from experts.auth import BearerTokenAuthentication

        return [BearerTokenAuthentication()]

    @extend_schema(request=TokenRequestSerializer, responses={201: TokenSerializer}, auth=[])
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            issued = services.issue_api_token(request=request._request, **data.validated_data)
        except SecondFactorError as error:
            return error_response(
                str(error), status_code=status.HTTP_400_BAD_REQUEST, errors={"otp": [str(error)]}
            )
        if issued is None:
            return error_response(_("The username or password is wrong."), status_code=status.HTTP_400_BAD_REQUEST)
        raw, token = issued
        return Response(
            TokenSerializer({"token": raw, "expires_at": token.expires_at}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=None, responses={204: inline_serializer("TokenRevoked", {})})
    def delete(self, request):
        if request.auth is None:
            return error_response(
                _("Send the token to revoke in the Authorization header."), status_code=status.HTTP_400_BAD_REQUEST
            )
        services.revoke_api_token(request.auth)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- the roster ---------------------------------------------------------------------------


class DomainSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Domain
        fields = ["id", "code", "name", "name_en", "parent"]


class DomainList(ListAPIView):
    """The industry taxonomy, for every signed-in user."""

    serializer_class = DomainSerializer
    queryset = Domain.objects.select_related("parent").order_by("code")


class OrganizationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "parent", "credit_code"]


class OrganizationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains")

    class Meta:
        model = Organization
        fields = ["kind"]


class OrganizationList(ListCreateAPIView):
    """Organisations: every signed-in user reads them; the secretariat adds them."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.order_by("name")
    filterset_class = OrganizationFilter

    def create(self, request, *args, **kwargs):
        if not has_role(request.user, SECRETARIAT):
            raise PermissionDenied(_("Only the secretariat adds organisations."))
        data = OrganizationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.create_organization(by=request.user, **data.validated_data)
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)


class ExpertSerializer(serializers.ModelSerializer):
    """The full record. What a caller actually receives is cut down by ``expert_data``."""

    employer_name = serializers.CharField(source="employer.name", read_only=True, default="")
    domains = serializers.SlugRelatedField(slug_field="code", many=True, queryset=Domain.objects.all(), required=False)
    primary_domain = serializers.SlugRelatedField(
        slug_field="code", queryset=Domain.objects.all(), required=False, allow_null=True
    )
    photo = serializers.ImageField(required=False, write_only=True)
    photo_url = serializers.SerializerMethodField()
    username = serializers.CharField(required=False, allow_blank=True, max_length=150, write_only=True)
    status_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)

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
            "photo_url",
            "username",
            "public_fields",
            "manual_order",
        ]
        extra_kwargs = {"key": {"required": False, "validators": []}, "status": {"required": False}}

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_photo_url(self, expert):
        if not expert.photo:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(expert.photo.url) if request else expert.photo.url

    def to_representation(self, expert):
        data = super().to_representation(expert)
        data["username"] = expert.user.username if expert.user_id else None
        data["photo"] = data.pop("photo_url")
        return data


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
    themself; the name, the fields the record marks public and masked contacts for others.
    Contacts are masked for everyone but the expert unless ``unmasked`` (``privacy.unmask``)."""
    data = _serializer(request).to_representation(expert)
    data.update(contact_for(viewer, expert, unmasked=unmasked))
    if has_role(viewer, SECRETARIAT) or (expert.user_id and expert.user_id == viewer.pk):
        return data
    shown = {"id", "name", "mobile", "email"}
    for field in expert.public_fields if isinstance(expert.public_fields, list) else []:
        shown.update(PUBLIC_API_FIELDS.get(field, []))
    return {key: value for key, value in data.items() if key in shown}


class ExpertFilter(django_filters.FilterSet):
    domain = django_filters.CharFilter(method="filter_domain", help_text="a domain code; includes those below it")
    status = django_filters.ChoiceFilter(choices=Expert.Status.choices)
    category = django_filters.ChoiceFilter(choices=Expert.Category.choices)
    employer_kind = django_filters.ChoiceFilter(choices=Organization.Kind.choices, method="filter_employer_kind")
    q = django_filters.CharFilter(method="filter_q", help_text="name, pinyin initials, specialty tags or employer")
    ending_within = django_filters.NumberFilter(method="filter_ending", min_value=0, max_value=3660)

    class Meta:
        model = Expert
        fields = []

    def filter_domain(self, queryset, name, value):
        return selectors.filter_roster(queryset, domain=value)

    def filter_employer_kind(self, queryset, name, value):
        return selectors.filter_roster(queryset, employer_kind=value)

    def filter_q(self, queryset, name, value):
        names_only = not has_role(self.request.user, SECRETARIAT)
        return selectors.search_experts(queryset, value, names_only=names_only)

    def filter_ending(self, queryset, name, value):
        return selectors.terms_ending(queryset, within_days=int(value))


PRIVATE_FILTERS = {"domain", "status", "category", "employer_kind", "ending_within"}


def _write_fields(serializer):
    values = dict(serializer.validated_data)
    photo = values.pop("photo", None)
    reason = values.pop("status_reason", "")
    return values, photo, reason


@extend_schema_view(
    get=extend_schema(responses=ExpertSerializer(many=True)),
    post=extend_schema(request=ExpertSerializer, responses={201: ExpertSerializer}),
)
class ExpertList(ListCreateAPIView):
    """The roster as the caller may see it; the secretariat puts people on it."""

    serializer_class = ExpertSerializer
    filterset_class = ExpertFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return selectors.ordered_roster(selectors.visible_experts(self.request.user), self.request.GET.get("order"))

    def list(self, request, *args, **kwargs):
        private = sorted(PRIVATE_FILTERS & set(request.GET))
        if private and not has_role(request.user, SECRETARIAT):
            # Filtering on a field the caller may not read would reveal it, one query at a time.
            return error_response(
                _("Only the secretariat filters the roster by these fields."),
                status_code=status.HTTP_403_FORBIDDEN,
                errors={name: [_("Not available to you.")] for name in private},
            )
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(
            [expert_data(expert, viewer=request.user, request=request) for expert in page]
        )

    def create(self, request, *args, **kwargs):
        if not has_role(request.user, SECRETARIAT):
            raise PermissionDenied(_("Only the secretariat puts experts on the roster."))
        serializer = ExpertSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values, photo, reason = _write_fields(serializer)
        if photo is not None:
            photo.seek(0)
        with transaction.atomic():
            expert = _call(
                services.create_expert,
                by=request.user,
                reason=reason or _("Added through the API"),
                username=values.pop("username", "") or None,
                domains=values.pop("domains", ()),
                **values,
            )
            if photo is not None:
                _call(services.set_expert_photo, expert, upload=photo, by=request.user)
        expert = selectors.roster().get(pk=expert.pk)
        return Response(expert_data(expert, viewer=request.user, request=request), status=status.HTTP_201_CREATED)


def _asks_to_unmask(request):
    return request.query_params.get("unmask", "").lower() in {"1", "true", "yes"}


def _unmask(request, expert):
    """Record the request to see contact details (403 without ``experts.view_contact``)."""
    try:
        privacy.unmask(request.user, expert, request=request._request, via="api")
    except DjangoPermissionDenied:
        raise PermissionDenied(_("You may not see contact details."))
    return True


def _call(service, *args, **kwargs):
    """A service's ``ValidationError`` as the API's 400 (a transition refused is a 409)."""
    try:
        return service(*args, **kwargs)
    except DjangoValidationError as error:
        if getattr(error, "code", None) == "transition":
            raise ConflictError(error.messages[0])
        if hasattr(error, "error_dict"):
            raise serializers.ValidationError(error.message_dict)
        raise serializers.ValidationError({"non_field_errors": error.messages})


class ExpertDetail(APIView):
    """One expert. PATCH: the secretariat changes anything (``status`` with ``status_reason``);
    the expert changes their own contact details, biography and photo."""

    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_object(self):
        expert = selectors.expert_for(self.request.user, self.kwargs["pk"])
        if expert is None:
            raise NotFound()
        return expert

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unmask",
                bool,
                description="1: mobile and email in full (needs experts.view_contact; recorded in the audit trail)",
            )
        ],
        responses=ExpertSerializer,
    )
    def get(self, request, pk):
        expert = self.get_object()
        unmasked = _asks_to_unmask(request) and _unmask(request, expert)
        return Response(expert_data(expert, viewer=request.user, request=request, unmasked=unmasked))

    @extend_schema(request=ExpertSerializer, responses=ExpertSerializer)
    def patch(self, request, pk):
        expert = self.get_object()
        is_secretariat = has_role(request.user, SECRETARIAT)
        is_self = expert.user_id == request.user.pk
        if not (is_secretariat or is_self):
            raise PermissionDenied(_("You may not change this expert's record."))
        serializer = ExpertSerializer(expert, data=request.data, partial=True, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values, photo, reason = _write_fields(serializer)
        if not is_secretariat:
            refused = sorted(set(values) - set(services.SELF_SERVICE_FIELDS))
            if refused:
                return error_response(
                    _("You may change only your contact details, biography and photo."),
                    status_code=status.HTTP_403_FORBIDDEN,
                    errors={name: [_("The secretariat keeps this field.")] for name in refused},
                )
        new_status = values.pop("status", None)
        values.pop("username", None)
        with transaction.atomic():
            if is_secretariat:
                _call(
                    services.update_expert,
                    expert,
                    by=request.user,
                    reason=reason or _("Changed through the API"),
                    domains=values.pop("domains", None),
                    **values,
                )
                if new_status and new_status != expert.status:
                    _call(services.change_expert_status, expert, status=new_status, by=request.user, reason=reason)
            elif values:
                _call(services.update_own_profile, expert, by=request.user, **values)
            if photo is not None:
                _call(services.set_expert_photo, expert, upload=photo, by=request.user)
        expert = selectors.roster().get(pk=expert.pk)
        return Response(expert_data(expert, viewer=request.user, request=request))


class HistoryChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    by = serializers.SerializerMethodField()
    kind = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    reason = serializers.CharField()
    changes = HistoryChangeSerializer(many=True)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_by(self, entry):
        user = entry["by"]
        return user.username if user is not None else None


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("unmask", bool, description="1: contact values in full (as for the expert's record)")
        ]
    )
)
class ExpertHistory(ListAPIView):
    """Every recorded change of an expert, creation first: for the secretariat and the expert."""

    serializer_class = HistoryEntrySerializer

    def get_queryset(self):  # pragma: no cover - the list is built in ``list``
        return Expert.objects.none()

    def list(self, request, pk):
        expert = selectors.expert_for(request.user, pk)
        if expert is None:
            raise NotFound()
        if not (has_role(request.user, SECRETARIAT) or expert.user_id == request.user.pk):
            raise PermissionDenied(_("Only the secretariat and the expert read the history."))
        show_contact = privacy.is_own(request.user, expert) or (_asks_to_unmask(request) and _unmask(request, expert))
        entries = selectors.expert_history(expert, show_contact=show_contact)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)


class ConflictSerializer(serializers.ModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    declared_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Conflict
        fields = ["id", "organization", "organization_name", "reason", "until", "declared_by", "created_at"]


class ExpertConflicts(ListCreateAPIView):
    """An expert's declared conflicts: read and declared by the secretariat and the expert."""

    serializer_class = ConflictSerializer

    def get_expert(self):
        expert = selectors.expert_for(self.request.user, self.kwargs["pk"])
        if expert is None:
            raise NotFound()
        if not (has_role(self.request.user, SECRETARIAT) or expert.user_id == self.request.user.pk):
            raise PermissionDenied(_("Only the secretariat and the expert see the declared conflicts."))
        return expert

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no expert
            return Conflict.objects.none()
        return self.get_expert().conflicts.select_related("organization", "declared_by")

    def create(self, request, *args, **kwargs):
        expert = self.get_expert()
        serializer = ConflictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        conflict = _call(services.declare_conflict, expert, by=request.user, **serializer.validated_data)
        return Response(ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)
