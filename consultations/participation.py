"""The consultations' part of an expert's participation record (experts/participation.py):
opinions submitted on time and late (by the year submitted), and points answered in finalised
response packages and how many were adopted (by the year the package was finalised).
Registered on import; ``ConsultationsConfig.ready`` imports this module."""

from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear

from consultations.opinions.models import Opinion
from consultations.responses.models import Response
from experts.participation import register_participation_source


@register_participation_source("opinions_on_time", "opinions_late")
def opinion_counts(expert_ids):
    """On time: submitted by the review's ``due_at``."""
    rows = (
        Opinion.objects.filter(expert_id__in=expert_ids, submitted_at__isnull=False)
        .annotate(year=ExtractYear("submitted_at"))
        .order_by()  # the model's ordering would split the groups
        .values("expert_id", "year")
        .annotate(
            opinions_on_time=Count("id", filter=Q(submitted_at__lte=F("review__due_at"))),
            opinions_late=Count("id", filter=Q(submitted_at__gt=F("review__due_at"))),
        )
    )
    return {(row["expert_id"], row["year"]): row for row in rows}


@register_participation_source("points", "points_adopted")
def point_counts(expert_ids):
    """Points still in their opinion, answered in a finalised response package."""
    rows = (
        Response.objects.filter(
            point__opinion__expert_id__in=expert_ids,
            point__removed=False,
            point__opinion__review__response_package__isnull=False,
        )
        .annotate(year=ExtractYear("point__opinion__review__response_package__finalised_at"))
        .order_by()
        .values("point__opinion__expert_id", "year")
        .annotate(points=Count("id"), points_adopted=Count("id", filter=Q(status=Response.Status.ADOPTED)))
    )
    return {(row["point__opinion__expert_id"], row["year"]): row for row in rows}
