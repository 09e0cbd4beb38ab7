"""The site's navigation is cached between requests and read afresh after every change it comes
from: a page published, renamed, unpublished, moved, deleted or made private (``cms.menu``)."""

import re

import pytest
from wagtail.models import PageViewRestriction

from cms.models import NewsIndexPage, NoticeIndexPage
from tests.cms.conftest import publish
from tests.queries import count_queries

NAV = re.compile(r'<nav class="site-nav".*?</ul>', re.S)
ITEM = re.compile(r'<li><a href="([^"]*)"[^>]*?lang="([^"]*)">([^<]*)</a></li>')


def menu(client, path="/"):
    response = client.get(path)
    assert response.status_code == 200
    return [(title, href, lang) for href, lang, title in ITEM.findall(NAV.search(response.text).group(0))]


@pytest.fixture
def sections(home):
    news = publish(home, NewsIndexPage(title="新闻动态", title_en="News", slug="news", show_in_menus=True))
    notices = publish(home, NoticeIndexPage(title="会议通知", slug="notices", show_in_menus=True))
    return news, notices


def test_the_menu_lists_live_sections_in_tree_order(sections, client_zh):
    assert menu(client_zh) == [("新闻动态", "/news/", "zh-hans"), ("会议通知", "/notices/", "zh-hans")]


def test_a_second_page_reads_the_menu_from_the_cache(sections, client_zh):
    menu(client_zh)  # the session, content types and the menu are read once
    first = count_queries(lambda: menu(client_zh))
    from cms import menu as cached

    cached.new_generation()
    afresh = count_queries(lambda: menu(client_zh))

    assert afresh - first >= 3, (first, afresh)  # the children, privacy, and each page type


def test_each_language_has_its_own_menu(sections, client_zh, client_en):
    menu(client_zh)

    assert menu(client_en)[0] == ("News", "/news/", "en")
    assert menu(client_en)[1] == ("会议通知", "/notices/", "zh-hans")  # no English version
    assert menu(client_zh)[0] == ("新闻动态", "/news/", "zh-hans")


def test_a_published_change_shows_on_the_next_request(sections, client_zh, home):
    news, notices = sections
    menu(client_zh)

    news.title = "要闻"
    news.save_revision().publish()
    publish(home, NoticeIndexPage(title="征求意见", slug="consult", show_in_menus=True))

    assert [title for title, _href, _lang in menu(client_zh)] == ["要闻", "会议通知", "征求意见"]


def test_unpublished_moved_deleted_or_private_sections_leave_the_menu(sections, client_zh):
    news, notices = sections
    assert len(menu(client_zh)) == 2

    news.unpublish()
    assert [title for title, _href, _lang in menu(client_zh)] == ["会议通知"]

    news.save_revision().publish()
    notices.move(news, pos="last-child")
    assert [title for title, _href, _lang in menu(client_zh)] == ["新闻动态"]

    notices.refresh_from_db()
    notices.move(news.get_parent(), pos="last-child")
    assert len(menu(client_zh)) == 2
    PageViewRestriction.objects.create(page=notices, restriction_type=PageViewRestriction.LOGIN)
    assert [title for title, _href, _lang in menu(client_zh)] == ["新闻动态"]

    news.delete()
    assert menu(client_zh) == []


def test_the_current_section_is_marked(sections, client_zh):
    response = client_zh.get("/news/")

    nav = NAV.search(response.text).group(0)
    assert '<a href="/news/" aria-current="page"' in nav and nav.count("aria-current") == 1
