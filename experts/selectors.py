"""Reads for the roster and the accounts every role shares."""

from datetime import timedelta

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, Q
from django.utils import timezone

from experts import rules
from experts.models import Domain, Expert, Organization, UserPreference
from experts.names import GRAM_LENGTH, search_fold


def large_text_for(user):
    if not user.is_authenticated:
        return False
    return UserPreference.objects.filter(user=user, large_text=True).exists()


# --- the roster ---------------------------------------------------------------------------


def roster():
    """Experts with what a roster row shows, in one query plus one for the domains."""
    return Expert.objects.select_related("employer", "primary_domain", "user").prefetch_related(
        Prefetch("domains", queryset=Domain.objects.order_by("code"))
    )


def visible_experts(user):
    """The experts ``user`` may see at all: the secretariat and the commission see the roster
    (the commission only public fields, see ``privacy`` and the serializers), an expert sees
    their own record, anyone else nothing."""
    qs = roster()
    if not user.is_authenticated:
        return qs.none()
    if rules.may_see_roster(user):
        return qs
    return qs.filter(user=user)


def search_experts(queryset, query, *, names_only=False):
    """Name, specialty tags, employer (any part, so ``机器`` finds ``机器人``), and pinyin:
    ``zs`` finds 张三 by initials, ``zhang`` by full pinyin. ``names_only`` for callers who may
    not see the other fields (matching on them would reveal them).

    The conditions are ANDed with ``search_narrowing``, which an index answers on PostgreSQL
    and which every match satisfies: the results are the conditions' alone."""
    query = (query or "").strip()
    if not query:
        return queryset
    condition = Q(name__icontains=query)
    if not names_only:
        employers = Organization.objects.filter(name__icontains=query).values("pk")  # a subquery, not a join
        condition |= Q(specialties__icontains=query) | Q(employer__in=employers) | Q(key__iexact=query)
    compact = query.replace(" ", "").lower()
    if compact.isascii() and compact.isalpha():
        condition |= Q(name_initials__startswith=compact) | Q(name_pinyin__icontains=query.lower())
    return queryset.filter(search_narrowing(query), condition)


def search_narrowing(query):
    """A condition on the expert's own search columns that every expert the search finds meets
    (experts/names.py::search_columns): ``search_text`` contains the folded query (a trigram
    index on PostgreSQL, 4 characters or more), or for 1 to 3 characters ``search_grams``
    holds it as a word (a trigram index too: ``LIKE '% 张伟 %'`` has whole trigrams). Initials typed
    with spaces (``z w``) are matched on ``name_initials`` (its B-tree pattern index)."""
    folded = search_fold(query.strip())
    if len(folded) <= GRAM_LENGTH and not any(char.isspace() for char in folded):
        narrowing = Q(search_grams__contains=f" {folded} ")
    else:
        narrowing = Q(search_text__contains=folded)
    compact = query.replace(" ", "").lower()
    if compact != query.lower() and compact.isascii() and compact.isalpha():
        narrowing |= Q(name_initials__startswith=compact)
    return narrowing


def filter_roster(queryset, *, domain=None, status=None, category=None, employer_kind=None, ending_within=None):
    """The roster's filters. ``domain`` is a code and includes the domains below it."""
    if domain:
        queryset = queryset.filter(Q(domains__code=domain) | Q(domains__parent__code=domain)).distinct()
    if status:
        queryset = queryset.filter(status=status)
    if category:
        queryset = queryset.filter(category=category)
    if employer_kind:
        queryset = queryset.filter(employer__kind=employer_kind)
    if ending_within is not None:
        queryset = terms_ending(queryset, within_days=ending_within)
    return queryset


def terms_ending(queryset=None, *, within_days=60, today=None):
    """Experts still serving whose term ends within ``within_days`` days from today."""
    today = today or timezone.localdate()
    queryset = Expert.objects.all() if queryset is None else queryset
    return queryset.filter(
        status__in=[Expert.Status.ACTIVE, Expert.Status.SUSPENDED],
        term_end__gte=today,
        term_end__lte=today + timedelta(days=within_days),
    )


def term_ends_soon(expert, *, within_days=60, today=None):
    today = today or timezone.localdate()
    return (
        expert.status in (Expert.Status.ACTIVE, Expert.Status.SUSPENDED)
        and expert.term_end is not None
        and today <= expert.term_end <= today + timedelta(days=within_days)
    )


def ordered_roster(queryset, order):
    """``strokes`` (surname stroke count, the default), ``pinyin`` or ``manual``."""
    orderings = {
        "strokes": ("stroke_key", "id"),
        "pinyin": ("name_pinyin", "id"),
        "manual": ("manual_order", "stroke_key", "id"),
    }
    return queryset.order_by(*orderings.get(order, orderings["strokes"]))


def expert_for(user, pk):
    """One expert ``user`` may see, or ``None`` (the caller answers 404)."""
    return visible_experts(user).filter(pk=pk).first()


# --- history ------------------------------------------------------------------------------

HIDDEN_HISTORY_FIELDS = {"name_pinyin", "name_initials", "stroke_key", "photo_thumb"}


def _display(value):
    if value is None or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def expert_history(expert, *, show_contact=True):
    """Every recorded change of ``expert``, creation first: ``at``, ``by`` (user or None),
    ``kind`` (created/changed/deleted), ``reason`` and ``changes`` (field, label, old, new).
    Contact values are masked unless ``show_contact``; account numbers always. A fixed number of queries."""
    from core.masking import mask_account, mask_email, mask_mobile

    records = list(expert.history.select_related("history_user").order_by("history_date", "history_id"))
    # The domains of every record in one query (the history's own m2m table), not one per record.
    links = Expert.history.model._meta.get_field("historicalexpert_domains").related_model
    domains_of = {}
    for history_id, domain_id in links.objects.filter(history__in=[r.history_id for r in records]).values_list(
        "history_id", "domain_id"
    ):
        domains_of.setdefault(history_id, []).append(domain_id)
    # The account number is masked in every history: it is shown in full only on an audited request.
    masks = {"account_number": mask_account} | ({} if show_contact else {"mobile": mask_mobile, "email": mask_email})
    kinds = {"+": "created", "~": "changed", "-": "deleted"}
    raw = []
    previous, previous_domains = None, []
    for record in records:
        changes = []
        domains = sorted(domains_of.get(record.history_id, []))
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=["domains"], foreign_keys_are_objs=False)
            changes = [(c.field, c.old, c.new) for c in delta.changes if c.field not in HIDDEN_HISTORY_FIELDS]
            if domains != previous_domains:
                changes.append(("domains", previous_domains, domains))
        raw.append((record, changes))
        previous, previous_domains = record, domains
    names = _related_names(raw)
    return [
        {
            "id": record.history_id,
            "at": record.history_date,
            "by": record.history_user,
            "kind": kinds.get(record.history_type, "changed"),
            "reason": record.history_change_reason or "",
            "changes": [_change_row(field, old, new, masks, names) for field, old, new in changes],
        }
        for record, changes in raw
    ]


RELATED = {"employer": Organization, "primary_domain": Domain, "domains": Domain, "user": None}


def _related_names(raw):
    """``{(model, pk): label}`` for every related id the changes mention, one query per model."""
    wanted = {}
    for _record, changes in raw:
        for field, old, new in changes:
            model = RELATED.get(field)
            if model is None:
                continue
            for value in (old, new):
                for pk in value if isinstance(value, list) else [value]:
                    if pk is not None:
                        wanted.setdefault(model, set()).add(pk)
    names = {}
    for model, pks in wanted.items():
        for obj in model.objects.filter(pk__in=pks):
            names[(model, obj.pk)] = obj.code if model is Domain else obj.name
    return names


def _change_row(field, old, new, masks, names):
    model = RELATED.get(field)
    if model is not None:

        def label_of(value):
            if isinstance(value, list):
                return [names.get((model, pk), pk) for pk in value]
            return names.get((model, value), value) if value is not None else ""

        old, new = label_of(old), label_of(new)
    mask = masks.get(field)
    if mask:
        old, new = mask(old or ""), mask(new or "")
    try:
        label = str(Expert._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:  # a field since removed from the model
        label = field
    return {"field": field, "label": label, "old": _display(old), "new": _display(new)}
