"""``/experts/{id}/history/`` and ``/experts/{id}/conflicts/``: for the secretariat and the
expert themself (``rules.may_read_full_record``)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView, ListCreateAPIView
from rest_framework.response import Response

from experts import rules, selectors, services
from experts.api.common import asks_to_unmask, call, expert_or_404, unmask
from experts.api.serializers import ConflictSerializer, HistoryEntrySerializer
from experts.models import Conflict, Expert


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
        expert = expert_or_404(request.user, pk)
        if not rules.may_read_full_record(request.user, expert):
            raise PermissionDenied(_("Only the secretariat and the expert read the history."))
        asked = asks_to_unmask(request)  # read first: a bad value is a 400 on one's own record too
        show_contact = rules.is_own(request.user, expert) or (asked and unmask(request, expert))
        entries = selectors.expert_history(expert, show_contact=show_contact)
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(HistoryEntrySerializer(page, many=True).data)


class ExpertConflicts(ListCreateAPIView):
    """An expert's declared conflicts: read and declared by the secretariat and the expert."""

    serializer_class = ConflictSerializer

    def get_expert(self):
        expert = expert_or_404(self.request.user, self.kwargs["pk"])
        if not rules.may_read_full_record(self.request.user, expert):
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
        conflict = call(services.declare_conflict, expert, by=request.user, **serializer.validated_data)
        return Response(ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)
