"""A small world for proposals: two departments with one staff user each, an active expert with
an account, the secretariat and the commission; proposals submitted through the real service."""

from dataclasses import dataclass

from experts import roles
from reviews.models import DepartmentStaff
from tests.conftest import make_user
from tests.factories import DomainFactory, OrganizationFactory
from tests.reviews.conftest import add_expert


@dataclass
class Setting:
    expert: object
    other_expert: object
    secretariat: object
    commission: object
    industry: object  # department 1 (经信委) and its staff user
    industry_staff: object
    science: object  # department 2 (科技局) and its staff user
    science_staff: object
    outsider_staff: object  # staff of a department nothing is routed to
    domain: object


def build_setting():
    domain = DomainFactory(code="2", name="高端装备制造产业")
    industry = OrganizationFactory(name="沈阳市经济和信息化委员会", kind="government")
    science = OrganizationFactory(name="沈阳市科学技术局", kind="government")
    outsider = OrganizationFactory(name="沈阳市统计局", kind="government")
    staff = {}
    for org, name in ((industry, "p-industry"), (science, "p-science"), (outsider, "p-outsider")):
        staff[name] = make_user(roles.DEPARTMENT, username=name)
        DepartmentStaff.objects.create(user=staff[name], organization=org)
    return Setting(
        expert=add_expert(501, domain=domain),
        other_expert=add_expert(502, domain=domain),
        secretariat=make_user(roles.SECRETARIAT, username="p-sec"),
        commission=make_user(roles.COMMISSION, username="p-ndrc"),
        industry=industry,
        industry_staff=staff["p-industry"],
        science=science,
        science_staff=staff["p-science"],
        outsider_staff=staff["p-outsider"],
        domain=domain,
    )


def submit(expert, *, title="支持机器人配套中小企业", points=("设立配套企业技改补贴", "建设共性技术平台"), **extra):
    from consultations.proposals import services as proposals

    return proposals.submit_proposal(
        expert,
        by=expert.user,
        title=title,
        problem="本地机器人整机企业的零部件多从外地采购，配套率不足三成。",
        points=list(points),
        domains=extra.pop("domains", ["2"]),
        **extra,
    )


def route_to_both(proposal, setting):
    """The first suggestion to 经信委, the second to 科技局."""
    from consultations.proposals import services as proposals

    first, second = proposal.points.order_by("position")
    return proposals.route_proposal(
        proposal,
        by=setting.secretariat,
        organizations=[setting.industry.pk, setting.science.pk],
        point_organizations={first.pk: setting.industry.pk, second.pk: setting.science.pk},
    )
