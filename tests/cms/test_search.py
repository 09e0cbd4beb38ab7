"""Site search: Chinese substrings find pages; pinyin initials find members; nothing private leaks."""

import datetime
import re

from django.utils import timezone

from cms import selectors
from cms.models import ConclusionPage, MeetingNoticePage, NewsPage
from experts import services as expert_services
from experts.models import Expert
from tests.cms.conftest import add_draft, make_expert, news, publish
from tests.queries import assert_constant_queries

ROBOT_NOTICE = "关于召开《沈阳市机器人产业三年行动计划（2017—2019年）》论证会的通知"


def notice(index, title, slug, **fields):
    return publish(
        index,
        MeetingNoticePage(
            title=title,
            slug=slug,
            meeting_at=timezone.now() + datetime.timedelta(days=7),
            location="第一会议室",
            **fields,
        ),
    )


def found_titles(response):
    html = response.content.decode()
    block = (
        html.split('data-testid="page-results"', 1)[1].split("</ul>", 1)[0]
        if 'data-testid="page-results"' in html
        else ""
    )
    return re.findall(r'<a href="[^"]+">([^<]+)</a>', block)


def found_members(response):
    html = response.content.decode()
    block = (
        html.split('data-testid="member-results"', 1)[1].split("</ul>", 1)[0]
        if 'data-testid="member-results"' in html
        else ""
    )
    return re.findall(r'<span lang="zh-hans">([^<]+)</span>', block)


def test_search_two_chinese_characters_find_the_robot_notice(notice_index, news_index, client_zh):
    notice(notice_index, ROBOT_NOTICE, "robots")
    notice(notice_index, "关于召开新材料产业专项规划论证会的通知", "materials")
    news(news_index, 1, title="委员会成立")

    response = client_zh.get("/search/", {"q": "机器"})

    assert response.status_code == 200
    assert found_titles(response) == [ROBOT_NOTICE]


def test_search_matches_body_text_not_only_titles(news_index, client_zh):
    news(news_index, 1, title="第一次全体会议", body=[("paragraph", "<p>听取了机器人产业行动计划的编制情况。</p>")])

    assert found_titles(client_zh.get("/search/", {"q": "机器人"})) == ["第一次全体会议"]


def test_search_every_word_must_match(news_index, client_zh):
    news(news_index, 1, title="机器人 会议")
    news(news_index, 2, title="机器人 通知")

    assert found_titles(client_zh.get("/search/", {"q": "机器人 通知"})) == ["机器人 通知"]


def test_search_skips_drafts_and_unpublished_changes(news_index, client_zh):
    add_draft(news_index, NewsPage(title="机器人草稿", slug="draft"))
    live = news(news_index, 1, title="已发布新闻")
    live.title = "机器人修改稿"
    live.save_revision()

    assert found_titles(client_zh.get("/search/", {"q": "机器人"})) == []


def test_search_does_not_find_redacted_expert_names(conclusion_index, client_zh):
    publish(
        conclusion_index,
        ConclusionPage(
            title="信息服务论证结论",
            slug="c1",
            plan_title="信息服务行动计划",
            opinion="<p>同意</p>",
            show_expert_names=False,
            responses=[("response", {"point": "细化指标", "expert": "欧阳修文", "status": "adopted", "reason": ""})],
        ),
    )

    assert found_titles(client_zh.get("/search/", {"q": "欧阳修文"})) == []
    assert found_titles(client_zh.get("/search/", {"q": "细化指标"})) == ["信息服务论证结论"]


def test_search_pinyin_initials_find_active_members_only(db, client_zh):
    make_expert("王建国")
    make_expert("王家骏")
    suspended = make_expert("吴建国")
    expert_services.change_expert_status(suspended, status=Expert.Status.SUSPENDED, by=None, reason="暂停")

    assert sorted(found_members(client_zh.get("/search/", {"q": "wjg"}))) == ["王建国"]
    assert sorted(found_members(client_zh.get("/search/", {"q": "WJ"}))) == ["王家骏", "王建国"]
    assert found_members(client_zh.get("/search/", {"q": "建国"})) == ["王建国"]


def test_search_member_results_show_only_public_fields(db, client_zh):
    make_expert("王建国", public_fields=["title"], mobile="13912345678")

    html = client_zh.get("/search/", {"q": "wjg"}).content.decode()

    assert "13912345678" not in html
    assert "沈阳智造机器人有限公司" not in html


def test_search_odd_input_gives_a_page_not_an_error(news_index, client_zh):
    news(news_index, 1, title="百分之百%")

    assert client_zh.get("/search/").status_code == 200
    assert client_zh.get("/search/", {"q": "   "}).status_code == 200
    assert client_zh.get("/search/", {"q": "x" * 5000}).status_code == 200
    assert found_titles(client_zh.get("/search/", {"q": "%"})) == ["百分之百%"]
    assert found_titles(client_zh.get("/search/", {"q": "_"})) == []


def test_search_query_is_cut_to_a_bounded_length():
    assert selectors.clean_query("  机器   人 " + "x" * 500) == ("机器 人 " + "x" * 500)[: selectors.MAX_QUERY_LENGTH]


def test_search_queries_do_not_grow_with_results(news_index, client_zh):
    def make_rows(n):
        while NewsPage.objects.count() < n:
            news(news_index, NewsPage.objects.count() + 1, title=f"机器人新闻{NewsPage.objects.count()}")
        while Expert.objects.count() < n:
            make_expert(f"机器{Expert.objects.count():02d}")

    assert_constant_queries(make_rows, lambda: client_zh.get("/search/", {"q": "机器"}))
