"""A review's notices (``experts.notices``: the invitations, reminders and meeting notices sent
for it): the selector the invitation board and ``GET /api/v1/notices/?review={id}`` read, and that
endpoint (the secretariat only: a notice names the panel and what reached whom)."""

from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, generics

from core.rest import MAX_ID, ModelSerializer, TextField
from experts.notices.models import Notice
from reviews import rules
from reviews.models import Review


def notices_for_review(review):
    """Every notice sent about ``review``, by expert, oldest first, with its expert (one query)."""
    return (
        Notice.objects.filter(about_type=ContentType.objects.get_for_model(Review), about_id=review.pk)
        .select_related("expert")
        .order_by("expert__name", "expert_id", "created_at", "id")
    )


def by_expert(notices):
    """``[(expert, [notice, ...]), ...]`` in the order given: the board's rows."""
    rows = {}
    for notice in notices:
        rows.setdefault(notice.expert_id, (notice.expert, []))[1].append(notice)
    return list(rows.values())


class NoticeSerializer(ModelSerializer):
    expert_name = TextField(source="expert.name", read_only=True)
    to = TextField(source="masked_to", read_only=True, help_text="The address, masked.")

    class Meta:
        model = Notice
        fields = [
            "id", "expert", "expert_name", "channel", "kind", "status", "provider", "provider_reason",
            "attempts", "needs_phone_call", "to", "created_at", "sent_at", "settled_at",
        ]  # fmt: skip
        read_only_fields = fields


class NoticeListView(generics.ListAPIView):
    """The notices of one review (``?review=<id>``, required), for the secretariat."""

    serializer_class = NoticeSerializer
    queryset = Notice.objects.none()  # names the model for the schema; get_queryset() decides

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "review",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                required=True,
                description="The review's id.",
            )  # fmt: skip
        ]
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if not rules.can_manage_review(self.request.user):
            raise exceptions.PermissionDenied()
        raw = self.request.query_params.get("review", "")
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_ID:
            raise exceptions.ValidationError({"review": [_("Name the review by its id: ?review=<id>.")]})
        review = Review.objects.filter(pk=int(raw)).first()
        if review is None:
            raise exceptions.NotFound()
        return notices_for_review(review)
