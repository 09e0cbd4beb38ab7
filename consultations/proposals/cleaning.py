"""The checks of what the submission and the routing of a proposal receive, made before
anything is stored: each returns the clean values and adds what is wrong to ``errors`` (field →
messages), or raises ``ValidationError`` with all of them."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from consultations.opinions.canonical import normalise_text
from consultations.proposals.selectors import departments
from core.uploads import safe_filename

MAX_TITLE = 200
MAX_PROBLEM = 20000
MAX_POINT = 5000
MAX_POINTS = 50
MAX_REASON = 2000
MAX_ATTACHMENTS = 5
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


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
    """``(title, problem, suggestion texts, domains, [(name, data)] of the attachments)``."""
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


def clean_return_reason(reason):
    reason = normalise_text(reason)
    if not reason:
        raise ValidationError({"reason": [_("Say why the proposal is returned.")]})
    if len(reason) > MAX_REASON:
        raise ValidationError({"reason": [_("The reason is at most {n} characters.").format(n=MAX_REASON)]})
    return reason


def clean_organizations(raw, errors):
    """The departments to route to, by id, in the order given (each once)."""
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


def _chosen_routes(point_organizations, errors):
    chosen = {}
    for key, value in (point_organizations or {}).items():
        try:
            chosen[int(key)] = int(getattr(value, "pk", value))
        except (TypeError, ValueError):
            errors["point_organizations"] = [_("Give each suggestion's department by id.")]
            return None
    return chosen


def clean_point_routes(proposal, organizations, point_organizations, errors):
    """``{point id: organisation id or None}``: with one organisation every suggestion goes to
    it; with several, a suggestion given one of them goes to that one, and one given none goes to
    all of them (``None``: the staff of any department routed to may answer it, once)."""
    points = list(proposal.points.filter(removed=False).order_by("position", "id"))
    chosen = _chosen_routes(point_organizations, errors)
    if chosen is None:
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
