"""The Wagtail admin for the secretariat: Chinese by default, nothing fetched from other hosts."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from cms import demo
from cms.models import NoticeIndexPage
from cms.publishing import ensure_publishing
from experts import roles
from tests.conftest import make_user

# What a page loads (scripts, images, frames, stylesheets, fonts, icons); links a person may
# follow (Wagtail's help links) are not loads.
EXTERNAL = re.compile(
    r'(?:\bsrc=|\bsrcset=|<link\b[^>]*\bhref=|\burl\()["\']?(?:https?:)?//(?!testserver[:/"\'])([^/"\')]+)'
)


@pytest.fixture
def secretariat_client(db):
    demo.load()
    ensure_publishing()
    client = Client()
    client.force_login(make_user(roles.SECRETARIAT, username="head"))
    return client


def admin_pages():
    notices = NoticeIndexPage.objects.get()
    return [
        reverse("wagtailadmin_home"),
        reverse("wagtailadmin_explore", args=(notices.pk,)),
        reverse("wagtailadmin_pages:add", args=("cms", "meetingnoticepage", notices.pk)),
        reverse("wagtailadmin_pages:edit", args=(notices.get_children().first().pk,)),
        reverse("wagtaildocs:index"),
    ]


def test_admin_is_in_chinese_by_default(secretariat_client):
    html = secretariat_client.get(reverse("wagtailadmin_home")).content.decode()

    assert '<html lang="zh-hans"' in html


def test_admin_pages_load_nothing_from_other_hosts(secretariat_client):
    for url in admin_pages():
        response = secretariat_client.get(url)
        assert response.status_code == 200, url
        assert EXTERNAL.findall(response.content.decode()) == [], url


def test_admin_user_avatar_is_not_gravatar(secretariat_client):
    html = secretariat_client.get(reverse("wagtailadmin_home")).content.decode()

    assert "gravatar" not in html.lower()


def test_admin_embeds_ask_no_other_host(db):
    from wagtail.embeds.embeds import get_embed
    from wagtail.embeds.exceptions import EmbedUnsupportedProviderException
    from wagtail.embeds.finders import get_finders

    assert get_finders() == []
    with pytest.raises(EmbedUnsupportedProviderException):
        get_embed("https://www.youtube.com/watch?v=xyz")
