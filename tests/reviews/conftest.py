"""Fixtures for reviews: a small roster, a plan with a .docx version, a scheduled review."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from experts import roles
from experts.models import Expert, Organization
from reviews.draw import services as draw_services
from reviews.models import DepartmentStaff
from reviews.services import plans as plan_services
from reviews.services import scheduling
from tests.conftest import make_user
from tests.factories import DomainFactory, OrganizationFactory

CATEGORIES = ["entrepreneur", "specialist", "scholar"]


def docx_bytes(paragraphs=("一、总体要求", "（一）指导思想。")):
    from docx import Document

    document = Document()
    document.add_heading("规划", level=1)
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_upload(name="plan.docx", **kwargs):
    return SimpleUploadedFile(name, docx_bytes(**kwargs), "application/octet-stream")


def add_expert(number, *, domain, category=None, organization=None, status="active", with_user=True, **fields):
    """An expert straight into the roster (factories stay boring: no services, no access)."""
    user = make_user(roles.EXPERT, username=f"expert{number}") if with_user else None
    organization = organization or OrganizationFactory(name=f"专家单位{number}")
    expert = Expert.objects.create(
        key=f"E{number:05d}",
        name=f"专家{number}",
        category=category or CATEGORIES[number % 3],
        employer=organization,
        status=status,
        user=user,
        mobile=f"1380000{number:04d}",
        email=f"expert{number}@example.com",
        term_start=fields.pop("term_start", date(2020, 1, 1)),
        term_end=fields.pop("term_end", date(2035, 12, 31)),
        **fields,
    )
    expert.domains.add(domain)
    return expert


@pytest.fixture
def domain(db):
    return DomainFactory(code="2.1", name="智能制造装备")


@pytest.fixture
def submitter(db):
    return OrganizationFactory(name="沈阳市经济和信息化委员会", kind=Organization.Kind.GOVERNMENT)


@pytest.fixture
def roster(domain):
    """Twelve active experts, each at their own organisation, all three categories."""
    return [add_expert(n, domain=domain) for n in range(1, 13)]


@pytest.fixture
def plan(secretariat_user, submitter, domain):
    plan = plan_services.create_plan(
        by=secretariat_user, title="机器人产业三年行动计划", kind="action_plan", submitted_by=submitter, domains=["2.1"]
    )
    plan_services.add_plan_version(plan, upload=docx_upload(), by=secretariat_user)
    return plan


def schedule(plan, by, **fields):
    now = timezone.now()
    values = {"opens_at": now + timedelta(days=7), "due_at": now + timedelta(days=21), "required_domains": ["2.1"]}
    values.update(fields)
    return scheduling.create_review(plan, by=by, **values)


@pytest.fixture
def review(plan, secretariat_user, roster):
    return schedule(plan, secretariat_user)


@pytest.fixture
def drawn(review, secretariat_user, django_capture_on_commit_callbacks):
    """A review whose panel is drawn and invited (mail and SMS sent: the commit callbacks ran)."""
    with django_capture_on_commit_callbacks(execute=True):
        draw_services.draw_for_review(review, by=secretariat_user, seed="witnessed-42")
    review.refresh_from_db()
    return review


@pytest.fixture
def department_staff(department_user, submitter):
    DepartmentStaff.objects.create(user=department_user, organization=submitter)
    return department_user


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read the services' messages in English; the product's default is zh-hans.
    A request made inside a test still gets the language its headers ask for."""
    with translation.override("en"):
        yield
