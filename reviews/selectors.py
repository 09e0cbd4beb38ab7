"""Reads for plans, reviews, draws and assignments: what each user may see, fetched in a fixed
number of queries however many rows there are."""

from django.db.models import Count, F, Prefetch, Q

from reviews import rules
from reviews.models import Assignment, Plan, PlanUserObjectPermission, PlanVersion, Review, ReviewUserObjectPermission


def plans_visible_to(user):
    plans = Plan.objects.select_related("submitted_by").prefetch_related(
        "domains",
        "related_organizations",
        Prefetch("versions", queryset=PlanVersion.objects.defer("blocks").order_by("number")),
    )
    if rules.sees_every_review(user):
        return plans
    condition = Q(
        pk__in=PlanUserObjectPermission.objects.filter(user=user, permission__codename="view_plan").values(
            "content_object_id"
        )
    )
    own = rules.staff_organization_id(user)
    if own is not None:
        condition |= Q(submitted_by_id=own)
    return plans.filter(condition)


def reviews_visible_to(user):
    reviews = Review.objects.select_related("plan", "plan_version", "chair", "draw").prefetch_related(
        "required_domains"
    )
    reviews = reviews.defer("plan_version__blocks", "draw__pool", "draw__excluded")
    if rules.sees_every_review(user):
        return reviews
    condition = Q(
        pk__in=ReviewUserObjectPermission.objects.filter(user=user, permission__codename="view_review").values(
            "content_object_id"
        )
    )
    own = rules.staff_organization_id(user)
    if own is not None:
        condition |= Q(plan__submitted_by_id=own)
    return reviews.filter(condition)


def assignments_of(user):
    """The caller's own invitations and panels, newest first, with the review's summary."""
    return (
        Assignment.objects.filter(expert__user=user)
        .select_related("review__plan", "expert")
        .defer("review__rules", "review__criteria")
        .order_by("-invited_at", "-id")
    )


def assignments_for_review(review):
    return review.assignments.select_related("expert__employer").order_by("invited_at", "id")


def all_assignments():
    return Assignment.objects.select_related("review__plan", "expert").order_by("-invited_at", "-id")


def invitations_waiting(user):
    return assignments_of(user).filter(state=Assignment.State.INVITED)


def panel_progress(review):
    """The panel as numbers only, for those who may not see who is on it (``rules.can_see_panel``):
    ``{"seats", "accepted", "awaiting", "vacant"}``: the panel's size, the experts who accepted,
    those invited who have not answered yet, and the seats neither holds (an alternate is still to
    be invited, or none is left). One query; no name, no id, no count of declines."""
    counts = review.assignments.aggregate(
        accepted=Count("id", filter=Q(state=Assignment.State.ACCEPTED)),
        awaiting=Count("id", filter=Q(state=Assignment.State.INVITED)),
    )
    seats = review.panel_size
    return {
        "seats": seats,
        "accepted": counts["accepted"],
        "awaiting": counts["awaiting"],
        "vacant": max(seats - counts["accepted"] - counts["awaiting"], 0),
    }


# ---------------------------------------------------------------- the secretariat's week (cms.dashboard)


def invitations_past_reply(now):
    """Invitations still unanswered after their reply date, on reviews whose panel still changes
    (``chase_unanswered`` reminds them, then gives the seat to the next alternate): the rows the
    dashboard counts and its list shows, oldest reply date first."""
    from reviews.services.assignments import ANSWERABLE

    return Assignment.objects.filter(
        state=Assignment.State.INVITED, reply_by__lte=now, review__state__in=ANSWERABLE
    ).order_by("reply_by", "id")


def reviews_short_of_panel():
    """Reviews whose panel still changes and has seats that neither an accepted expert nor a
    pending invitation holds (``panel_progress``'s ``vacant`` above 0: the alternates ran out
    after declines), with ``n_accepted`` and ``n_awaiting``; the soonest due first."""
    from reviews.services.assignments import ANSWERABLE

    return (
        Review.objects.filter(state__in=ANSWERABLE)
        .annotate(
            n_accepted=Count("assignments", filter=Q(assignments__state=Assignment.State.ACCEPTED)),
            n_awaiting=Count("assignments", filter=Q(assignments__state=Assignment.State.INVITED)),
        )
        .filter(n_accepted__lt=F("panel_size") - F("n_awaiting"))
        .order_by("due_at", "id")
    )
