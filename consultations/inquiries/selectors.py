"""Reads for consultations: the list as a reader may see it, and whom a consultation addresses."""

from django.db.models import Count, Prefetch, Q

from consultations.inquiries import rules
from consultations.inquiries.models import Consultation, Question
from experts.models import Domain, Expert


def consultations_for(user):
    """The consultations ``user`` may see, with what a row shows, in fixed queries."""
    return (
        rules.consultations_visible_to(user)
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("position", "id")),
            "addressed_domains",
            "addressed_experts",
        )
        .annotate(
            n_recipients=Count("recipients", distinct=True),
            n_submitted=Count("answers", distinct=True, filter=Q(answers__submitted_at__isnull=False)),
        )
        .order_by("-created_at", "-id")
    )


def with_descendants(domains):
    """The ids of ``domains`` and of every domain below them (the taxonomy is a tree of any depth)."""
    found = {d.pk for d in domains}
    frontier = set(found)
    while frontier:
        frontier = set(Domain.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)) - found
        found |= frontier
    return found


def addressed_experts(consultation):
    """The active experts the consultation addresses now: those of its domains (and below), plus
    the named ones; both empty: the whole active committee."""
    active = Expert.objects.filter(status=Expert.Status.ACTIVE)
    domains = list(consultation.addressed_domains.all())
    named = list(consultation.addressed_experts.values_list("pk", flat=True))
    if not domains and not named:
        return active
    ids = set(named)
    if domains:
        ids |= set(active.filter(domains__in=with_descendants(domains)).values_list("pk", flat=True))
    return active.filter(pk__in=ids)


def consultations_closing_before(end):
    """Open consultations whose closing time comes before ``end`` (those already past it included,
    until ``tasks.close_due`` closes them): the secretariat's "closing this week", the soonest
    first, with ``n_recipients`` and ``n_submitted``."""
    return (
        Consultation.objects.filter(state=Consultation.State.OPEN, closes_at__isnull=False, closes_at__lt=end)
        .annotate(
            n_recipients=Count("recipients", distinct=True),
            n_submitted=Count("answers", distinct=True, filter=Q(answers__submitted_at__isnull=False)),
        )
        .order_by("closes_at", "id")
    )
