"""Experts' own proposals (专家建言): submission (sealed), screening by the secretariat (route,
merge, return), answers per suggestion by the departments routed to, publication with consent.

One visibility rule (``proposal_filter``) serves every path: its author, the secretariat, the
commission and the staff of the organisations it was routed to (once routed), as API.md lists.
The authors of proposals merged into it do not see it (they are told its title). Everyone else
gets 404, the same as for one that does not exist.

One state function (``transition_proposal``) with a table changes the state:
submitted → routed | merged | returned; routed → answered when every live suggestion has an answer.
"""

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from consultations.opinions.canonical import digest as content_digest
from consultations.opinions.canonical import normalise_text
from consultations.opinions.models import Point
from consultations.proposals.models import Proposal, ProposalAttachment
from consultations.responses.models import Response
from core import live as realtime
from core.errors import StateConflict
from core.uploads import safe_filename
from experts import roles
from reviews import permissions

MAX_TITLE = 200
MAX_PROBLEM = 20000
MAX_POINT = 5000
MAX_POINTS = 50
MAX_REASON = 2000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
LIVE_STATES = (Proposal.State.ROUTED, Proposal.State.ANSWERED)  # when the departments routed to see it

TRANSITIONS = {
    Proposal.State.SUBMITTED: {Proposal.State.ROUTED, Proposal.State.MERGED, Proposal.State.RETURNED},
    Proposal.State.ROUTED: {Proposal.State.ANSWERED},
    Proposal.State.MERGED: set(),
    Proposal.State.RETURNED: set(),
    Proposal.State.ANSWERED: set(),
}


# ---------------------------------------------------------------- who may


def sees_every_proposal(user):
    return roles.has_role(user, roles.SECRETARIAT) or roles.has_role(user, roles.COMMISSION)


def proposal_filter(user):
    """The one visibility rule, as a filter on ``Proposal`` rows."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    if sees_every_proposal(user):
        return Q()
    rule = Q(author__user=user)
    org = permissions.staff_organization_id(user)
    if org is not None:
        routed = Proposal.routed_to.through.objects.filter(organization_id=org).values("proposal_id")
        rule |= Q(state__in=LIVE_STATES, pk__in=routed)
    return rule


def proposals_visible_to(user):
    return Proposal.objects.filter(proposal_filter(user)).distinct()


def can_see_proposal(user, proposal):
    return proposals_visible_to(user).filter(pk=proposal.pk).exists()


def visible_proposal(user, proposal_id):
    return proposals_visible_to(user).filter(pk=proposal_id).first()


def can_screen(user):
    """Route, merge, return, publish: the secretariat."""
    return permissions.is_secretariat(user)


def can_answer_proposal_point(user, point):
    """The commission, or the staff of the department the suggestion was routed to (of any
    department the proposal was routed to, for a suggestion routed to all of them), while the
    proposal is routed or answered (an answer may be corrected until the proposal is published)."""
    if not user.is_authenticated or point.removed or point.proposal.state not in LIVE_STATES:
        return False
    if point.proposal.public_page_id:
        return False
    if roles.has_role(user, roles.COMMISSION):
        return True
    own = permissions.staff_organization_id(user)
    if own is None:
        return False
    if point.organization_id is None:  # routed to every department the proposal went to
        return point.proposal.routed_to.filter(pk=own).exists()
    return own == point.organization_id


def is_author(user, proposal):
    return user.is_authenticated and proposal.author.user_id == user.id


def answering_department(point):
    """The department that answers for a suggestion: the one it was routed to; for one routed to
    all of the proposal's departments, that of the staff member who answered it (``None`` while
    unanswered or when the commission answered). Select ``response__by__department_staff__organization``."""
    if point.organization_id:
        return point.organization
    response = getattr(point, "response", None)
    staff = getattr(response.by, "department_staff", None) if response is not None and response.by_id else None
    return staff.organization if staff is not None else None


# ---------------------------------------------------------------- submission


def proposal_content(proposal):
    """What is sealed: title, problem, domains, suggestions and the attachments' digests."""
    return {
        "title": proposal.title,
        "problem": proposal.problem,
        "domains": sorted(proposal.domains.values_list("code", flat=True)),
        "points": [{"id": p.id, "text": p.text} for p in proposal.points.filter(removed=False).order_by("position")],
        "attachments": [{"title": a.title, "sha256": a.sha256} for a in proposal.attachments.order_by("id")],
    }


def _clean_points(raw, errors):
    if not isinstance(raw, (list, tuple)):
        errors["points"] = [_("Suggestions are a list of texts.")]
        return []
    texts = []
    for index, item in enumerate(raw):
        text = item.get("text") if isinstance(item, dict) else item
        if not isinstance(text, str):  # a number, list or object is refused, not sealed as its str()
            errors.setdefault(f"points.{index}", []).append(_("A suggestion is a text."))
            continue
        text = normalise_text(text)
        if not text:
            continue  # an empty row of the form: skipped
        if len(text) > MAX_POINT:
            errors.setdefault(f"points.{index}", []).append(
                _("A suggestion is at most {n} characters.").format(n=MAX_POINT)
            )
        texts.append(text)
    if not texts and not any(key.startswith("points.") for key in errors):
        errors.setdefault("points", []).append(_("Make at least one suggestion."))
    elif len(texts) > MAX_POINTS:
        errors.setdefault("points", []).append(_("A proposal has at most {n} suggestions.").format(n=MAX_POINTS))
    return texts


def _clean_domains(raw, errors):
    from experts.models import Domain

    codes = [str(getattr(d, "code", d)) for d in raw or []]
    found = list(Domain.objects.filter(code__in=codes))
    unknown = sorted(set(codes) - {d.code for d in found})
    if unknown:
        errors["domains"] = [_("Unknown domain(s): {codes}.").format(codes=", ".join(unknown))]
    return found


def check_attachment(upload):
    """``(name, data)`` of an acceptable attachment (a real .pdf or .docx, at most 10 MB), read
    and checked before anything is stored; ``ValidationError`` otherwise."""
    from reviews.services import check_document

    size = getattr(upload, "size", None)
    too_large = ValidationError(_("An attachment is at most 10 MB."), code="too_large")
    if size is not None and size > MAX_ATTACHMENT_BYTES:
        raise too_large
    data = upload.read(MAX_ATTACHMENT_BYTES + 1)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise too_large
    name = safe_filename(getattr(upload, "name", ""), max_length=200)
    check_document(name, data)  # .pdf or .docx, the real thing, no zip bombs
    return name, data


def _clean_attachments(raw, errors):
    raw = list(raw or [])
    if len(raw) > MAX_ATTACHMENTS:
        errors["attachments"] = [_("At most {n} attachments.").format(n=MAX_ATTACHMENTS)]
        return []
    checked = []
    for upload in raw:
        try:
            checked.append(check_attachment(upload))
        except ValidationError as error:
            name = safe_filename(getattr(upload, "name", ""))
            errors.setdefault("attachments", []).extend(  # the code kept: "too_large" is a 413 in the API
                ValidationError(f"{name}: {message}", code=error.code) for message in error.messages
            )
    return checked


def clean_proposal(*, title, problem, points, domains, attachments):
    errors = {}
    title, problem = normalise_text(title), normalise_text(problem)
    if not title:
        errors["title"] = [_("A proposal needs a title.")]
    elif len(title) > MAX_TITLE:
        errors["title"] = [_("The title is at most {n} characters.").format(n=MAX_TITLE)]
    if not problem:
        errors["problem"] = [_("Describe the problem.")]
    elif len(problem) > MAX_PROBLEM:
        errors["problem"] = [_("The problem is at most {n} characters.").format(n=MAX_PROBLEM)]
    texts = _clean_points(points, errors)
    found = _clean_domains(domains, errors)
    files = _clean_attachments(attachments, errors)
    if errors:
        raise ValidationError(errors)
    return title, problem, texts, found, files


@transaction.atomic
def submit_proposal(expert, *, by, title, problem, points, domains=(), attachments=()):
    """An active expert's proposal, sealed on arrival (``digest`` of ``proposal_content``).
    Everything is checked before anything is stored; the secretariat's board hears of it."""
    from experts.models import Expert

    if expert.user_id is None or expert.user_id != getattr(by, "id", None):
        raise PermissionDenied(_("Experts submit their own proposals."))
    if expert.status != Expert.Status.ACTIVE:
        raise StateConflict(_("Only an active member of the committee submits proposals."))
    title, problem, texts, found, files = clean_proposal(
        title=title, problem=problem, points=points, domains=domains, attachments=attachments
    )
    proposal = Proposal(author=expert, title=title, problem=problem, created_by=by)
    _save(proposal, by=by, reason="submitted")
    proposal.domains.set(found)
    Point.objects.bulk_create(Point(proposal=proposal, text=t, position=i) for i, t in enumerate(texts))
    for name, data in files:
        attachment = ProposalAttachment(
            proposal=proposal, title=name, size=len(data), sha256=hashlib.sha256(data).hexdigest()
        )
        extension = ".pdf" if name.lower().endswith(".pdf") else ".docx"
        attachment.file.save(f"proposal-{proposal.pk}{extension}", ContentFile(data), save=False)
        attachment.save()
    proposal.digest = content_digest(proposal_content(proposal))
    _save(proposal, by=by, reason="sealed", update_fields=["digest"])
    realtime.send_to_board("proposal.submitted", proposal=proposal.pk, state=proposal.state)
    return proposal


def _save(proposal, *, by, reason, **kwargs):
    proposal._history_user = by
    proposal._change_reason = reason[:100]
    proposal.save(**kwargs)


# ---------------------------------------------------------------- the states


@transaction.atomic
def transition_proposal(proposal, to, *, by, reason="", **changes):
    """The one way a proposal's state changes: the table, then ``changes``, history and the
    board. Raises ``StateConflict`` when the move is not allowed."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if to not in TRANSITIONS[locked.state]:
        raise StateConflict(
            _("A proposal that is “{state}” cannot become “{to}”.").format(
                state=locked.get_state_display(), to=Proposal.State(to).label
            )
        )
    before = locked.state
    locked.state = to
    for name, value in changes.items():
        setattr(locked, name, value)
    _save(locked, by=by, reason=reason or f"{before} → {to}")
    realtime.send_to_board("proposal.state_changed", proposal=locked.pk, state=to, previous=before)
    proposal.state = locked.state
    return locked


def _require_screener(by):
    if not can_screen(by):
        raise PermissionDenied(_("The secretariat screens proposals."))


def departments():
    """The organisations a proposal may be routed to: government bodies and any organisation with
    department staff (not the experts' employers)."""
    from experts.models import Organization

    return Organization.objects.filter(Q(kind=Organization.Kind.GOVERNMENT) | Q(staff__isnull=False)).distinct()


def _organizations(raw, errors):
    ids = []
    for item in raw or []:
        value = getattr(item, "pk", item)
        if isinstance(value, bool) or not isinstance(value, int):
            errors["organizations"] = [_("Organisations are given by their ids.")]
            return []
        ids.append(value)
    found = {o.pk: o for o in departments().filter(pk__in=ids)}
    if not ids:
        errors["organizations"] = [_("Choose at least one department.")]
    elif len(found) != len(set(ids)):
        errors["organizations"] = [_("Proposals are routed to departments; these are not: {ids}.").format(
            ids=", ".join(str(i) for i in sorted(set(ids) - set(found))))]  # fmt: skip
    return [found[i] for i in dict.fromkeys(ids) if i in found]


def _point_routes(proposal, organizations, point_organizations, errors):
    """``{point id: organisation id or None}``: with one organisation every suggestion goes to
    it; with several, a suggestion given one of them goes to that one, and one given none goes to
    all of them (``None``: the staff of any department routed to may answer it, once)."""
    points = list(proposal.points.filter(removed=False).order_by("position", "id"))
    chosen = {}
    for key, value in (point_organizations or {}).items():
        try:
            chosen[int(key)] = int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            errors["point_organizations"] = [_("Give each suggestion's department by id.")]
            return {}
    allowed = {o.pk for o in organizations}
    routes = {}
    for index, point in enumerate(points):
        org = chosen.get(point.pk) or (organizations[0].pk if len(organizations) == 1 else None)
        if org is not None and org not in allowed:
            errors.setdefault("point_organizations", []).append(
                _("Suggestion {n} goes to a department the proposal is not routed to.").format(n=index + 1)
            )
        else:
            routes[point.pk] = org
    unknown = set(chosen) - {p.pk for p in points}
    if unknown:
        errors.setdefault("point_organizations", []).append(_("Those suggestions are not part of this proposal."))
    return routes


@transaction.atomic
def route_proposal(proposal, *, by, organizations, point_organizations=None):
    """Route to one or more departments; a suggestion goes to the one chosen for it, else to all
    of them (to the one when there is one). The expert and the departments' staff are told."""
    _require_screener(by)
    errors = {}
    orgs = _organizations(organizations, errors)
    routes = _point_routes(proposal, orgs, point_organizations, errors) if orgs else {}
    if errors:
        raise ValidationError(errors)
    routed = transition_proposal(proposal, Proposal.State.ROUTED, by=by, reason="routed")
    routed.routed_to.set(orgs)
    for point_id, org_id in routes.items():
        Point.objects.filter(pk=point_id).update(organization_id=org_id)  # Point has no history; None: all
    names = "、".join(o.name for o in orgs)
    _tell_author(
        routed,
        kind="proposal_routed",
        text=_("Your proposal “{title}” was sent to {names} for an answer.").format(title=routed.title, names=names),
        subject=_("Your proposal was routed"),
    )
    _tell_departments(routed, orgs)
    return routed


@transaction.atomic
def merge_proposal(proposal, *, into, by):
    """Merge a duplicate into another proposal; the expert is told that one's title (the link is
    to their own proposal: the other expert's is not theirs to read)."""
    _require_screener(by)
    if into is None or into.pk == proposal.pk:
        raise ValidationError({"into": [_("Choose another proposal to merge into.")]})
    # Both rows at once, in pk order: crossed merges (A into B, B into A) queue instead of
    # deadlocking, and the second one then finds its target merged and is refused.
    both = Proposal.objects.select_for_update().filter(pk__in=[proposal.pk, into.pk]).order_by("pk")
    locked = {p.pk: p for p in both}
    target = locked[into.pk]
    if target.state in (Proposal.State.MERGED, Proposal.State.RETURNED):
        raise StateConflict(_("A proposal is merged into one that is still open (not merged or returned)."))
    _refuse_if_others_merged_into(locked[proposal.pk])
    merged = transition_proposal(proposal, Proposal.State.MERGED, by=by, reason="merged", merged_into=target)
    _tell_author(
        merged,
        kind="proposal_merged",
        text=_("Your proposal “{title}” was merged into “{into}”, which makes the same point.").format(
            title=merged.title, into=target.title
        ),
        subject=_("Your proposal was merged"),
    )
    return merged


def _refuse_if_others_merged_into(proposal):
    """No chains: a proposal others were merged into stands for them, so it is neither merged nor
    returned itself (it is routed and answered for all of them)."""
    if Proposal.objects.filter(merged_into_id=proposal.pk).exists():
        raise StateConflict(_("Other proposals were merged into this one: it is routed, not merged or returned."))


@transaction.atomic
def return_proposal(proposal, *, by, reason):
    """Return it to the expert with the reason (required); not one others were merged into."""
    _require_screener(by)
    reason = normalise_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why the proposal is returned.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("The reason is at most {n} characters.").format(n=MAX_REASON)]})
    _refuse_if_others_merged_into(Proposal.objects.select_for_update().get(pk=proposal.pk))
    returned = transition_proposal(proposal, Proposal.State.RETURNED, by=by, reason="returned", return_reason=reason)
    _tell_author(
        returned,
        kind="proposal_returned",
        text=_("Your proposal “{title}” was returned: {reason}").format(title=returned.title, reason=reason),
        subject=_("Your proposal was returned"),
    )
    return returned


# ---------------------------------------------------------------- answers (called by responses.answer_point)


def answer_proposal_point(point, *, by, status, reason):
    """Record the answer to a suggestion; the expert hears of it at once, and once every live
    suggestion is answered the proposal becomes ``answered`` (and the expert is told again)."""
    proposal = Proposal.objects.select_for_update().get(pk=point.proposal_id)
    if proposal.state not in LIVE_STATES:
        raise StateConflict(_("Suggestions are answered once the proposal is routed."))
    if proposal.public_page_id:
        raise StateConflict(_("The proposal is published: its answers no longer change."))
    response = Response.objects.select_for_update().filter(point=point).first() or Response(point=point)
    response.status, response.reason, response.by, response.at = status, reason, by, timezone.now()
    response._history_user = by
    response._change_reason = "answered"
    response.save()
    url = reverse("consultations:proposal", args=[proposal.pk])
    if proposal.author.user_id:
        from core.notify import notify

        notify(
            proposal.author.user,
            kind="response",
            text=_("A suggestion of your proposal “{title}” was answered: {status}.").format(
                title=proposal.title, status=Response.Status(status).label
            ),
            url=url,
        )
    realtime.send_to_board("proposal.answered", proposal=proposal.pk, point=point.pk)
    open_left = proposal.points.filter(removed=False, response__isnull=True).exists()
    if proposal.state == Proposal.State.ROUTED and not open_left:
        transition_proposal(proposal, Proposal.State.ANSWERED, by=by, reason="every suggestion answered")
        _tell_author(
            proposal,
            kind="proposal_answered",
            text=_("Every suggestion of your proposal “{title}” has been answered.").format(title=proposal.title),
            subject=_("Your proposal has been answered"),
        )
    return response


# ---------------------------------------------------------------- telling people


def _tell_author(proposal, *, kind, text, subject, url=None):
    from core.notify import tell_expert

    tell_expert(
        proposal.author,
        kind=kind,
        text=text,
        subject=subject,
        url=url or reverse("consultations:proposal", args=[proposal.pk]),
    )


def _tell_departments(proposal, organizations):
    from core.notify import notify
    from reviews.models import DepartmentStaff

    staff = DepartmentStaff.objects.filter(organization__in=organizations).select_related("user")
    for row in staff:
        notify(
            row.user,
            kind="proposal_routed",
            text=_("An expert's proposal “{title}” waits for your answer.").format(title=proposal.title),
            url=reverse("consultations:proposal", args=[proposal.pk]),
        )


# ---------------------------------------------------------------- publication


def is_adopted(proposal):
    """Answered, with at least one suggestion adopted or partly adopted."""
    return (
        proposal.state == Proposal.State.ANSWERED
        and proposal.points.filter(
            removed=False,
            response__status__in=[Response.Status.ADOPTED, Response.Status.PARTLY_ADOPTED],
        ).exists()
    )


@transaction.atomic
def consent_to_publication(proposal, *, by):
    """The author agrees that the adopted proposal may be published (recorded, with history)."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not is_author(by, locked):
        raise PermissionDenied(_("Only its author consents to publishing a proposal."))
    if not is_adopted(locked):
        raise StateConflict(_("A proposal is published once it is answered and at least partly adopted."))
    if locked.publication_consent_at:
        raise StateConflict(_("You have already agreed to publication."))
    locked.publication_consent_at = timezone.now()
    _save(locked, by=by, reason="consent to publication")
    return locked


@transaction.atomic
def publish_proposal(proposal, *, by):
    """A draft ``ProposalPage`` under the site's conclusions, submitted to the approval workflow
    (the secretariat approves it there). Needs the author's consent; made once."""
    from cms.models import ConclusionIndexPage, ProposalPage
    from cms.publishing import approval_workflow

    _require_screener(by)
    locked = Proposal.objects.select_for_update().select_related("author").get(pk=proposal.pk)
    if not is_adopted(locked):
        raise StateConflict(_("A proposal is published once it is answered and at least partly adopted."))
    if not locked.publication_consent_at:
        raise StateConflict(_("The expert has not agreed to publication."))
    if locked.public_page_id:
        raise StateConflict(_("This proposal already has its page."))
    index = ConclusionIndexPage.objects.order_by("path").first()
    if index is None:
        raise StateConflict(_("The site has no conclusions section to publish under."))
    points = (
        locked.points.filter(removed=False)
        .select_related("response__by__department_staff__organization", "organization")
        .order_by("position")
    )
    rows = [
        ("response", {"section": getattr(answering_department(p), "name", ""), "point": p.text[:2000],
                      "expert": "", "status": p.response.status, "reason": p.response.reason[:2000]})
        for p in points
        if hasattr(p, "response")
    ]  # fmt: skip
    page = ProposalPage(
        title=_("Expert proposal: {title}").format(title=locked.title)[:255],
        slug=f"proposal-{locked.pk}",
        author_name=locked.author.name,
        answered_on=timezone.localdate(),
        problem=locked.problem,
        responses=rows,
        live=False,
        owner=by,
    )
    index.add_child(instance=page)
    page.save_revision(user=by, log_action=True)
    workflow = page.get_workflow() or approval_workflow()
    workflow.start(page, by)
    locked.public_page_id = page.pk
    _save(locked, by=by, reason="page drafted for publication", update_fields=["public_page_id"])
    return page
