"""The record of a review as plain JSON-ready data, one function per part of the archive (docs/
archive.md): the review and its plan versions, the panel's declarations, the sealed opinions with
their kept versions and the independence record, the discussion, the group opinion with every
answer to it, the responses to the points with the feedback the experts were given, and the audit
records of the review and its objects. Reads only; names in full (the archive is for the
secretariat and the commission)."""

from django.utils import timezone

from consultations.consolidation.models import Confirmation, Consolidation
from consultations.opinions.models import Comment, Opinion, OpinionVersion, Point
from consultations.opinions.selectors import independence
from consultations.responses.models import ResponsePackage
from experts.models import AuditRecord
from reviews.models import Assignment, Draw, PlanVersion


def moment(value):
    """An aware time as ISO 8601 in the committee's zone (Asia/Shanghai), or ``None``."""
    return timezone.localtime(value).isoformat() if value else None


def _user(user):
    return user.get_username() if user is not None else None


def review_part(review):
    plan = review.plan
    return {
        "review": review.pk,
        "plan": {"id": plan.pk, "title": plan.title, "kind": plan.kind, "submitted_by": plan.submitted_by.name},
        "plan_version": review.plan_version.number if review.plan_version_id else None,
        "mode": review.mode,
        "state": review.state,
        "opens_at": moment(review.opens_at),
        "due_at": moment(review.due_at),
        "meeting_at": moment(review.meeting_at),
        "location": review.location,
        "panel_size": review.panel_size,
        "blind": review.blind,
        "chair": review.chair.name if review.chair_id else None,
        "criteria": review.criteria,
        "created_at": moment(review.created_at),
    }


def plan_versions(review):
    """``[(row, file name in the archive, the file's bytes)]`` for every version of the plan up to
    the one reviewed. A document missing from storage raises (the archive is then not made)."""
    versions = PlanVersion.objects.filter(plan=review.plan).select_related("uploaded_by").order_by("number")
    if review.plan_version_id:
        versions = versions.filter(number__lte=review.plan_version.number)
    result = []
    for version in versions:
        with version.document.open("rb") as handle:
            content = handle.read()
        suffix = version.document.name.rsplit(".", 1)[-1].lower() if "." in version.document.name else "bin"
        name = f"plan/version-{version.number}.{suffix}"
        row = {
            "number": version.number,
            "file": name,
            "original_name": version.original_name,
            "sha256_at_upload": version.sha256,
            "uploaded_by": _user(version.uploaded_by),
            "uploaded_at": moment(version.uploaded_at),
            "reviewed": version.pk == review.plan_version_id,
        }
        result.append((row, name, content))
    return result


def declarations(review):
    """Each invitation of the review and its answer: the declarations of no conflict and of
    confidentiality with the time they were made."""
    assignments = Assignment.objects.filter(review=review).select_related("expert").order_by("invited_at", "id")
    return [
        {
            "assignment": a.pk,
            "expert": a.expert_id,
            "name": a.expert.name,
            "state": a.state,
            "invited_at": moment(a.invited_at),
            "reply_by": moment(a.reply_by),
            "responded_at": moment(a.responded_at),
            "no_conflict": a.no_conflict_text,
            "confidentiality": a.confidentiality_text,
            "decline_reason": a.decline_reason,
            "end_reason": a.end_reason,
        }
        for a in assignments
    ]


def draw_changes(review):
    draw = Draw.objects.filter(review=review).first()
    if draw is None:
        return []
    return [
        {
            "kind": c.kind,
            "out": c.expert_out.name if c.expert_out_id else None,
            "in": c.expert_in.name if c.expert_in_id else None,
            "reason": c.reason,
            "by": _user(c.by),
            "at": moment(c.at),
        }
        for c in draw.changes.select_related("expert_out", "expert_in", "by")
    ]


def _version_row(version):
    return {
        "number": version.number,
        "kind": version.kind,
        "reason": version.reason,
        "content": version.content,
        "digest": version.digest,
        "opinion_version": version.opinion_version,
        "after_reading_others": version.after_reading_others,
        "by": _user(version.by),
        "at": moment(version.at),
    }


def _sealed_versions(opinions):
    """``{opinion id: [version rows]}``: the kept versions from the submission on. The versions
    saved before it are the draft's, the author's alone (``opinions.rules.shows_content``)."""
    versions, started = {}, set()
    rows = OpinionVersion.objects.filter(opinion__in=opinions).select_related("by").order_by("opinion_id", "number")
    for version in rows:
        if version.kind == OpinionVersion.Kind.SUBMITTED:
            started.add(version.opinion_id)
        if version.opinion_id in started:
            versions.setdefault(version.opinion_id, []).append(_version_row(version))
    return versions


def _changes(record):
    return [{**change, "at": moment(change["at"])} for change in record["changes"]]


def opinions_part(review):
    """Every sealed opinion with its live points, its kept versions and its independence record
    (``opinions.selectors.independence``: when its author could first read the others, and what
    each kept version made after that changed)."""
    opinions = list(
        Opinion.objects.filter(review=review, submitted_at__isnull=False)
        .select_related("expert")
        .order_by("assignment_id", "id")
    )
    versions = _sealed_versions(opinions)
    record = independence(opinions, criteria=review.criteria)
    points = {}
    for point in Point.objects.filter(opinion__in=opinions, removed=False).order_by("position", "id"):
        points.setdefault(point.opinion_id, []).append({"id": point.pk, "section": point.section, "text": point.text})
    return [
        {
            "opinion": opinion.pk,
            "expert": opinion.expert_id,
            "name": opinion.expert.name,
            "conclusion": opinion.conclusion,
            "scores": opinion.scores,
            "summary": opinion.summary,
            "points": points.get(opinion.pk, []),
            "submitted_at": moment(opinion.submitted_at),
            "digest": opinion.digest,
            "read_others_at": moment(record[opinion.pk]["read_others_at"]),
            "changed_after_reading_others": record[opinion.pk]["changed_after_reading_others"],
            "changes_after_reading_others": _changes(record[opinion.pk]),
            "versions": versions.get(opinion.pk, []),
        }
        for opinion in opinions
    ]


def discussion_part(review):
    comments = Comment.objects.filter(review=review).select_related("author", "expert").order_by("created_at", "id")
    return [
        {
            "id": c.pk,
            "author": c.expert.name if c.expert_id else _user(c.author),
            "section": c.section,
            "dissent": c.dissent,
            "text": c.text,
            "at": moment(c.created_at),
        }
        for c in comments
    ]


def group_opinion_part(review):
    """The group opinion as sealed, each of its saved versions, and every answer to every version
    (confirm, with reservations, refusal, no answer by the deadline)."""
    consolidation = Consolidation.objects.filter(review=review).first()
    if consolidation is None:
        return None
    history = consolidation.history.order_by("history_date", "history_id")
    confirmations = (
        Confirmation.objects.filter(consolidation=consolidation).select_related("expert").order_by("version", "at")
    )
    return {
        "text": consolidation.group_opinion,
        "version": consolidation.version,
        "digest": consolidation.digest,
        "sealed_at": moment(consolidation.sealed_at),
        "sealed_by": _user(consolidation.sealed_by),
        "confirm_by": moment(consolidation.confirm_by),
        "versions": [
            {
                "version": h.version,
                "text": h.group_opinion,
                "digest": h.digest,
                "reason": h.history_change_reason or "",
                "at": moment(h.history_date),
                "by": _user(h.history_user),
            }
            for h in history
        ],
        "answers": [
            {
                "expert": c.expert_id,
                "name": c.expert.name,
                "version": c.version,
                "kind": c.kind,
                "text": c.text,
                "digest": c.digest,
                "at": moment(c.at),
            }
            for c in confirmations
        ],
    }


def responses_part(review):
    """The answer to every point of the sealed opinions, the final package, and per expert what
    they were told of their points (the feedback)."""
    points = (
        Point.objects.filter(opinion__review=review, opinion__submitted_at__isnull=False, removed=False)
        .select_related("opinion__expert", "response__by")
        .order_by("opinion__assignment_id", "position", "id")
    )
    rows, feedback = [], {}
    for point in points:
        response = getattr(point, "response", None)
        row = {
            "point": point.pk,
            "expert": point.opinion.expert_id,
            "name": point.opinion.expert.name,
            "section": point.section,
            "text": point.text,
            "status": response.status if response else None,
            "reason": response.reason if response else "",
            "by": _user(response.by) if response else None,
            "at": moment(response.at) if response else None,
        }
        rows.append(row)
        feedback.setdefault(point.opinion.expert_id, {"expert": row["expert"], "name": row["name"], "points": []})
        feedback[point.opinion.expert_id]["points"].append({k: row[k] for k in ("point", "status", "reason", "at")})
    package = ResponsePackage.objects.filter(review=review).select_related("finalised_by").first()
    return {
        "points": rows,
        "package": None
        if package is None
        else {
            "digest": package.digest,
            "consolidation_version": package.consolidation_version,
            "plan_version": package.plan_version_id,
            "finalised_at": moment(package.finalised_at),
            "finalised_by": _user(package.finalised_by),
            "responses": package.responses,
        },
        "feedback": list(feedback.values()),
    }


def audit_objects(review):
    """``{object_type: [object ids]}`` of the review and everything of it the trail names."""
    opinions = Opinion.objects.filter(review=review).values_list("pk", flat=True)
    return {
        "reviews.review": [review.pk],
        "reviews.plan": [review.plan_id],
        "reviews.planversion": PlanVersion.objects.filter(plan=review.plan_id).values_list("pk", flat=True),
        "reviews.draw": Draw.objects.filter(review=review).values_list("pk", flat=True),
        "reviews.assignment": Assignment.objects.filter(review=review).values_list("pk", flat=True),
        "consultations.opinion": opinions,
        "consultations.consolidation": Consolidation.objects.filter(review=review).values_list("pk", flat=True),
        "consultations.responsepackage": ResponsePackage.objects.filter(review=review).values_list("pk", flat=True),
    }


def audit_part(review):
    from django.db.models import Q

    query = Q(pk__in=[])
    for object_type, ids in audit_objects(review).items():
        query |= Q(object_type=object_type, object_id__in=[str(i) for i in ids])
    records = AuditRecord.objects.filter(query).order_by("at", "id")
    return [
        {
            "id": r.pk,
            "at": moment(r.at),
            "actor": r.actor_username,
            "address": r.address,
            "action": r.action,
            "outcome": r.outcome,
            "object_type": r.object_type,
            "object_id": r.object_id,
            "object": r.object_repr,
            "details": r.details,
        }
        for r in records
    ]
