"""The committee's year report (issue 8): every piece of advice sealed in a calendar year and
what became of it, counted by kind, by domain, by department and by outcome.

A piece of advice is a ``Point`` (of a plan evaluation's opinion, of a consultation answer, or
a proposal's suggestion); its outcome is its ``Response`` (adopted, partly adopted, not
adopted) or none yet (unanswered). What counts:

- the point is not removed;
- an opinion's or an answer's point: the opinion is sealed (``submitted_at``) in the year;
- a proposal's point: the proposal was submitted in the year and is neither merged into
  another nor returned. Merged and returned proposals are listed apart (``set_aside``).

The year is the calendar year in Asia/Shanghai of the sealing. A point counts under every
top-level domain of its subject (the plan's domains, the consultation's addressed domains, the
proposal's domains; a subject without one: "no domain"), so the domain rows add up to more
than the total; under one department: the organisation the point was routed to (for a suggestion routed to
all of a proposal's departments, the one whose staff answered it), else the plan's submitting
department, else "no department".

Adoption rate = (adopted + partly adopted) / (adopted + partly adopted + not adopted); none
while nothing is answered. Everything comes from a fixed number of queries (eight), whatever
the number of points.

Beside the figures (``full_report``): the answers overdue today whose due date fell in the year
(``overdue_in``, one more query), as the commission's list of them shows them.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Count, Min, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultations.consolidation.selectors import overdue_answers
from consultations.inquiries.models import Consultation
from consultations.opinions.models import Opinion, Point
from consultations.proposals.models import Proposal
from consultations.responses.models import Response
from experts.models import Domain
from reviews.models import Plan

REPORT_ZONE = ZoneInfo("Asia/Shanghai")
KINDS = ("review", "consultation", "proposal")
OUTCOMES = ("adopted", "partly_adopted", "not_adopted", "unanswered")
COUNTED_PROPOSALS = (Proposal.State.SUBMITTED, Proposal.State.ROUTED, Proposal.State.ANSWERED)
SET_ASIDE_PROPOSALS = (Proposal.State.MERGED, Proposal.State.RETURNED)
FIRST_YEAR = 2000


def year_bounds(year):
    """The first instant of ``year`` and of the next one, in Asia/Shanghai."""
    return datetime(year, 1, 1, tzinfo=REPORT_ZONE), datetime(year + 1, 1, 1, tzinfo=REPORT_ZONE)


def current_year():
    return timezone.now().astimezone(REPORT_ZONE).year


def report_years():
    """The years a report can be asked for: from the first sealed advice to this year."""
    now = current_year()
    first = [
        Opinion.objects.filter(submitted_at__isnull=False).aggregate(first=Min("submitted_at"))["first"],
        Proposal.objects.aggregate(first=Min("submitted_at"))["first"],
    ]
    years = [at.astimezone(REPORT_ZONE).year for at in first if at is not None]
    return list(range(now, max(min(years + [now]), FIRST_YEAR) - 1, -1))


def parse_year(raw):
    """``(year, error)``: the year asked for, or this year and a message saying what was wrong."""
    if raw in (None, ""):
        return current_year(), None
    try:
        year = int(str(raw).strip())
    except ValueError:
        year = None
    if year is None or not FIRST_YEAR <= year <= current_year():
        message = _("“{value}” is not a year the report covers (from {first} to {last}).").format(
            value=str(raw)[:20], first=FIRST_YEAR, last=current_year()
        )
        return current_year(), message
    return year, None


def counted_points(year):
    """The points the report of ``year`` counts (see the module's docstring)."""
    start, end = year_bounds(year)
    sealed_opinion = Q(opinion__submitted_at__gte=start, opinion__submitted_at__lt=end)
    proposal = Q(
        proposal__submitted_at__gte=start, proposal__submitted_at__lt=end, proposal__state__in=COUNTED_PROPOSALS
    )
    return Point.objects.filter(sealed_opinion | proposal, removed=False)


def outcome_of(status):
    return status if status in Response.Status.values else "unanswered"


def blank_row(**fields):
    return {**fields, "points": 0, **dict.fromkeys(OUTCOMES, 0)}


def finish_row(row):
    """Adds ``answered`` and ``adoption_rate`` (a fraction of 1, or None with nothing answered)."""
    answered = row["adopted"] + row["partly_adopted"] + row["not_adopted"]
    row["answered"] = answered
    row["adoption_rate"] = (row["adopted"] + row["partly_adopted"]) / answered if answered else None
    return row


def _add(row, outcome):
    row["points"] += 1
    row[outcome] += 1


# ---------------------------------------------------------------- the queries


POINT_FIELDS = (
    "id",
    "opinion__review_id",
    "opinion__review__plan_id",
    "opinion__review__plan__submitted_by_id",
    "opinion__review__plan__submitted_by__name",
    "opinion__consultation_id",
    "proposal_id",
    "organization_id",
    "organization__name",
    "response__status",
    "response__by__department_staff__organization_id",  # a suggestion routed to all: who answered it
    "response__by__department_staff__organization__name",
)


def _point_rows(year):
    return list(counted_points(year).order_by("id").values(*POINT_FIELDS))


def _subject_domains(points):
    """``{(kind, subject id): {domain ids}}`` in three queries (one per kind of subject)."""
    links = (
        ("review", Plan.domains.through.objects, "plan_id", points.values("opinion__review__plan_id")),
        (
            "consultation",
            Consultation.addressed_domains.through.objects,
            "consultation_id",
            points.values("opinion__consultation_id"),
        ),
        ("proposal", Proposal.domains.through.objects, "proposal_id", points.values("proposal_id")),
    )
    found = {}
    for kind, manager, column, subjects in links:
        for subject, domain in manager.filter(**{f"{column}__in": subjects}).values_list(column, "domain_id"):
            found.setdefault((kind, subject), set()).add(domain)
    return found


def _top_levels():
    """``({domain id: top-level domain id}, [top-level domains as dicts, by code])``."""
    domains = {d["id"]: d for d in Domain.objects.values("id", "parent_id", "code", "name", "name_en")}

    def top(domain_id):
        seen = set()
        while domains[domain_id]["parent_id"] is not None and domain_id not in seen:
            seen.add(domain_id)
            domain_id = domains[domain_id]["parent_id"]
        return domain_id

    tops = sorted((d for d in domains.values() if d["parent_id"] is None), key=lambda d: d["code"])
    return {domain_id: top(domain_id) for domain_id in domains}, tops


def _items(year):
    """Per kind: how many subjects (reviews, consultations, proposals) and items (sealed opinions,
    sealed answers, proposals) the year holds; and the proposals set aside, with their points."""
    start, end = year_bounds(year)
    opinions = Opinion.objects.filter(submitted_at__gte=start, submitted_at__lt=end).aggregate(
        opinions=Count("id", filter=Q(review__isnull=False)),
        reviews=Count("review", distinct=True),
        answers=Count("id", filter=Q(consultation__isnull=False)),
        consultations=Count("consultation", distinct=True),
    )
    in_year = Proposal.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    proposals = in_year.aggregate(
        counted=Count("id", filter=Q(state__in=COUNTED_PROPOSALS)),
        **{state: Count("id", filter=Q(state=state)) for state in SET_ASIDE_PROPOSALS},
    )
    set_aside_points = dict(
        Point.objects.filter(proposal__in=in_year.filter(state__in=SET_ASIDE_PROPOSALS), removed=False)
        .order_by()
        .values("proposal__state")
        .annotate(n=Count("id"))
        .values_list("proposal__state", "n")
    )
    subjects = {
        "review": opinions["reviews"],
        "consultation": opinions["consultations"],
        "proposal": proposals["counted"],
    }
    items = {"review": opinions["opinions"], "consultation": opinions["answers"], "proposal": proposals["counted"]}
    set_aside = [
        {
            "state": str(state),
            "label": str(state.label),
            "proposals": proposals[state],
            "points": set_aside_points.get(state, 0),
        }
        for state in SET_ASIDE_PROPOSALS
    ]
    return subjects, items, set_aside


# ---------------------------------------------------------------- the report


def kind_labels():
    return {"review": _("Plan evaluations"), "consultation": _("Consultations"), "proposal": _("Proposals")}


def outcome_labels():
    return {
        "adopted": str(Response.Status.ADOPTED.label),
        "partly_adopted": str(Response.Status.PARTLY_ADOPTED.label),
        "not_adopted": str(Response.Status.NOT_ADOPTED.label),
        "unanswered": _("Not answered yet"),
    }


def _kind(row):
    if row["proposal_id"] is not None:
        return "proposal", row["proposal_id"]
    if row["opinion__review_id"] is not None:
        return "review", row["opinion__review__plan_id"]
    return "consultation", row["opinion__consultation_id"]


def _department(row):
    if row["organization_id"] is not None:
        return row["organization_id"], row["organization__name"]
    answered_by = row["response__by__department_staff__organization_id"]
    if row["proposal_id"] is not None and answered_by is not None:  # as proposals.answering_department
        return answered_by, row["response__by__department_staff__organization__name"]
    if row["opinion__review__plan__submitted_by_id"] is not None:
        return row["opinion__review__plan__submitted_by_id"], row["opinion__review__plan__submitted_by__name"]
    return None, ""


def year_report(year):
    """The report of ``year`` as plain data (see the module's docstring for what counts):
    ``year``, ``start``, ``end``, ``total``, ``kinds``, ``domains``, ``departments`` (rows of
    counts per outcome with ``points``, ``answered`` and ``adoption_rate``), ``set_aside``."""
    language = translation.get_language() or ""
    english = language.startswith("en")
    rows = _point_rows(year)
    subject_domains = _subject_domains(counted_points(year))
    top_of, tops = _top_levels()
    subjects, items, set_aside = _items(year)

    total = blank_row()
    kinds = {
        kind: blank_row(key=kind, label=kind_labels()[kind], subjects=subjects[kind], items=items[kind])
        for kind in KINDS
    }
    domains = {
        d["id"]: blank_row(key=d["code"], label=(d["name_en"] if english and d["name_en"] else d["name"])) for d in tops
    }
    no_domain = blank_row(key=None, label=_("No domain"))
    departments = {}
    for row in rows:
        outcome = outcome_of(row["response__status"])
        kind, subject = _kind(row)
        _add(total, outcome)
        _add(kinds[kind], outcome)
        top_domains = {top_of[d] for d in subject_domains.get((kind, subject), ())}
        for domain in sorted(top_domains):
            _add(domains[domain], outcome)
        if not top_domains:
            _add(no_domain, outcome)
        department, name = _department(row)
        if department not in departments:
            departments[department] = blank_row(key=department, label=name or _("No department"))
        _add(departments[department], outcome)

    domain_rows = list(domains.values()) + ([no_domain] if no_domain["points"] else [])
    named = sorted((r for k, r in departments.items() if k is not None), key=lambda r: (-r["points"], r["label"]))
    department_rows = named + ([departments[None]] if None in departments else [])
    start, end = year_bounds(year)
    return {
        "year": year,
        "start": start,
        "end": end,
        "total": finish_row(total),
        "kinds": [finish_row(kinds[kind]) for kind in KINDS],
        "domains": [finish_row(r) for r in domain_rows],
        "departments": [finish_row(r) for r in department_rows],
        "set_aside": set_aside,
    }


def overdue_in(year):
    """The answers overdue today (督办) whose due date fell in ``year``: the rows of
    ``consultations.consolidation.selectors.overdue_answers``."""
    return overdue_answers(due_from=date(year, 1, 1), due_until=date(year, 12, 31))


def full_report(year):
    """The report of ``year`` (``year_report``) with ``overdue``: what the pages and the documents
    show."""
    return {**year_report(year), "overdue": overdue_in(year)}


def percent(rate):
    """An adoption rate as the report prints it: ``66.7%``, or ``—`` with nothing answered."""
    return "—" if rate is None else f"{rate * 100:.1f}%"
