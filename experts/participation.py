"""An expert's participation record: invitations, acceptances, declines, opinions on time and
late, adopted points; per expert and per year (what the secretariat reads when renewing terms).

The review models arrive in stages. Each count is computed from whatever exists: a model not
installed yet reports ``None`` (shown as "not recorded yet"), never a made-up zero.
"""

from collections import defaultdict

from django.apps import apps
from django.db.models import Count, F, Q
from django.db.models.functions import ExtractYear


def _model(app_label, name):
    try:
        return apps.get_model(app_label, name)
    except LookupError:
        return None


def _has_fields(model, *names):
    existing = {field.name for field in model._meta.get_fields()}
    return all(name in existing for name in names)


EMPTY = {
    "invitations": None,
    "accepted": None,
    "declined": None,
    "no_answer": None,
    "opinions_on_time": None,
    "opinions_late": None,
    "points": None,
    "points_adopted": None,
}


def _assignment_counts(expert_ids):
    """``{(expert_id, year): {...}}`` from reviews.Assignment, years in the local time zone."""
    Assignment = _model("reviews", "Assignment")
    if Assignment is None or not _has_fields(
        Assignment, "expert", "state", "invited_at", "responded_at", "decline_reason"
    ):
        return None
    rows = (
        Assignment.objects.filter(expert_id__in=expert_ids)
        .annotate(year=ExtractYear("invited_at"))
        .order_by()  # the model's ordering would split the groups
        .values("expert_id", "year")
        .annotate(
            invitations=Count("id"),
            accepted=Count(
                "id",
                filter=Q(state="accepted")
                | Q(state__in=["replaced", "withdrawn"], responded_at__isnull=False, decline_reason=""),
            ),
            declined=Count("id", filter=Q(state="declined")),
            no_answer=Count("id", filter=Q(state="expired")),
        )
    )
    return {(row["expert_id"], row["year"]): row for row in rows}


def _opinion_counts(expert_ids):
    """On time / late from an Opinion model with ``submitted_at`` against its review's ``due_at``."""
    for app_label in ("reviews", "consultations"):
        Opinion = _model(app_label, "Opinion")
        if Opinion is not None:
            break
    else:
        return None
    if not _has_fields(Opinion, "review", "submitted_at"):
        return None
    expert_path = "expert_id" if _has_fields(Opinion, "expert") else "assignment__expert_id"
    if expert_path == "assignment__expert_id" and not _has_fields(Opinion, "assignment"):
        return None
    rows = (
        Opinion.objects.filter(**{f"{expert_path}__in": expert_ids}, submitted_at__isnull=False)
        .annotate(year=ExtractYear("submitted_at"))
        .order_by()
        .values(expert_path, "year")
        .annotate(
            on_time=Count("id", filter=Q(submitted_at__lte=F("review__due_at"))),
            late=Count("id", filter=Q(submitted_at__gt=F("review__due_at"))),
        )
    )
    return {(row[expert_path], row["year"]): row for row in rows}


def _point_counts(expert_ids):
    """Points answered in finalised response packages and how many were adopted (issue 6), by the
    year the package was finalised."""
    Response = _model("consultations", "Response")
    if Response is None:
        return None
    rows = (
        Response.objects.filter(
            point__opinion__expert_id__in=expert_ids,
            point__removed=False,
            point__opinion__review__response_package__isnull=False,
        )
        .annotate(year=ExtractYear("point__opinion__review__response_package__finalised_at"))
        .order_by()
        .values("point__opinion__expert_id", "year")
        .annotate(points=Count("id"), adopted=Count("id", filter=Q(status="adopted")))
    )
    return {(row["point__opinion__expert_id"], row["year"]): row for row in rows}


def participation(expert_ids):
    """``{expert_id: {"total": {...}, "years": [(year, {...}), ...]}}`` for the given experts,
    in a fixed number of queries whatever their number."""
    expert_ids = list(expert_ids)
    assignments = _assignment_counts(expert_ids)
    opinions = _opinion_counts(expert_ids)
    points = _point_counts(expert_ids)
    per_year = defaultdict(lambda: defaultdict(dict))
    for source, mapping in (
        (
            assignments,
            {"invitations": "invitations", "accepted": "accepted", "declined": "declined", "no_answer": "no_answer"},
        ),
        (opinions, {"opinions_on_time": "on_time", "opinions_late": "late"}),
        (points, {"points": "points", "points_adopted": "adopted"}),
    ):
        if source is None:
            continue
        for (expert_id, year), row in source.items():
            for key, column in mapping.items():
                per_year[expert_id][year][key] = row[column]
    result = {}
    for expert_id in expert_ids:
        total = dict(EMPTY)
        if assignments is not None:
            total.update(invitations=0, accepted=0, declined=0, no_answer=0)
        if opinions is not None:
            total.update(opinions_on_time=0, opinions_late=0)
        if points is not None:
            total.update(points=0, points_adopted=0)
        years = []
        for year in sorted(per_year[expert_id], reverse=True):
            row = dict(total) | {key: 0 for key, value in total.items() if value is not None}
            row.update(per_year[expert_id][year])
            years.append((year, row))
            for key, value in per_year[expert_id][year].items():
                total[key] = (total[key] or 0) + value
        result[expert_id] = {"total": total, "years": years}
    return result


def participation_of(expert):
    return participation([expert.pk])[expert.pk]
