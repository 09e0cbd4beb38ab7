"""Portal pages for opinions: writing (phone first), the seal with its confirmation step,
versions and their comparison, the opinions one may see, the secretariat's progress board and
the meeting's discussion. Pages render and call services; the rules live elsewhere."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from consultations.opinions import diff, rules, selectors, services
from consultations.opinions.canonical import digest, opinion_content
from consultations.opinions.cleaning import DEFAULT_SCALE
from consultations.opinions.models import Opinion
from core.errors import StaleVersion, StateConflict
from core.versioning import version_from_form
from reviews import rules as review_rules
from reviews import selectors as review_selectors


def _visible_review(request, review_id):
    review = review_selectors.reviews_visible_to(request.user).filter(pk=review_id).first()
    if review is None:
        raise Http404
    return review


def _own_opinion(request, review_id):
    review = _visible_review(request, review_id)
    opinion = selectors.own_opinion(request.user, review)
    if opinion is None:
        assignment = selectors.own_assignment(request.user, review)
        if assignment is None:
            raise Http404
        services.ensure_opinion(assignment)
        opinion = selectors.own_opinion(request.user, review)
    return review, opinion


def _blocks(review):
    return [b for b in (review.plan_version.blocks or []) if b.get("section")]


def _opinion_json(opinion):
    return {
        "id": opinion.pk,
        "saved_at": opinion.saved_at.isoformat() if opinion.saved_at else None,
        "conclusion": opinion.conclusion,
        "scores": opinion.scores or {},
        "summary": opinion.summary,
        "points": [{"id": p.id, "section": p.section, "text": p.text} for p in opinion.live],
        "version": opinion.version,
        "submitted": bool(opinion.submitted_at),
    }


@login_required
def write(request, review_id):
    """The expert's own opinion beside the plan: autosaved, kept in the browser offline."""
    review, opinion = _own_opinion(request, review_id)
    criteria = [
        {**c, "max": int(c.get("max") or DEFAULT_SCALE), "value": (opinion.scores or {}).get(c["key"], "")}
        for c in review.criteria or []
        if c.get("key")
    ]
    return render(
        request,
        "consultations/write.html",
        {
            "review": review,
            "opinion": opinion,
            "criteria": criteria,
            "blocks": _blocks(review),
            "conclusions": Opinion.Conclusion.choices,
            "initial": _opinion_json(opinion),
            "writable": rules.can_write_opinion(request.user, opinion),
            "closed": rules.is_closed(review),
            "seq": selectors.last_seq(review),
        },
    )


@login_required
def submit(request, review_id):
    """The confirmation step (GET: the content and the digest it will carry), then the seal."""
    review, opinion = _own_opinion(request, review_id)
    if request.method == "POST":
        try:
            opinion = services.submit_opinion(
                opinion, by=request.user, expected_version=version_from_form(request.POST.get("version"))
            )
        except StaleVersion:
            messages.error(request, _("The opinion changed since you opened this page: check it and submit again."))
            return redirect("consultations:submit", review_id=review.pk)
        except (ValidationError, StateConflict) as error:
            for message in getattr(error, "messages", [getattr(error, "message", str(error))]):
                messages.error(request, message)
            return redirect("consultations:write", review_id=review.pk)
        messages.success(request, _("Your opinion is submitted and sealed."))
        return redirect("consultations:write", review_id=review.pk)
    content = opinion_content(opinion, opinion.live)
    return render(
        request,
        "consultations/submit.html",
        {"review": review, "opinion": opinion, "content": content, "digest": digest(content)},
    )


@login_required
def versions(request, opinion_id):
    """Every kept version the caller may read (who, when, why, whether kept after the author could
    read the others' opinions) and a character-level comparison of any two. Its author reads every
    version; the secretariat those from the seal on (``rules.shows_content``), a draft's none."""
    # A review opinion only: a consultation answer (review=None) has no versions page, its drafts
    # are its author's alone (inquiries.rules), so its id answers 404 like any unseen object.
    opinion = get_object_or_404(
        Opinion.objects.filter(review__isnull=False).select_related("review__plan", "expert"), pk=opinion_id
    )
    if not review_rules.can_view_review(request.user, opinion.review) or not rules.can_see_opinion_history(
        request.user, opinion
    ):
        raise Http404
    rows = list(selectors.versions_of(opinion, request.user))
    by_number = {v.number: v for v in rows}
    a, b = (by_number.get(version_from_form(request.GET.get(key))) for key in ("a", "b"))
    if rows and (a is None or b is None):
        b = b or rows[-1]
        a = a or (rows[-2] if len(rows) > 1 else rows[-1])
    comparison = diff.compare(a.content, b.content, criteria=opinion.review.criteria) if a and b else []
    context = {"opinion": opinion, "review": opinion.review, "versions": rows, "a": a, "b": b}
    context.update(
        comparison=comparison, record=selectors.independence([opinion], criteria=opinion.review.criteria)[opinion.pk]
    )
    return render(request, "consultations/versions.html", context)


@login_required
def opinions(request, review_id):
    """The opinions of the review the caller may see now (``rules.opinion_filter``): a draft's
    content only for its author (``rules.shows_content``), each with its independence record."""
    review = _visible_review(request, review_id)
    rows = list(selectors.opinions_visible_to(request.user, review))
    record = selectors.independence(rows, criteria=review.criteria)
    cards = [{"opinion": o, "shown": rules.shows_content(request.user, o), "record": record[o.pk]} for o in rows]
    return render(request, "consultations/opinions.html", {"review": review, "cards": cards})


@login_required
def board(request, review_id):
    """The secretariat's progress board; ``?fragment=1`` is the part the live script refreshes."""
    review = _visible_review(request, review_id)
    if not rules.can_watch_progress(request.user, review):
        raise Http404
    context = {"review": review, "rows": selectors.progress_board(review), "now": timezone.now()}
    context["seq"] = selectors.last_seq(review)
    if request.GET.get("fragment"):
        return render(request, "consultations/_board.html", context)
    return render(request, "consultations/board.html", context)


@login_required
def discussion(request, review_id):
    """Meeting mode: the plan with the "now discussing" marker and the panel's thread."""
    review = _visible_review(request, review_id)
    if not rules.can_discuss(request.user, review):
        raise Http404
    return render(
        request,
        "consultations/discussion.html",
        {
            "review": review,
            "blocks": _blocks(review),
            "comments": list(selectors.comments_for(review)),
            "section": selectors.discussion_section(review),
            "is_chair": rules.can_move_marker(request.user, review),
            "open": rules.discussion_is_open(review),
            "seq": selectors.last_seq(review),
        },
    )


@login_required
@require_POST
def comment(request, review_id):
    """The no-script fallback of the discussion form."""
    review = _visible_review(request, review_id)
    if not rules.can_discuss(request.user, review):
        raise Http404
    try:
        services.add_comment(
            review,
            by=request.user,
            text=request.POST.get("text", ""),
            section=request.POST.get("section", ""),
            dissent=request.POST.get("dissent") == "on",
        )
    except (ValidationError, StateConflict) as error:
        for message in getattr(error, "messages", [getattr(error, "message", str(error))]):
            messages.error(request, message)
    return redirect("consultations:discussion", review_id=review.pk)
