"""The meeting's portal pages: the meeting page (the agenda and "now discussing", who is present,
the vote, and for the secretariat the agenda, presence by hand and the minutes), the room's QR
code, and the phone page the QR code leads to. Pages render and call services; forms work
without script, the page's script only keeps it live."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from consultations.meetings import checkin, minutes, rules, selectors, services
from consultations.meetings.models import Vote
from consultations.opinions import rules as opinion_rules
from consultations.opinions.selectors import last_seq
from core.errors import StateConflict
from core.versioning import version_from_form
from reviews import selectors as review_selectors


def _review(request, review_id, allowed=opinion_rules.can_discuss):
    review = review_selectors.reviews_visible_to(request.user).filter(pk=review_id).select_related("chair").first()
    if review is None or not allowed(request.user, review):
        raise Http404
    return review


def _messages(error):
    if isinstance(error, ValidationError):
        return error.messages
    return [getattr(error, "message", None) or str(error)]


def meeting_context(request, review):
    user = request.user
    version = selectors.current_version(review)
    votes = selectors.votes(review, version) if version else []
    mine = rules.panel_assignment(user, review)
    row = selectors.minutes_of(review)
    return {
        "review": review,
        "meeting": selectors.meeting_of(review),
        "agenda": selectors.agenda(review),
        "attendance": selectors.attendance(review),
        "version": version,
        "votes": votes,
        "tally": selectors.tally(votes),
        "choices": Vote.Choice.choices,
        "my_vote": next((v.vote for v in votes if mine and v.expert_id == mine.expert_id), ""),
        "present": bool(mine and selectors.is_present(review, mine.expert)),
        "member": mine is not None,
        "prepares": rules.prepares_meeting(user, review),
        "moves": rules.moves_agenda(user, review),
        "shows_code": rules.shows_checkin_code(user, review),
        "minutes": row,
        "minutes_text": minutes.current_text(review, row),
        "panel": selectors.panel(review) if rules.prepares_meeting(user, review) else [],
        "sections": [b["section"] for b in (review.plan_version.blocks or []) if b.get("section")],
        "seq": last_seq(review),
    }


@login_required
def meeting(request, review_id):
    """The meeting page: the panel's and the secretariat's."""
    review = _review(request, review_id)
    if review.mode != review.Mode.MEETING:
        return render(request, "consultations/meetings/no_meeting.html", {"review": review})
    if request.GET.get("fragment"):
        return render(request, "consultations/meetings/_live.html", meeting_context(request, review))
    return render(request, "consultations/meetings/meeting.html", meeting_context(request, review))


def _int(raw):
    return version_from_form(raw)  # a whole number from a form, or None


def _agenda_items(post):
    titles, sections = post.getlist("title"), post.getlist("section")
    return [{"title": t, "section": s} for t, s in zip(titles, sections, strict=False) if t.strip() or s.strip()]


def _act(request, review, action):
    post, user = request.POST, request.user
    if action == "agenda":
        services.set_agenda(review, by=user, items=_agenda_items(post), meeting_length=post.get("length") or None)
        return _("The agenda is saved.")
    if action == "move":
        item = _int(post.get("item"))
        step = _int(post.get("step"))
        services.move_agenda(review, by=user, item=item, step=step if item is None else None)
        return ""
    if action == "present":
        days = post.get("days") or None
        services.mark_present(review, by=user, expert=_int(post.get("expert")), reason=post.get("reason"),
                              days=days)  # fmt: skip
        return _("The attendance is recorded.")
    if action == "vote":
        services.cast_vote(review, by=user, vote=post.get("vote"))
        return _("Your vote is recorded.")
    if action == "minutes":
        minutes.save_minutes(
            review, by=user, text=post.get("text", ""), expected_version=version_from_form(post.get("version"))
        )
        return _("The minutes are saved.")
    if action == "file":
        minutes.file_minutes(review, by=user)
        return _("The minutes are filed.")
    raise ValidationError(_("Unknown action."))


@login_required
@require_POST
def meeting_act(request, review_id):
    """The meeting page's forms: each calls its service, which checks who may."""
    review = _review(request, review_id)
    try:
        done = _act(request, review, request.POST.get("action", ""))
        if done:
            messages.success(request, done)
    except minutes.StaleMinutes:
        messages.error(request, _("Someone saved the minutes first: here they are as saved; make your change again."))
    except (ValidationError, StateConflict, PermissionDenied) as error:
        for message in _messages(error):
            messages.error(request, message)
    return redirect("consultations:meeting", review_id=review.pk)


@login_required
def meeting_qr(request, review_id):
    """The room's QR code, for the screen in the meeting room: a fresh code before each expires."""
    review = _review(request, review_id, rules.shows_checkin_code)
    import segno

    code, expires_at = checkin.make_code(review)
    url = (
        request.build_absolute_uri(reverse("consultations:checkin", args=[review.pk])) + "?" + urlencode({"code": code})
    )
    context = {
        "review": review,
        "url": url,
        "expires_at": expires_at,
        "svg": segno.make(url, error="m").svg_inline(scale=8, border=2),
        "refresh": checkin.CODE_SECONDS - 60,
        "present": len(selectors.attendance(review)),
        "problem": rules.meeting_problem(review, minutes_filed=selectors.minutes_filed(review)),
    }
    return render(request, "consultations/meetings/qr.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def checkin_page(request, review_id):
    """Where the room's QR code leads: the member's phone, signed in; one button."""
    review = _review(request, review_id, rules.sees_meeting)
    code = request.POST.get("code") if request.method == "POST" else request.GET.get("code", "")
    context = {"review": review, "code": code or "", "done": None, "error": ""}
    if request.method == "POST":
        try:
            context["done"] = services.check_in(review, by=request.user, code=code)
        except (ValidationError, StateConflict, PermissionDenied) as error:
            context["error"] = " ".join(_messages(error))
    status = 403 if context["error"] and rules.panel_assignment(request.user, review) is None else 200
    return render(request, "consultations/meetings/checkin.html", context, status=status)
