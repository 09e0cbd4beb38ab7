"""``/experts/`` (the roster as the caller may see it; the secretariat adds to it) and
``/experts/{id}/`` (one record: read, and changed by the secretariat or, for what they keep,
the expert)."""

import django_filters
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListCreateAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from core.rest import MultiPartParser, RowsFirstPagination, error_response
from experts import rules, selectors, services
from experts.api.common import asks_to_unmask, call, expert_or_404, unmask
from experts.api.serializers import ExpertJsonSerializer, ExpertRecordSerializer, ExpertSerializer, expert_data
from experts.models import Expert, Organization


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
        names_only = not rules.is_secretariat(self.request.user)
        return selectors.search_experts(queryset, value, names_only=names_only)

    def filter_ending(self, queryset, name, value):
        return selectors.terms_ending(queryset, within_days=int(value))


PRIVATE_FILTERS = {"domain", "status", "category", "employer_kind", "ending_within"}


def _write_fields(serializer):
    values = dict(serializer.validated_data)
    photo = values.pop("photo", None)
    reason = values.pop("status_reason", "")
    return values, photo, reason


# JSON bodies without the photo; multipart with it (``photo``: an image file).
WRITE_BODIES = {"application/json": ExpertJsonSerializer, "multipart/form-data": ExpertSerializer}


@extend_schema_view(
    get=extend_schema(
        responses=ExpertRecordSerializer(many=True),
        parameters=[
            OpenApiParameter(
                "ending_within",
                {"type": "integer", "minimum": 0, "maximum": 3660},
                description="days: terms ending within them (secretariat only)",
            )
        ],
    ),
    post=extend_schema(request=WRITE_BODIES, responses={201: ExpertRecordSerializer}),
)
class ExpertList(ListCreateAPIView):
    """The roster as the caller may see it; the secretariat puts people on it."""

    serializer_class = ExpertSerializer
    filterset_class = ExpertFilter
    parser_classes = [JSONParser, MultiPartParser]
    pagination_class = RowsFirstPagination  # a page of 50 out of thousands of matches

    def get_queryset(self):
        return selectors.ordered_roster(selectors.visible_experts(self.request.user), self.request.GET.get("order"))

    def list(self, request, *args, **kwargs):
        private = sorted(PRIVATE_FILTERS & set(request.GET))
        if private and not rules.is_secretariat(request.user):
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
        if not rules.is_secretariat(request.user):
            raise PermissionDenied(_("Only the secretariat puts experts on the roster."))
        serializer = ExpertSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        values, photo, reason = _write_fields(serializer)
        if photo is not None:
            photo.seek(0)
        with transaction.atomic():
            expert = call(
                services.create_expert,
                by=request.user,
                reason=reason or _("Added through the API"),
                username=values.pop("username", "") or None,
                domains=values.pop("domains", ()),
                **values,
            )
            if photo is not None:
                call(services.set_expert_photo, expert, upload=photo, by=request.user)
        expert = selectors.roster().get(pk=expert.pk)
        return Response(expert_data(expert, viewer=request.user, request=request), status=status.HTTP_201_CREATED)


class ExpertDetail(APIView):
    """One expert. PATCH: the secretariat changes anything (``status`` with ``status_reason``);
    the expert changes their own contact details, biography and photo."""

    parser_classes = [JSONParser, MultiPartParser]

    def get_object(self):
        return expert_or_404(self.request.user, self.kwargs["pk"])

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "unmask",
                bool,
                description="1: mobile and email in full (needs experts.view_contact; recorded in the audit trail)",
            )
        ],
        responses=ExpertRecordSerializer,
    )
    def get(self, request, pk):
        expert = self.get_object()
        unmasked = asks_to_unmask(request) and unmask(request, expert)
        return Response(expert_data(expert, viewer=request.user, request=request, unmasked=unmasked))

    @extend_schema(request=WRITE_BODIES, responses=ExpertRecordSerializer)
    def patch(self, request, pk):
        expert = self.get_object()
        is_secretariat = rules.is_secretariat(request.user)
        if not (is_secretariat or rules.is_own(request.user, expert)):
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
        with transaction.atomic():
            if is_secretariat:
                _change_record(expert, by=request.user, values=values, reason=reason)
            elif values:
                call(services.update_own_profile, expert, by=request.user, **values)
            if photo is not None:
                call(services.set_expert_photo, expert, upload=photo, by=request.user)
        expert = selectors.roster().get(pk=expert.pk)
        return Response(expert_data(expert, viewer=request.user, request=request))


def _change_record(expert, *, by, values, reason):
    """The secretariat's PATCH: the fields, then the status (with ``status_reason``) if it changes."""
    new_status = values.pop("status", None)
    values.pop("username", None)
    call(
        services.update_expert,
        expert,
        by=by,
        reason=reason or _("Changed through the API"),
        domains=values.pop("domains", None),
        **values,
    )
    if new_status and new_status != expert.status:
        call(services.change_expert_status, expert, status=new_status, by=by, reason=reason)
