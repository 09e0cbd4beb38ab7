"""The batch draw screen of the Wagtail admin (``reviews/wagtail_hooks.py`` registers it): the
reviews waiting for a panel with their eligible pools, several run together
(``services.batch_draw_reviews``: one integer program, all or nothing), then the result per review.

The run is synchronous: realistic batches take seconds (500 reviews x 5,000 experts in about 5 s),
so the request draws and redirects to the result page, and the page's busy state while it runs is
Wagtail's own ``w-progress`` controller on the button (its admin script, no script of ours: the
CSP holds). A refusal re-shows the list with the reason, naming the review; nothing is written."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import StateConflict
from reviews import rules
from reviews.draw import selectors, services
from reviews.models import Draw


def _require_secretariat(request):
    """As every review screen of the admin (``reviews.admin_views.require_secretariat``)."""
    if not rules.can_use_review_admin(request.user):
        raise PermissionDenied


def _chosen(request):
    """The review ids ticked, or ``None`` when a value is not a review number."""
    values = request.POST.getlist("reviews")
    if not all(value.isascii() and value.isdigit() and len(value) < 19 for value in values):
        return None
    return [int(value) for value in values]


def batch_draw_view(request):
    """GET: the reviews waiting for a panel, each with its eligible pool. POST: draw the ticked ones
    together, then the result page; a refusal shows the list again with the reasons."""
    _require_secretariat(request)
    refusals, chosen = [], []
    if request.method == "POST":
        chosen = _chosen(request)
        if chosen is None:
            refusals = [selectors.Refusal(None, "invalid", _("Tick reviews from the list."))]
        else:
            batch, refusals = _run(request, chosen)
            if batch:
                return redirect("reviews_admin:batch_draw_result", batch)
    waiting = list(selectors.reviews_waiting_for_panel())
    summaries = selectors.pool_summaries(waiting)
    refused = {refusal.review: refusal.message for refusal in refusals if refusal.review}
    context = {
        "rows": [(review, summaries[review.pk], refused.get(review.pk, "")) for review in waiting],
        "refusals": refusals,
        "chosen": set(chosen or ()),
        "max_batch": selectors.MAX_BATCH,
    }
    return TemplateResponse(request, "reviews/admin/batch_draw.html", context)


def _run(request, chosen):
    """Draw the batch of ``chosen``: ``(its name, [])``, or ``("", refusals)`` with nothing written."""
    reviews, refusals = selectors.batch_refusals(chosen)
    if refusals:
        return "", refusals
    try:
        draws, _stats = services.batch_draw_reviews(reviews, by=request.user)
    except services.DrawInfeasible as error:  # the batch as a whole: the load caps cannot fill it
        return "", [selectors.Refusal(None, error.code, " ".join(error.messages))]
    except StateConflict as error:  # another draw took a review meanwhile
        return "", [selectors.Refusal(None, "state", error.message)]
    count = len(draws)
    messages.success(
        request,
        ngettext(
            "%(count)s panel was drawn (unwitnessed) and invited.",
            "%(count)s panels were drawn together (unwitnessed) and invited.",
            count,
        )
        % {"count": count},
    )
    return draws[0].batch, []


def batch_draw_result_view(request, batch):
    """The result of a batch: per review, the panel drawn, a link to its draw and its certificate."""
    _require_secretariat(request)
    draws = list(Draw.objects.filter(batch=batch).select_related("review__plan").order_by("review_id"))
    if not batch or not draws:
        raise Http404
    panels = selectors.panels_of(draws)
    context = {"batch": batch, "seed": draws[0].seed, "rows": [(draw, panels[draw.pk]) for draw in draws]}
    return TemplateResponse(request, "reviews/admin/batch_draw_result.html", context)
