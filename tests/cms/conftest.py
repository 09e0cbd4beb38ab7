"""Fixtures for the committee site: the home page, sections, roster experts, a client in English."""

import io
import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from wagtail.models import Site

from cms.models import (
    ConclusionIndexPage,
    MemberDirectoryPage,
    NewsIndexPage,
    NewsPage,
    NoticeIndexPage,
)
from experts import services as expert_services
from experts.models import Expert
from tests.factories import DomainFactory, OrganizationFactory

_keys = itertools.count(1)


def publish(parent, page):
    """Add ``page`` under ``parent`` and publish it through a revision, as the admin does."""
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def add_draft(parent, page):
    """Add ``page`` under ``parent`` as an unpublished draft."""
    page.live = False
    parent.add_child(instance=page)
    page.save_revision()
    page.refresh_from_db()
    return page


def jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (320, 400), (120, 80, 60)).save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), "image/jpeg")


def make_expert(
    name,
    *,
    status=Expert.Status.ACTIVE,
    public_fields=("title", "employer", "domains"),
    domain=None,
    photo=False,
    **fields,
):
    domain = domain or DomainFactory(code="2", name="高端装备制造产业")
    fields.setdefault("employer", OrganizationFactory(name="沈阳智造机器人有限公司"))
    expert = expert_services.create_expert(
        by=None,
        reason="test",
        key=f"T-{next(_keys)}",
        name=name,
        category=Expert.Category.SCHOLAR,
        title=fields.pop("title", "教授"),
        position=fields.pop("position", "院长"),
        biography=fields.pop("biography", "长期从事机器人研究。"),
        mobile=fields.pop("mobile", "13800138000"),
        email=fields.pop("email", "private@example.cn"),
        specialties=fields.pop("specialties", "秘密专长"),
        status=status,
        public_fields=list(public_fields),
        primary_domain=domain,
        domains=[domain.code],
        **fields,
    )
    if photo:
        expert_services.set_expert_photo(expert, upload=jpeg(), by=None)
        expert.refresh_from_db()
    return expert


@pytest.fixture
def home(db):
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def news_index(home):
    return publish(home, NewsIndexPage(title="新闻动态", slug="news"))


@pytest.fixture
def notice_index(home):
    return publish(home, NoticeIndexPage(title="会议通知", slug="notices"))


@pytest.fixture
def conclusion_index(home):
    return publish(home, ConclusionIndexPage(title="论证结论", slug="conclusions"))


@pytest.fixture
def directory(home):
    return publish(home, MemberDirectoryPage(title="委员名录", slug="members"))


@pytest.fixture
def client_en():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def client_zh():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def news(index, n, **fields):
    fields.setdefault("summary", f"摘要{n}")
    return publish(index, NewsPage(title=fields.pop("title", f"新闻{n}"), slug=f"news-{n}", **fields))
