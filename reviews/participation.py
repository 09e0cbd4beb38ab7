"""The reviews' part of an expert's participation record (experts/participation.py):
invitations and how they were answered, by the year of the invitation (local time).
Registered on import; ``ReviewsConfig.ready`` imports this module."""

from django.db.models import Count, Q
from django.db.models.functions import ExtractYear

from experts.participation import register_participation_source
from reviews.models import Assignment


@register_participation_source("invitations", "accepted", "declined", "no_answer")
def assignment_counts(expert_ids):
    """An acceptance counts even when the expert was later replaced or withdrawn (they answered
    yes: ``responded_at`` set, no reason for declining); an invitation left to expire is "no
    answer"."""
    State = Assignment.State
    rows = (
        Assignment.objects.filter(expert_id__in=expert_ids)
        .annotate(year=ExtractYear("invited_at"))
        .order_by()  # the model's ordering would split the groups
        .values("expert_id", "year")
        .annotate(
            invitations=Count("id"),
            accepted=Count(
                "id",
                filter=Q(state=State.ACCEPTED)
                | Q(state__in=[State.REPLACED, State.WITHDRAWN], responded_at__isnull=False, decline_reason=""),
            ),
            declined=Count("id", filter=Q(state=State.DECLINED)),
            no_answer=Count("id", filter=Q(state=State.EXPIRED)),
        )
    )
    return {(row["expert_id"], row["year"]): row for row in rows}
