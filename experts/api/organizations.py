"""``/domains/`` (the industry taxonomy) and ``/organizations/``."""

import django_filters
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView, ListCreateAPIView
from rest_framework.response import Response

from experts import rules, services
from experts.api.serializers import DomainSerializer, OrganizationSerializer
from experts.models import Domain, Organization


class DomainList(ListAPIView):
    """The industry taxonomy, for every signed-in user."""

    serializer_class = DomainSerializer
    queryset = Domain.objects.select_related("parent").order_by("code")


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
        if not rules.is_secretariat(request.user):
            raise PermissionDenied(_("Only the secretariat adds organisations."))
        data = OrganizationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        organization = services.create_organization(by=request.user, **data.validated_data)
        return Response(OrganizationSerializer(organization).data, status=status.HTTP_201_CREATED)
