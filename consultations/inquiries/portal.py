"""Issue 8's part of the portal shell: the consultations link, the questions waiting for an
expert's answer, the open consultations of those who pose them."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.inquiries.models import Consultation
from consultations.inquiries.rules import poses_consultations
from consultations.opinions.models import Opinion
from core.portal import nav_item, task_provider
from experts import roles


@nav_item
def _nav(user):
    if poses_consultations(user) or roles.has_role(user, roles.EXPERT):
        return [{"title": _("Consultations"), "url": reverse("consultations:consultations")}]
    return []


def _meta(consultation):
    if consultation.closes_at:
        return _("Due {date:%Y-%m-%d %H:%M}").format(date=timezone.localtime(consultation.closes_at))
    return ""


@task_provider
def _to_answer(user):
    if not roles.has_role(user, roles.EXPERT):
        return []
    open_ones = list(
        Consultation.objects.filter(state=Consultation.State.OPEN, recipients__user=user, recipients__status="active")
        .distinct()
        .order_by("closes_at", "id")[:20]
    )
    if not open_ones:
        return []
    sealed = set(
        Opinion.objects.filter(consultation__in=open_ones, expert__user=user, submitted_at__isnull=False).values_list(
            "consultation_id", flat=True
        )
    )
    items = [
        {
            "title": c.title,
            "url": reverse("consultations:consultation-answer", args=[c.pk]),
            "meta": _("Submitted") if c.pk in sealed else _meta(c),
        }
        for c in open_ones
    ]
    return [{"title": _("Questions from the committee"), "items": items, "empty": ""}]


@task_provider
def _open_consultations(user):
    if not poses_consultations(user):
        return []
    open_ones = Consultation.objects.filter(state=Consultation.State.OPEN).order_by("closes_at", "id")[:20]
    return [
        {
            "title": _("Open consultations"),
            "items": [
                {"title": c.title, "url": reverse("consultations:consultation", args=[c.pk]), "meta": _meta(c)}
                for c in open_ones
            ],
            "empty": _("No consultation is open."),
        }
    ]
