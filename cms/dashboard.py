"""The secretariat's home in the Wagtail admin: the week's work, each item a count with a link to
the screen that resolves it.

Every item is one ``Item``: its ``rows`` is the one selector both the count and the screen behind
the link read, so the two always agree. An item with a ``link`` points at an existing screen that
already filters to the same rows (the proposals' board); the others point at their list here
(``week_list``, ``/admin/week/<key>/``), whose every row links on to the screen where it is
resolved (the invitation board, the progress board, the consolidation page, the consultation).

The counts cost one query per item, however many rows there are; only the secretariat sees them
(``may_see_week``). Moments are shown in the committee's time
zone (``TIME_ZONE``, Asia/Shanghai), and "this week" ends on Sunday at midnight there.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, Func, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.ui.components import Component

from consultations.consolidation import selectors as consolidation_selectors
from consultations.consolidation.base import WORKING_STATES
from consultations.consolidation.models import Confirmation, Consolidation
from consultations.inquiries.selectors import consultations_closing_before
from consultations.opinions.models import Opinion
from consultations.proposals.models import Proposal
from consultations.proposals.selectors import board_rows
from consultations.responses.selectors import open_points
from experts.notices.models import Notice
from reviews import rules as review_rules
from reviews import selectors as review_selectors
from reviews.models import Assignment, Review

LIST_SIZE = 200  # as the other admin lists; beyond it, the list says only the first are shown


def may_see_week(user):
    """The week's work (the home panel and its lists): the secretariat's. An operator (a superuser
    outside the secretariat) gets Wagtail's home: the rows lead to the secretariat's portal screens
    (the progress board, the answers overdue), which are not theirs to open."""
    return review_rules.is_secretariat(user)


# ---------------------------------------------------------------- selectors the week adds


def opinions_overdue(now):
    """Accepted places on open reviews past their due date whose expert has not submitted an
    opinion (``consultations.opinions.reminders.has_submitted`` says no), the oldest due first."""
    submitted = Opinion.objects.filter(
        review_id=OuterRef("review_id"), expert_id=OuterRef("expert_id"), submitted_at__isnull=False
    )
    return (
        Assignment.objects.filter(
            state=Assignment.State.ACCEPTED, review__state=Review.State.OPEN, review__due_at__lt=now
        )
        .exclude(Exists(submitted))
        .order_by("review__due_at", "review_id", "id")
    )


def _count(queryset):
    """The number of rows of ``queryset`` (which refers to its outer query) as an expression."""
    return Coalesce(Subquery(queryset.order_by().annotate(n=Func("pk", function="COUNT")).values("n")[:1]), 0)


def group_opinions_awaiting():
    """Group opinions put to the panel (written, unsealed, the package not final) that some accepted
    member has not answered in their current version (``confirmations.missing_answers``), with
    ``n_members`` and ``n_answered``; the nearest confirmation deadline first, those without last."""
    members = Assignment.objects.filter(review_id=OuterRef("review_id"), state=Assignment.State.ACCEPTED)
    answered = Confirmation.objects.filter(
        consolidation_id=OuterRef(OuterRef("pk")), version=OuterRef(OuterRef("version"))
    ).values("expert_id")
    return (
        Consolidation.objects.filter(
            sealed_at__isnull=True, review__state__in=WORKING_STATES, review__response_package__isnull=True
        )
        .exclude(group_opinion="")
        .filter(Exists(members.exclude(expert_id__in=answered)))
        .annotate(n_members=_count(members), n_answered=_count(members.filter(expert_id__in=answered)))
        .order_by(F("confirm_by").asc(nulls_last=True), "review_id")
    )


def reviews_with_open_points():
    """Consolidated reviews (the group opinion sealed, the package not final) with points of the
    sealed opinions that have no answer yet (``responses.selectors.open_points``), with ``n_open``."""
    points = open_points(OuterRef("pk"))
    return (
        Review.objects.filter(state=Review.State.CONSOLIDATED)
        .filter(Exists(points))
        .annotate(n_open=_count(points))
        .order_by("due_at", "id")
    )


def notices_failed(now):
    """Notices that failed in the last seven days (the provider refused them, they did not arrive,
    or the mail server refused), the latest first: someone should call the expert."""
    return Notice.objects.filter(status=Notice.Status.FAILED, settled_at__gt=now - timedelta(days=7)).order_by(
        "-settled_at", "-id"
    )


def _notice_target(notice):
    """The review's invitation board (its notices), else the expert's record in the roster."""
    if notice.about_type_id == ContentType.objects.get_for_model(Review).pk:
        return reverse("reviews_admin:board", args=[notice.about_id]) + "#notices"
    return reverse("experts_expert:edit", args=[notice.expert_id])


def end_of_week(now):
    """Next Monday at midnight in the committee's time zone: the end of ``now``'s week."""
    here = timezone.localtime(now, timezone.get_default_timezone())
    monday = here.date() - timedelta(days=here.weekday())
    return datetime.combine(monday + timedelta(days=7), time.min, tzinfo=here.tzinfo)


def local(moment):
    """A moment as the committee reads it: ``2025-03-07 17:00`` in Asia/Shanghai, or ``""``."""
    if moment is None:
        return ""
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M")


# ---------------------------------------------------------------- the items


@dataclass(frozen=True)
class Item:
    """One line of the week's work.

    ``rows(now)`` is the selector the count and the screen both read; ``moment`` names the field
    whose earliest value the home shows with ``moment_label`` (``{at}``). ``link``: an existing
    screen listing the same rows, else the week's own list, which shows ``columns`` and, per row,
    ``cells(row)``, the ``target(row)`` that resolves it and whether it is ``late(row, now)``."""

    key: str
    label: object
    help: object
    rows: Callable
    moment: str = ""
    moment_label: object = ""
    link: Callable | None = None
    related: tuple = ()
    columns: tuple = ()
    cells: Callable | None = None
    target: Callable | None = None
    action: object = ""
    late: Callable | None = None

    def url(self):
        return self.link() if self.link else reverse("cms_week", args=[self.key])


def _review_title(review):
    return f"{review.plan.title} v{review.plan_version.number}" if review.plan_version_id else review.plan.title


def _answered(row):
    return _("{answered} of {members}").format(answered=row.n_answered, members=row.n_members)


def _confirm_by(row):
    return local(row.confirm_by) or _("no deadline set")


ITEMS = (
    Item(
        "invitations",
        gettext_lazy("Invitations past their reply date"),
        gettext_lazy("Experts who have not answered by their reply date: remind them by phone or replace them."),
        rows=review_selectors.invitations_past_reply,
        moment="reply_by",
        moment_label=gettext_lazy("oldest reply date: {at}"),
        related=("review__plan", "review__plan_version", "expert"),
        columns=(gettext_lazy("Review"), gettext_lazy("Expert"), gettext_lazy("Invited"), gettext_lazy("Answer by")),
        cells=lambda a: [_review_title(a.review), a.expert.name, local(a.invited_at), local(a.reply_by)],
        target=lambda a: reverse("reviews_admin:board", args=[a.review_id]),
        action=gettext_lazy("Invitation board"),
    ),
    Item(
        "opinions",
        gettext_lazy("Opinions overdue"),
        gettext_lazy("Panel members of open reviews past their due date who have not submitted their opinion."),
        rows=opinions_overdue,
        moment="review__due_at",
        moment_label=gettext_lazy("earliest due date: {at}"),
        related=("review__plan", "review__plan_version", "expert"),
        columns=(gettext_lazy("Review"), gettext_lazy("Expert"), gettext_lazy("Due")),
        cells=lambda a: [_review_title(a.review), a.expert.name, local(a.review.due_at)],
        target=lambda a: reverse("consultations:board", args=[a.review_id]),
        action=gettext_lazy("Progress board"),
    ),
    Item(
        "panels",
        gettext_lazy("Panels short after declines"),
        gettext_lazy("Reviews whose accepted and invited experts no longer fill the panel: replace by hand."),
        rows=lambda now: review_selectors.reviews_short_of_panel(),
        moment="due_at",
        moment_label=gettext_lazy("earliest due date: {at}"),
        related=("plan", "plan_version"),
        columns=(
            gettext_lazy("Review"),
            gettext_lazy("Panel size"),
            gettext_lazy("Accepted"),
            gettext_lazy("Awaiting an answer"),
            gettext_lazy("Due"),
        ),
        cells=lambda r: [_review_title(r), r.panel_size, r.n_accepted, r.n_awaiting, local(r.due_at)],
        target=lambda r: reverse("reviews_admin:board", args=[r.pk]),
        action=gettext_lazy("Invitation board"),
    ),
    Item(
        "confirmations",
        gettext_lazy("Group opinions awaiting confirmation"),
        gettext_lazy("Group opinions some panel members have not answered yet, with the confirmation deadline."),
        rows=lambda now: group_opinions_awaiting(),
        moment="confirm_by",
        moment_label=gettext_lazy("next deadline: {at}"),
        related=("review__plan", "review__plan_version"),
        columns=(gettext_lazy("Review"), gettext_lazy("Answered"), gettext_lazy("Confirmation deadline")),
        cells=lambda c: [_review_title(c.review), _answered(c), _confirm_by(c)],
        target=lambda c: reverse("consultations:consolidation", args=[c.review_id]),
        action=gettext_lazy("Consolidation"),
        late=lambda c, now: c.confirm_by is not None and c.confirm_by <= now,
    ),
    Item(
        "points",
        gettext_lazy("Reviews with points unanswered"),
        gettext_lazy("Consolidated reviews with points the department has not answered yet."),
        rows=lambda now: reviews_with_open_points(),
        related=("plan__submitted_by", "plan_version"),
        columns=(gettext_lazy("Review"), gettext_lazy("Department"), gettext_lazy("Points unanswered")),
        cells=lambda r: [_review_title(r), r.plan.submitted_by.name, r.n_open],
        target=lambda r: reverse("consultations:consolidation", args=[r.pk]),
        action=gettext_lazy("Consolidation"),
    ),
    Item(
        "answers",
        gettext_lazy("Answers overdue"),
        gettext_lazy("Consolidated opinions whose answers to the points are past their due date."),
        rows=lambda now: consolidation_selectors.overdue_answers(today=timezone.localdate(now)),
        link=lambda: reverse("consultations:answers-overdue"),
    ),
    Item(
        "consultations",
        gettext_lazy("Consultations closing this week"),
        gettext_lazy("Open consultations that close before Sunday midnight."),
        rows=lambda now: consultations_closing_before(end_of_week(now)),
        moment="closes_at",
        moment_label=gettext_lazy("first closes: {at}"),
        columns=(gettext_lazy("Consultation"), gettext_lazy("Closes"), gettext_lazy("Answers submitted")),
        cells=lambda c: [c.title, local(c.closes_at), _answered_consultation(c)],
        target=lambda c: reverse("consultations:consultation", args=[c.pk]),
        action=gettext_lazy("Consultation"),
        late=lambda c, now: c.closes_at <= now,
    ),
    Item(
        "notices",
        gettext_lazy("Notices failed"),
        gettext_lazy("Text messages and mails that did not reach the expert in the last seven days: call them."),
        rows=notices_failed,
        moment="settled_at",
        moment_label=gettext_lazy("oldest failure: {at}"),
        related=("expert",),
        columns=(
            gettext_lazy("Expert"),
            gettext_lazy("Notice"),
            gettext_lazy("Channel"),
            gettext_lazy("Provider's reason"),
            gettext_lazy("Failed at"),
        ),
        cells=lambda n: [
            n.expert.name,
            n.get_kind_display(),
            n.get_channel_display(),
            n.provider_reason,
            local(n.settled_at),
        ],
        target=_notice_target,
        action=gettext_lazy("Notices"),
    ),
    Item(
        "proposals",
        gettext_lazy("Proposals waiting to be routed"),
        gettext_lazy("Experts' proposals submitted and not yet screened."),
        rows=lambda now: board_rows(Proposal.State.SUBMITTED),
        moment="submitted_at",
        moment_label=gettext_lazy("oldest submitted: {at}"),
        link=lambda: reverse("proposals_admin:board") + f"?state={Proposal.State.SUBMITTED}",
    ),
)
ITEMS_BY_KEY = {item.key: item for item in ITEMS}


def _answered_consultation(consultation):
    return _("{answered} of {members}").format(answered=consultation.n_submitted, members=consultation.n_recipients)


def _figures(item, now):
    """``(count, earliest moment)`` of the item's rows: one query. A selector may return a list
    (read in its one query); then only its length counts."""
    rows = item.rows(now)
    if isinstance(rows, list | tuple):
        return len(rows), None
    figures = {"n": Count("pk")}
    if item.moment:
        figures["first"] = Min(item.moment)
    found = rows.aggregate(**figures)
    return found["n"], found.get("first")


def week_counts(now=None, items=ITEMS):
    """Each item's count, its link and its earliest moment: one query per item."""
    now = now or timezone.now()
    lines = []
    for item in items:
        count, first = _figures(item, now)
        lines.append(
            {
                "key": item.key,
                "label": item.label,
                "help": item.help,
                "count": count,
                "url": item.url(),
                "moment": str(item.moment_label).format(at=local(first)) if first and count else "",
            }
        )
    return lines


class WeekPanel(Component):
    """The week's work on the admin home, above Wagtail's own panels."""

    name = "week_work"
    order = 10
    template_name = "cms/dashboard.html"

    def get_context_data(self, parent_context=None):
        now = timezone.now()
        last_day = timezone.localtime(end_of_week(now), timezone.get_default_timezone()) - timedelta(days=1)
        return {"lines": week_counts(now), "week_ends": last_day.strftime("%Y-%m-%d")}


def week_list(request, key):
    """The rows behind one item's count, each linking to the screen that resolves it."""
    if not may_see_week(request.user):
        raise PermissionDenied
    item = ITEMS_BY_KEY.get(key)
    if item is None:
        raise Http404
    if item.link:
        return redirect(item.url())
    now = timezone.now()
    rows = item.rows(now)
    rows = list((rows.select_related(*item.related) if item.related else rows)[: LIST_SIZE + 1])
    shown = [
        {"cells": item.cells(row), "url": item.target(row), "late": bool(item.late and item.late(row, now))}
        for row in rows[:LIST_SIZE]
    ]
    context = {"item": item, "rows": shown, "more": len(rows) > LIST_SIZE, "size": LIST_SIZE}
    return TemplateResponse(request, "cms/dashboard_list.html", context)
