"""Reads for opinions: the caller's own, those they may see, versions, the discussion, the
secretariat's progress board."""

from datetime import timedelta

from django.db.models import Max, Prefetch
from django.utils import timezone

from consultations.opinions import diff
from consultations.opinions.models import Comment, Discussion, Opinion, OpinionVersion, Point, Presence
from consultations.opinions.rules import is_author, opinion_filter, shows_content
from reviews.models import Assignment, ReviewEvent


def _opinions():
    return Opinion.objects.select_related("expert", "review").prefetch_related(
        Prefetch("points", queryset=Point.objects.filter(removed=False).order_by("position", "id"), to_attr="live")
    )


def opinions_visible_to(user, review):
    """The opinions of ``review`` that ``user`` may see: the one rule, ``rules.opinion_filter``."""
    return _opinions().filter(review=review).filter(opinion_filter(user, review)).order_by("expert__name", "id")


def own_opinion(user, review):
    """The caller's own opinion on ``review`` if they accepted a place on its panel, else ``None``."""
    return _opinions().filter(review=review, expert__user=user, assignment__state="accepted").first()


def own_assignment(user, review):
    return Assignment.objects.filter(review=review, expert__user=user, state=Assignment.State.ACCEPTED).first()


def versions_of(opinion, user=None):
    """The kept versions of ``opinion``, oldest first. With ``user``: those they may read (the
    draft rule, ``rules.shows_content``): its author every one; anyone else only from the seal on,
    and none of a draft. Without ``user``: every one (the author's own endpoints)."""
    versions = opinion.versions.select_related("by").order_by("number")
    if user is None or is_author(user, opinion):
        return versions
    if not shows_content(user, opinion):
        return versions.none()
    return versions.filter(number__gte=_seal_number(opinion))


def _seal_number(opinion):
    seal = opinion.versions.filter(kind=OpinionVersion.Kind.SUBMITTED).order_by("number").first()
    return seal.number if seal else 0


def independence(opinions, *, criteria=None):
    """The independence record of ``opinions`` (sealed or not), in one query for any number:
    ``{opinion id: {"read_others_at": datetime | None, "changed_after_reading_others": bool,
    "changes": [{"number", "kind", "at", "changes": diff.changes against the version before}]}}``.

    ``read_others_at`` is when the author could first read the others' opinions
    (``services.note_readable_others``). ``changes`` lists the kept versions made from then on
    (``after_reading_others``) that changed the content; ``changed_after_reading_others`` is
    whether there is one. Only the sealed record counts (drafts are the author's alone): the
    versions from the submission on, the submission compared with nothing (the draft before it is
    not shown), each later version with the one before. A draft has no changes. Scores are named
    by ``criteria``, the review's."""
    opinions = list(opinions)
    record = {
        o.pk: {"read_others_at": o.read_others_at, "changed_after_reading_others": False, "changes": []}
        for o in opinions
    }
    sealed = [o.pk for o in opinions if o.submitted_at is not None]
    rows = (
        OpinionVersion.objects.filter(opinion_id__in=sealed)
        .order_by("opinion_id", "number")
        .values_list("opinion_id", "number", "kind", "at", "content", "after_reading_others")
    )
    before, started = {}, set()
    for opinion_id, number, kind, at, content, after in rows:
        if kind == OpinionVersion.Kind.SUBMITTED and opinion_id not in started:
            started.add(opinion_id)
            before[opinion_id] = None
        if opinion_id not in started:
            continue
        changes = diff.changes(before[opinion_id], content, criteria=criteria) if after else []
        if changes:
            record[opinion_id]["changes"].append({"number": number, "kind": kind, "at": at, "changes": changes})
            record[opinion_id]["changed_after_reading_others"] = True
        before[opinion_id] = content
    return record


def comments_for(review, *, after=None):
    comments = Comment.objects.filter(review=review).select_related("expert", "author").order_by("created_at", "id")
    if after:
        comments = comments.filter(id__gt=after)
    return comments


def discussion_section(review):
    return Discussion.objects.filter(review=review).values_list("section", flat=True).first() or ""


WRITING_WINDOW_MINUTES = 5


def _progress_row(assignment, *, here, now):
    opinion = getattr(assignment, "opinion", None)
    submitted = bool(opinion and opinion.submitted_at)
    recent = bool(opinion and opinion.saved_at and now - opinion.saved_at < timedelta(minutes=WRITING_WINDOW_MINUTES))
    return {
        "expert": assignment.expert,
        "opinion": opinion,
        "submitted": submitted,
        "writing": not submitted and (recent or assignment.expert.user_id in here),
        "online": assignment.expert.user_id in here,
    }


def progress_board(review, *, now=None):
    """For the secretariat: each accepted panel member, whether they submitted, whether they are
    writing now (a save in the last few minutes, or on the review's channel with a draft)."""
    now = now or timezone.now()
    here = set(Presence.objects.filter(review=review).values_list("user_id", flat=True))
    panel = (
        Assignment.objects.filter(review=review, state=Assignment.State.ACCEPTED)
        .select_related("expert", "opinion")
        .order_by("expert__name", "id")
    )
    return [_progress_row(assignment, here=here, now=now) for assignment in panel]


def last_seq(review):
    """The review's latest event number: live pages start listening from here."""
    return ReviewEvent.objects.filter(review=review).aggregate(last=Max("seq"))["last"] or 0
