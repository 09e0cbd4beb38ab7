"""What the public may see of the roster: the one place the committee site asks.

Active experts only; of each, the name and the fields the expert's record marks public
(``Expert.public_fields``). The photo shown is the thumbnail, never the display photo. Nothing
else (contacts, status, term, specialties, account) leaves this module.
"""

from django.db.models import Prefetch, Q

from .models import Domain, Expert


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


def public_group(expert):
    """The directory group of an expert: the top-level domain of the primary domain, or ``None``
    when the expert keeps their domains private (grouping would reveal them)."""
    if "domains" not in _shown(expert) or expert.primary_domain is None:
        return None
    domain = expert.primary_domain
    return domain.parent if domain.parent_id else domain


def public_directory(*, order="strokes"):
    """``[(domain or None, [profile, ...]), ...]``: domains by code, the unnamed group last.

    Within a group: by surname strokes (``stroke_key``), or by the secretariat's manual order.
    """
    experts = list(public_experts())
    if order == "manual":
        experts.sort(key=lambda e: (e.manual_order, e.stroke_key, e.id))
    groups = {}
    for expert in experts:
        groups.setdefault(public_group(expert), []).append(public_profile(expert))
    named = sorted((d for d in groups if d is not None), key=lambda d: d.code)
    result = [(domain, groups[domain]) for domain in named]
    if None in groups:
        result.append((None, groups[None]))
    return result


def public_members_matching(query, *, limit=50):
    """Active experts whose name contains ``query`` or whose pinyin initials start with it."""
    query = (query or "").strip()
    if not query:
        return []

    condition = Q(name__contains=query)
    if query.isascii() and query.isalpha():
        condition |= Q(name_initials__startswith=query.lower())
    return [public_profile(expert) for expert in public_experts().filter(condition)[:limit]]
