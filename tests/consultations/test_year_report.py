"""The year report (issue 8): every figure equals a plain recomputation from the points and
responses; the year's edge in Asia/Shanghai; what does not count; the documents carry the same
numbers; only the commission and the secretariat reach it; a fixed number of queries."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone, translation

from consultations.inquiries.models import Consultation, Question
from consultations.opinions.models import Opinion, Point
from consultations.proposals.models import Proposal
from consultations.responses.models import Response
from consultations.year_report.selectors import year_report
from experts import roles
from experts.models import AuditRecord
from reviews.models import Plan, PlanVersion, Review
from tests.conftest import make_user
from tests.factories import DomainFactory, OrganizationFactory
from tests.queries import assert_constant_queries
from tests.reviews.conftest import add_expert

SHANGHAI = ZoneInfo("Asia/Shanghai")
OUTCOMES = ("adopted", "partly_adopted", "not_adopted", "unanswered")


def at(*parts):
    return datetime(*parts, tzinfo=SHANGHAI)


# ---------------------------------------------------------------- building advice with the ORM


class Advice:
    """Rows made straight with the ORM (the services of consultations and proposals are built
    beside this): experts, plans under review, consultations, proposals, points, responses."""

    def __init__(self):
        self.n = 0
        self.domain_root = DomainFactory(code="9", name="根领域")

    def expert(self):
        self.n += 1
        return add_expert(5000 + self.n, domain=self.domain_root, with_user=False)

    def review(self, *, department, domains):
        plan = Plan.objects.create(title=f"规划{self.n}", kind="action_plan", submitted_by=department)
        plan.domains.set(domains)
        version = PlanVersion.objects.create(plan=plan, number=1, document="plans/x.docx", original_name="x.docx")
        opens = at(2025, 1, 1)
        return Review.objects.create(plan=plan, plan_version=version, opens_at=opens, due_at=opens + timedelta(days=9))

    def opinion(self, *, review=None, consultation=None, sealed=None):
        return Opinion.objects.create(
            review=review,
            consultation=consultation,
            expert=self.expert(),
            submitted_at=sealed,
            digest="d" * 64 if sealed else "",
        )

    def consultation(self, *, domains=()):
        consultation = Consultation.objects.create(title=f"征询{self.n}", state="closed")
        consultation.addressed_domains.set(domains)
        return consultation

    def proposal(self, *, state, submitted, domains=()):
        proposal = Proposal.objects.create(
            author=self.expert(), title=f"建言{self.n}", problem="问题", state=state, submitted_at=submitted
        )
        proposal.domains.set(domains)
        return proposal

    def point(self, *, outcome=None, removed=False, **where):
        point = Point.objects.create(text="意见", removed=removed, **where)
        if outcome:
            Response.objects.create(point=point, status=outcome, reason="" if outcome == "adopted" else "理由")
        return point


@pytest.fixture
def advice(db):
    """The 2026 world: counted in 2026 are 11 points (3 adopted, 2 partly, 2 not, 4 unanswered)."""
    a = Advice()
    top1 = DomainFactory(code="1", name="新一代信息技术产业", name_en="New-generation information technology")
    top2 = DomainFactory(code="2", name="高端装备制造产业", name_en="High-end equipment manufacturing")
    top3 = DomainFactory(code="3", name="新材料产业", name_en="New materials")
    d11 = DomainFactory(code="1.1", name="下一代信息网络", parent=top1)
    d12 = DomainFactory(code="1.2", name="电子核心产业", parent=top1)
    d21 = DomainFactory(code="2.1", name="智能制造装备", parent=top2)
    x = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    y = OrganizationFactory(name="沈阳市科学技术局", kind="government")
    z = OrganizationFactory(name="沈阳市财政局", kind="government")

    # plan evaluations: plan 1 of department X in 1.1 and 1.2 (top-level 1, counted once)
    r1 = a.review(department=x, domains=[d11, d12])
    o1 = a.opinion(review=r1, sealed=at(2026, 3, 1, 10))
    a.point(opinion=o1, outcome="adopted")
    a.point(opinion=o1, outcome="partly_adopted")
    a.point(opinion=o1, outcome="adopted", removed=True)
    a.point(opinion=o1)
    o2 = a.opinion(review=r1, sealed=at(2026, 12, 31, 23, 30))  # still 2026 in Shenyang (15:30 UTC)
    a.point(opinion=o2, outcome="not_adopted")
    draft = a.opinion(review=r1)  # never sealed
    a.point(opinion=draft, outcome="adopted")
    # plan 2 of department Y in 2.1 and 3: one opinion sealed just into 2027, one in 2025
    r2 = a.review(department=y, domains=[d21, top3])
    a.point(opinion=a.opinion(review=r2, sealed=at(2027, 1, 1, 0, 10)), outcome="adopted")
    a.point(opinion=a.opinion(review=r2, sealed=at(2025, 6, 1)), outcome="adopted")

    # consultations: one addressed to domain 2, one to the whole committee
    c1 = a.consultation(domains=[top2])
    q1 = Question.objects.create(consultation=c1, text="如何支持机器人配套企业？")
    answer = a.opinion(consultation=c1, sealed=at(2026, 5, 1))
    a.point(opinion=answer, question=q1, outcome="adopted", organization=z)
    a.point(opinion=answer, question=q1)
    c2 = a.consultation()
    q2 = Question.objects.create(consultation=c2, text="用地规则？")
    a.point(opinion=a.opinion(consultation=c2, sealed=at(2026, 7, 1)), question=q2, outcome="not_adopted")

    # proposals: routed (domains 1.1 and 2.1), returned, merged, submitted, and one of 2025
    p1 = a.proposal(state="routed", submitted=at(2026, 4, 1), domains=[d11, d21])
    a.point(proposal=p1, organization=x, outcome="adopted")
    a.point(proposal=p1, organization=y, outcome="partly_adopted")
    a.point(proposal=p1, organization=y)
    a.point(proposal=p1, organization=x, removed=True)
    returned = a.proposal(state="returned", submitted=at(2026, 5, 1), domains=[d11])
    a.point(proposal=returned)
    a.point(proposal=returned)
    merged = a.proposal(state="merged", submitted=at(2026, 6, 1), domains=[d11])
    a.point(proposal=merged)
    a.point(proposal=a.proposal(state="submitted", submitted=at(2026, 8, 1)))
    a.point(
        proposal=a.proposal(state="answered", submitted=at(2025, 12, 31, 23, 59)), organization=x, outcome="adopted"
    )
    return a


# ---------------------------------------------------------------- the plain recomputation


def recompute(year):
    """The report's figures, worked out point by point from the rules as the issue states them."""
    counted = []
    for point in Point.objects.all():
        if point.removed:
            continue
        if point.opinion_id is not None:
            sealed = point.opinion.submitted_at
            if sealed is None:
                continue
        else:
            if point.proposal.state in ("merged", "returned"):
                continue
            sealed = point.proposal.submitted_at
        if sealed.astimezone(SHANGHAI).year == year:
            counted.append(point)

    def outcome(point):
        try:
            return point.response.status
        except Response.DoesNotExist:
            return "unanswered"

    def kind(point):
        if point.proposal_id:
            return "proposal"
        return "review" if point.opinion.review_id else "consultation"

    def top(domain):
        while domain.parent_id is not None:
            domain = domain.parent
        return domain.code

    def domain_codes(point):
        if point.proposal_id:
            domains = point.proposal.domains.all()
        elif point.opinion.review_id:
            domains = point.opinion.review.plan.domains.all()
        else:
            domains = point.opinion.consultation.addressed_domains.all()
        return {top(d) for d in domains} or {None}

    def department(point):
        if point.organization_id:
            return point.organization.name
        if point.opinion_id and point.opinion.review_id:
            return point.opinion.review.plan.submitted_by.name
        return None

    def tally(points):
        row = {"points": len(points), **{o: sum(1 for p in points if outcome(p) == o) for o in OUTCOMES}}
        answered = row["adopted"] + row["partly_adopted"] + row["not_adopted"]
        row["answered"] = answered
        row["adoption_rate"] = (row["adopted"] + row["partly_adopted"]) / answered if answered else None
        return row

    from experts.models import Domain

    codes = [d.code for d in Domain.objects.filter(parent=None).order_by("code")]
    if any(None in domain_codes(p) for p in counted):
        codes.append(None)
    names = {department(p) for p in counted}
    return {
        "total": tally(counted),
        "kinds": {k: tally([p for p in counted if kind(p) == k]) for k in ("review", "consultation", "proposal")},
        "domains": {c: tally([p for p in counted if c in domain_codes(p)]) for c in codes},
        "departments": {n: tally([p for p in counted if department(p) == n]) for n in names},
    }


def counts(row):
    return {key: row[key] for key in ("points", *OUTCOMES, "answered", "adoption_rate")}


# ---------------------------------------------------------------- the figures


def test_year_report_totals_match_the_recomputation(advice):
    report = year_report(2026)

    assert counts(report["total"]) == recompute(2026)["total"]
    assert counts(report["total"]) == {
        "points": 11,
        "adopted": 3,
        "partly_adopted": 2,
        "not_adopted": 2,
        "unanswered": 4,
        "answered": 7,
        "adoption_rate": 5 / 7,
    }


def test_year_report_kinds_match_the_recomputation(advice):
    report = year_report(2026)

    assert {row["key"]: counts(row) for row in report["kinds"]} == recompute(2026)["kinds"]
    assert [(r["key"], r["subjects"], r["items"], r["points"]) for r in report["kinds"]] == [
        ("review", 1, 2, 4),
        ("consultation", 2, 2, 3),
        ("proposal", 2, 2, 4),
    ]


def test_year_report_domains_match_the_recomputation(advice):
    report = year_report(2026)

    assert {row["key"]: counts(row) for row in report["domains"]} == recompute(2026)["domains"]
    assert [(r["key"], r["points"]) for r in report["domains"]] == [("1", 7), ("2", 5), ("3", 0), ("9", 0), (None, 2)]


def test_year_report_departments_match_the_recomputation(advice):
    report = year_report(2026)

    by_name = {(row["label"] if row["key"] else None): counts(row) for row in report["departments"]}
    assert by_name == recompute(2026)["departments"]
    assert [(r["label"], r["points"]) for r in report["departments"]] == [
        ("沈阳市经济和信息化委员会", 5),
        ("沈阳市科学技术局", 2),
        ("沈阳市财政局", 1),
        (report["departments"][-1]["label"], 3),
    ]
    assert report["departments"][-1]["key"] is None


def test_year_report_counts_the_last_half_hour_of_the_year_in_shanghai(advice):
    # sealed 2027-01-01 00:10 in Shenyang, which is still 2026-12-31 in UTC
    report = year_report(2027)

    assert counts(report["total"]) == recompute(2027)["total"]
    assert (report["total"]["points"], report["total"]["adopted"]) == (1, 1)
    assert [(r["key"], r["points"]) for r in report["domains"]] == [("1", 0), ("2", 1), ("3", 1), ("9", 0)]


def test_year_report_of_an_earlier_year_matches_the_recomputation(advice):
    report = year_report(2025)

    assert counts(report["total"]) == recompute(2025)["total"]
    assert report["total"]["points"] == 2


def test_year_report_lists_returned_and_merged_proposals_apart(advice):
    with translation.override("en"):
        report = year_report(2026)

    assert report["set_aside"] == [
        {"state": "merged", "label": "Merged", "proposals": 1, "points": 1},
        {"state": "returned", "label": "Returned", "proposals": 1, "points": 2},
    ]


def test_year_report_leaves_out_removed_and_unsealed_points(advice):
    removed = Point.objects.filter(removed=True).count()
    unsealed = Point.objects.filter(opinion__submitted_at__isnull=True, proposal__isnull=True).count()

    report = year_report(2026)

    assert (removed, unsealed) == (2, 1)
    assert report["total"]["points"] == 11


def test_year_report_of_an_empty_year_has_no_rate(db):
    report = year_report(2026)

    assert counts(report["total"]) == {
        "points": 0,
        "adopted": 0,
        "partly_adopted": 0,
        "not_adopted": 0,
        "unanswered": 0,
        "answered": 0,
        "adoption_rate": None,
    }
    assert report["departments"] == []


def test_year_report_labels_domains_in_the_language_asked(advice):
    with translation.override("en"):
        english = [r["label"] for r in year_report(2026)["domains"]][:3]
    with translation.override("zh-hans"):
        chinese = [r["label"] for r in year_report(2026)["domains"]][:3]

    assert english == ["New-generation information technology", "High-end equipment manufacturing", "New materials"]
    assert chinese == ["新一代信息技术产业", "高端装备制造产业", "新材料产业"]


# ---------------------------------------------------------------- queries


def _grow(advice, n):
    """Adds advice until 2026 holds ``n`` more rows of each kind, each in a new department and domain."""
    while advice.n < 3 * n:
        department = OrganizationFactory()
        domain = DomainFactory()
        review = advice.review(department=department, domains=[domain])
        advice.point(opinion=advice.opinion(review=review, sealed=at(2026, 2, 1)), outcome="adopted")
        consultation = advice.consultation(domains=[domain])
        question = Question.objects.create(consultation=consultation, text="?")
        advice.point(opinion=advice.opinion(consultation=consultation, sealed=at(2026, 3, 1)), question=question)
        proposal = advice.proposal(state="routed", submitted=at(2026, 4, 1), domains=[domain])
        advice.point(proposal=proposal, organization=department, outcome="not_adopted")


def test_year_report_queries_do_not_grow_with_the_advice(db):
    advice = Advice()

    queries = assert_constant_queries(lambda n: _grow(advice, n), lambda: year_report(2026))

    assert queries == 8
    assert year_report(2026)["total"]["points"] == 60


def test_year_report_page_queries_do_not_grow_with_the_advice(db):
    advice = Advice()
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(make_user(roles.COMMISSION, username="ndrc"))

    def fetch():
        response = client.get("/portal/year-report/?year=2026")
        assert (response.status_code, response.context["report"]["total"]["points"]) == (200, advice.n)

    assert_constant_queries(lambda n: _grow(advice, n), fetch)


# ---------------------------------------------------------------- pages, charts, documents


def english_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_year_report_page_shows_the_figures_and_charts_to_the_commission(advice):
    client = english_client(make_user(roles.COMMISSION, username="ndrc"))

    response = client.get("/portal/year-report/?year=2026")

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["report"]["total"]["points"] == 11
    assert html.count("<svg") == 2
    assert '<title id="chart-domains-title">Outcomes by domain</title>' in html
    assert '<desc id="chart-domains-desc">' in html
    assert "style=" not in html.split("<main", 1)[1]
    chart = html.split('data-testid="chart-domains"', 1)[1].split("</svg>", 1)[0]
    assert ">New-generation information technology<" in chart
    assert "71.4%" in html  # 5 of 7 answered points adopted at least in part


def test_year_report_chart_labels_are_chinese_by_default(advice):
    client = Client()
    client.force_login(make_user(roles.COMMISSION, username="ndrc"))

    html = client.get("/portal/year-report/?year=2026").content.decode()

    chart = html.split('data-testid="chart-domains"', 1)[1].split("</svg>", 1)[0]
    assert ">新一代信息技术产业<" in chart
    assert ">New-generation information technology<" not in chart


def test_year_report_chart_grows_with_large_text(advice):
    from experts.services import set_large_text

    user = make_user(roles.COMMISSION, username="ndrc")
    client = english_client(user)
    normal = client.get("/portal/year-report/?year=2026").content.decode()
    set_large_text(user, enabled=True)

    large = client.get("/portal/year-report/?year=2026").content.decode()

    assert 'data-testid="chart-domains"' in normal
    assert 'font-size="14" data-testid="chart-domains"' in normal
    assert 'font-size="20" data-testid="chart-domains"' in large


def test_year_report_page_refuses_a_bad_year_with_a_message(advice):
    client = english_client(make_user(roles.SECRETARIAT, username="sec"))

    response = client.get("/portal/year-report/?year=abc")

    assert response.status_code == 200
    assert response.context["report"]["year"] == timezone.now().astimezone(SHANGHAI).year
    assert [str(m) for m in response.context["messages"]] == [
        f"“abc” is not a year the report covers (from 2000 to {timezone.now().astimezone(SHANGHAI).year})."
    ]


def test_year_report_document_refuses_a_bad_year(advice):
    client = english_client(make_user(roles.SECRETARIAT, username="sec"))

    response = client.get("/portal/year-report/document.xlsx?year=1999")

    assert response.status_code == 400
    assert AuditRecord.objects.filter(action="export").count() == 0


def test_year_report_xlsx_carries_the_same_numbers(advice):
    from openpyxl import load_workbook

    client = english_client(make_user(roles.COMMISSION, username="ndrc"))
    with translation.override("en"):
        report = year_report(2026)

    response = client.get("/portal/year-report/document.xlsx?year=2026")

    workbook = load_workbook(io.BytesIO(response.content))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="year-report-2026.xlsx"'
    assert workbook.sheetnames == ["kinds", "domains", "departments", "set_aside"]

    def sheet_rows(name):
        return [list(row) for row in workbook[name].iter_rows(min_row=2, values_only=True)]

    def expected(rows):
        return [[r["label"], r["points"], *[r[o] for o in OUTCOMES], r["adoption_rate"]] for r in rows]

    assert sheet_rows("kinds") == expected(report["kinds"] + [{**report["total"], "label": "Total"}])
    assert sheet_rows("domains") == expected(report["domains"])
    assert sheet_rows("departments") == expected(report["departments"])
    assert sheet_rows("set_aside") == [["Merged", 1, 1], ["Returned", 1, 2]]


def test_year_report_docx_carries_the_same_numbers_and_the_charts(advice):
    from docx import Document

    client = english_client(make_user(roles.SECRETARIAT, username="sec"))
    with translation.override("en"):
        report = year_report(2026)

    response = client.get("/portal/year-report/document.docx?year=2026")

    document = Document(io.BytesIO(response.content))
    tables = [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]

    def expected(rows):
        return [
            [
                r["label"],
                str(r["points"]),
                *[str(r[o]) for o in OUTCOMES],
                "—" if r["adoption_rate"] is None else f"{r['adoption_rate'] * 100:.1f}%",
            ]
            for r in rows
        ]

    assert response.status_code == 200
    assert [t[1:] for t in tables] == [
        expected(report["kinds"] + [{**report["total"], "label": "Total"}]),
        expected(report["domains"]),
        expected(report["departments"]),
    ]
    assert tables[0][0] == [
        "Kind",
        "Points",
        "Adopted",
        "Partly adopted",
        "Not adopted",
        "Not answered yet",
        "Adoption rate",
    ]
    assert len(document.inline_shapes) == 2
    assert document.paragraphs[0].text == "The committee's advice in 2026 and what became of it"
    assert round(document.sections[0].top_margin.mm) == 37


def test_year_report_export_is_audited(advice):
    user = make_user(roles.COMMISSION, username="ndrc")
    client = english_client(user)

    client.get("/portal/year-report/document.docx?year=2026")

    record = AuditRecord.objects.get(action="export")
    assert (record.actor, record.outcome, record.details) == (
        user,
        "success",
        {"export": "year-report.docx", "year": 2026},
    )


# ---------------------------------------------------------------- who reaches it


@pytest.mark.parametrize("role", [roles.EXPERT, roles.DEPARTMENT, roles.AUDITOR, None])
@pytest.mark.parametrize(
    "path", ["/portal/year-report/", "/portal/year-report/document.docx", "/portal/year-report/document.xlsx"]
)
def test_year_report_is_404_for_other_roles(advice, role, path):
    client = english_client(make_user(role, username=f"other-{role}"))

    assert client.get(f"{path}?year=2026").status_code == 404
    assert AuditRecord.objects.filter(action="export").count() == 0


@pytest.mark.parametrize(
    "path", ["/portal/year-report/", "/portal/year-report/document.docx", "/portal/year-report/document.xlsx"]
)
def test_year_report_sends_the_signed_out_to_sign_in(db, path):
    response = Client().get(path)

    assert response.status_code == 302
    assert "login" in response["Location"]
    assert "next=" in response["Location"]


def test_year_report_admin_page_for_the_secretariat(advice):
    client = english_client(make_user(roles.SECRETARIAT, username="sec"))

    response = client.get("/admin/year-report/?year=2026")

    assert response.status_code == 200
    assert response.context["report"]["total"]["points"] == 11
    assert b"/portal/year-report/document.docx?year=2026" in response.content


def test_year_report_admin_page_is_404_for_the_auditor(advice):
    client = english_client(make_user(roles.AUDITOR, username="aud"))

    assert client.get("/admin/year-report/").status_code == 404


def test_year_report_admin_page_is_out_of_reach_of_the_commission(advice):
    client = english_client(make_user(roles.COMMISSION, username="ndrc"))

    response = client.get("/admin/year-report/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_year_report_link_in_the_portal_for_the_commission_only(db):
    commission = english_client(make_user(roles.COMMISSION, username="ndrc"))
    expert = english_client(make_user(roles.EXPERT, username="exp"))

    assert b'href="/portal/year-report/"' in commission.get("/portal/").content
    assert b'href="/portal/year-report/"' not in expert.get("/portal/").content
