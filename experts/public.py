"""What the public may see of the roster: the one place the committee site asks.

Active experts only; of each, the name and the fields the expert's record marks public
(``Expert.public_fields``). The photo shown is the thumbnail, never the display photo. Nothing
else (contacts, status, term, specialties, account) leaves this module.
"""

from django.db.models import Prefetch, Q

from experts.models import Domain, Expert
from experts.selectors import search_narrowing


def public_experts():
    """The experts the public directory lists: active ones, with what ``public_profile`` reads."""
    return (
        Expert.objects.filter(status=Expert.Status.ACTIVE)
        .select_related("employer", "primary_domain__parent")
        .prefetch_related(Prefetch("domains", queryset=Domain.objects.order_by("code")))
        .order_by("stroke_key", "id")
    )


def _shown(expert):
    chosen = expert.public_fields if isinstance(expert.public_fields, list) else []
    return {field for field in chosen if field in Expert.PUBLIC_FIELD_CHOICES}


def public_profile(expert):
    """A dict with ``name`` and only the fields ``expert.public_fields`` lists, as display values."""
    shown = _shown(expert)
    profile = {"name": expert.name}
    for field in ("title", "position", "biography"):
        if field in shown and getattr(expert, field):
            profile[field] = getattr(expert, field)
    if "employer" in shown and expert.employer_id:
        profile["employer"] = expert.employer.name
    if "domains" in shown:
        names = [domain.display_name() for domain in expert.domains.all()]
        if names:
            profile["domains"] = names
    if "photo" in shown and expert.photo_thumb:
        profile["photo"] = expert.photo_thumb.url
    return profile


def _group_of(shown, primary_domain_id, primary_parent_id):
    """The directory group of an expert: the top-level domain of the primary domain, or ``None``
    when the expert keeps their domains private (grouping would reveal them)."""
    if "domains" not in shown or primary_domain_id is None:
        return None
    return primary_parent_id or primary_domain_id


def _directory_order(order):
    """Every listed expert in directory order, as ``[(group domain id or None, expert id), ...]``,
    and the group domains by id; from one light query, so that a page of a large roster loads only
    its own members in full. Domains by code, the unnamed group last; within a group by surname
    strokes (``stroke_key``) or by the secretariat's manual order."""
    rows = Expert.objects.filter(status=Expert.Status.ACTIVE).values_list(
        "id", "public_fields", "primary_domain_id", "primary_domain__parent_id", "stroke_key", "manual_order"
    )
    keyed = []
    for expert_id, fields, domain_id, parent_id, stroke_key, manual_order in rows:
        shown = {f for f in fields if f in Expert.PUBLIC_FIELD_CHOICES} if isinstance(fields, list) else set()
        within = (manual_order, stroke_key, expert_id) if order == "manual" else (stroke_key, expert_id)
        keyed.append((_group_of(shown, domain_id, parent_id), within, expert_id))
    domains = Domain.objects.in_bulk({group for group, _within, _id in keyed if group is not None})
    rank = {pk: position for position, pk in enumerate(sorted(domains, key=lambda pk: domains[pk].code))}
    keyed.sort(key=lambda row: (rank.get(row[0], len(rank)), row[1]))
    return [(group, expert_id) for group, _within, expert_id in keyed], domains


def _grouped(ordered, domains, profiles):
    groups = []
    for group, expert_id in ordered:
        if not groups or groups[-1][0] != group:
            groups.append((group, []))
        groups[-1][1].append(profiles[expert_id])
    return [(domains.get(group), members) for group, members in groups]


def public_directory(*, order="strokes"):
    """``[(domain or None, [profile, ...]), ...]``: the whole directory (``_directory_order``)."""
    ordered, domains = _directory_order(order)
    profiles = {expert.pk: public_profile(expert) for expert in public_experts()}
    return _grouped(ordered, domains, profiles)


def public_directory_page(*, order="strokes", number=None, per_page=None):
    """One page of the directory, for a roster too large for one page (a committee of 40 fits
    on the first). Returns ``{"groups", "listing", "index"}``: the page's groups as
    ``public_directory`` gives them, each with ``continued`` (it began on an earlier page) and
    ``total`` (its members on all pages); the ``Paginator`` page (a page number that is not a
    number or out of range gives the last or first page); and every group as
    ``(domain or None, total, first page number)`` for a table of contents."""
    from django.conf import settings
    from django.core.paginator import Paginator

    per_page = per_page or settings.DIRECTORY_PAGE_SIZE
    ordered, domains = _directory_order(order)
    page = Paginator(ordered, per_page).get_page(number)
    on_page = list(page.object_list)
    ids = [expert_id for _group, expert_id in on_page]
    profiles = {expert.pk: public_profile(expert) for expert in public_experts().filter(pk__in=ids)}
    totals, first_page = {}, {}
    for position, (group, _id) in enumerate(ordered):
        totals[group] = totals.get(group, 0) + 1
        first_page.setdefault(group, position // per_page + 1)
    seen_before = {group for group, _id in ordered[: (page.number - 1) * per_page]}
    groups = [
        {"domain": domain, "members": members, "continued": (domain.pk if domain else None) in seen_before,
         "total": totals[domain.pk if domain else None]}
        for domain, members in _grouped(on_page, domains, profiles)
    ]  # fmt: skip
    index = [(domains.get(group), totals[group], first_page[group]) for group in first_page]
    return {"groups": groups, "listing": page, "index": index}


def public_members_matching(query, *, limit=50):
    """Active experts whose name contains ``query`` or whose pinyin initials start with it."""
    query = (query or "").strip()
    if not query:
        return []

    condition = Q(name__contains=query)
    if query.isascii() and query.isalpha():
        condition |= Q(name_initials__startswith=query.lower())
    matching = public_experts().filter(search_narrowing(query), condition)  # the narrowing: an index
    return [public_profile(expert) for expert in matching[:limit]]
