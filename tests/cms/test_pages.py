"""Public pages: content, language, Open Graph, feeds, sitemap, list query counts."""

import datetime
import re

from django.utils import timezone

from cms import demo
from cms.models import ConclusionPage, MeetingNoticePage, NewsPage, StandardPage
from tests.cms.conftest import add_draft, news, publish
from tests.queries import assert_constant_queries


def conclusion(index, *, show_names):
    return publish(
        index,
        ConclusionPage(
            title="信息服务论证结论",
            slug="c1",
            plan_title="信息服务行动计划",
            opinion="<p>同意修改后实施。</p>",
            show_expert_names=show_names,
            responses=[
                ("response", {"point": "细化指标", "expert": "欧阳修文", "status": "adopted", "reason": ""}),
                ("response", {"point": "增设资金", "expert": "司马光明", "status": "not_adopted", "reason": "统筹"}),
                (
                    "response",
                    {"point": "建设园区", "expert": "欧阳修文", "status": "partly_adopted", "reason": "依托现有"},
                ),
            ],
        ),
    )


def response_experts(response):
    return re.findall(r'<td data-testid="response-expert">([^<]*)</td>', response.content.decode())


def test_home_shows_demo_content(db, client_zh):
    demo.load()

    response = client_zh.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "组建战略性新兴产业专家顾问委员会" in html
    assert "专家顾问委员会召开第一次全体会议" in html
    assert "论证会的通知" in html
    assert "论证结论" in html


def test_demo_load_is_idempotent(db):
    demo.load()
    counts = (StandardPage.objects.count(), NewsPage.objects.count(), MeetingNoticePage.objects.count())

    demo.load()

    assert (StandardPage.objects.count(), NewsPage.objects.count(), MeetingNoticePage.objects.count()) == counts
    assert counts == (2, 3, 1)


def test_demo_policy_library_holds_the_source_document(db, client_zh):
    demo.load()

    html = client_zh.get("/policies/").content.decode()
    document_url = re.search(r'<a href="(/documents/[^"]+)">', html).group(1)
    download = client_zh.get(document_url)

    assert download.status_code == 200
    body = b"".join(download.streaming_content) if download.streaming else download.content
    assert "（二十）".replace("（", "(").replace("）", ")") in body.decode("utf-8")


def test_conclusion_redacts_expert_names_with_stable_letters(conclusion_index, client_en):
    page = conclusion(conclusion_index, show_names=False)

    response = client_en.get(page.url)

    assert response_experts(response) == ["Expert A", "Expert B", "Expert A"]
    assert "欧阳修文" not in response.content.decode()


def test_conclusion_shows_names_when_chosen(conclusion_index, client_en):
    page = conclusion(conclusion_index, show_names=True)

    assert response_experts(client_en.get(page.url)) == ["欧阳修文", "司马光明", "欧阳修文"]


def test_notice_never_shows_the_panel(notice_index, client_zh):
    page = publish(
        notice_index,
        MeetingNoticePage(
            title="论证会通知",
            slug="n1",
            meeting_at=timezone.now() + datetime.timedelta(days=3),
            location="第一会议室",
            review_title="机器人行动计划",
        ),
    )

    html = client_zh.get(page.url).content.decode()

    assert "第一会议室" in html
    assert "机器人行动计划" in html
    assert {f.name for f in MeetingNoticePage._meta.get_fields()} & {"panel", "assignments", "experts"} == set()


def test_page_english_version_shown_to_english_readers(news_index, client_en, client_zh):
    page = news(news_index, 1, title="委员会成立", title_en="The committee is formed", summary_en="Formed today.")

    english = client_en.get(page.url).content.decode()
    chinese = client_zh.get(page.url).content.decode()

    assert '<article class="card prose" lang="en">' in english
    assert "The committee is formed" in english
    assert "Formed today." in english
    assert "委员会成立</h1>" in chinese


def test_page_without_translation_is_marked_chinese_for_english_readers(news_index, client_en):
    page = news(news_index, 1, title="委员会成立")

    html = client_en.get(page.url).content.decode()

    assert '<html lang="en">' in html
    assert '<article class="card prose" lang="zh-hans">' in html


def test_page_has_open_graph_tags(news_index, client_zh):
    page = news(news_index, 1, title="委员会成立", summary="委员会正式组建。")

    html = client_zh.get(page.url).content.decode()

    assert '<meta property="og:title" content="委员会成立">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:description" content="委员会正式组建。">' in html
    assert f'<meta property="og:url" content="http://testserver{page.url}">' in html


def test_pages_have_no_inline_script_or_style(db, client_zh):
    demo.load()

    for url in [
        "/",
        "/about/",
        "/news/",
        "/news/committee-formed/",
        "/members/",
        "/conclusions/",
        "/policies/",
        "/search/?q=机器",
    ]:
        html = client_zh.get(url).content.decode()
        assert " style=" not in html, url
        assert "<style" not in html, url
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == [], url
        assert re.findall(r'(?:src|href)="(?:https?:)?//(?!testserver)', html) == [], url


def test_standard_page_renders_each_block(home, client_zh):
    page = publish(
        home,
        StandardPage(
            title="简介",
            slug="about",
            body=[
                ("heading", "组建依据"),
                ("paragraph", "<p>段落<b>加粗</b></p>"),
                ("quote", {"text": "引文", "source": "出处"}),
                (
                    "table",
                    {
                        "data": [["类别", "来源"], ["企业家", "企业"]],
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                    },
                ),
            ],
        ),
    )

    html = client_zh.get(page.url).content.decode()

    assert "<h2>组建依据</h2>" in html
    assert "<b>加粗</b>" in html
    assert "<figcaption>出处</figcaption>" in html
    assert '<th scope="col"' in html and "企业家" in html


def test_feed_news_lists_live_news_only(news_index, client_zh):
    news(news_index, 1, title="已发布")
    add_draft(news_index, NewsPage(title="草稿", slug="draft"))

    response = client_zh.get("/feeds/news/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/rss+xml")
    assert re.findall(r"<item><title>([^<]+)</title>", response.content.decode()) == ["已发布"]


def test_feed_notices_lists_notices(notice_index, client_zh):
    publish(notice_index, MeetingNoticePage(title="论证会", slug="n", meeting_at=timezone.now(), location="会议室"))

    response = client_zh.get("/feeds/notices/")

    assert re.findall(r"<item><title>([^<]+)</title>", response.content.decode()) == ["论证会"]


def test_sitemap_lists_live_pages_only(news_index, client_zh):
    live = news(news_index, 1, title="已发布")
    draft = add_draft(news_index, NewsPage(title="草稿", slug="draft"))

    xml = client_zh.get("/sitemap.xml").content.decode()

    assert f"{live.url}</loc>" in xml
    assert f"{draft.url_path}" not in xml and "/news/draft/" not in xml


def test_news_index_queries_do_not_grow(news_index, client_zh):
    def make_rows(n):
        while NewsPage.objects.count() < n:
            news(news_index, NewsPage.objects.count() + 1)

    assert_constant_queries(make_rows, lambda: client_zh.get(news_index.url))


def test_notice_index_queries_do_not_grow(notice_index, client_zh):
    def make_rows(n):
        while MeetingNoticePage.objects.count() < n:
            count = MeetingNoticePage.objects.count()
            publish(
                notice_index,
                MeetingNoticePage(title=f"通知{count}", slug=f"n{count}", meeting_at=timezone.now(), location="室"),
            )

    assert_constant_queries(make_rows, lambda: client_zh.get(notice_index.url))


def test_conclusion_index_queries_do_not_grow(conclusion_index, client_zh):
    def make_rows(n):
        while ConclusionPage.objects.count() < n:
            count = ConclusionPage.objects.count()
            publish(
                conclusion_index,
                ConclusionPage(title=f"结论{count}", slug=f"c{count}", plan_title="计划", opinion="<p>同意</p>"),
            )

    assert_constant_queries(make_rows, lambda: client_zh.get(conclusion_index.url))


def test_home_and_feeds_queries_do_not_grow(news_index, client_zh):
    def make_rows(n):
        while NewsPage.objects.count() < n:
            news(news_index, NewsPage.objects.count() + 1)

    assert_constant_queries(make_rows, lambda: client_zh.get("/"))
    assert_constant_queries(make_rows, lambda: client_zh.get("/feeds/news/"), small=20, large=25)


def test_demo_search_for_jiqi_finds_the_robot_action_plan_notice(db, client_zh):
    demo.load()
    notice = MeetingNoticePage.objects.get(slug="robot-action-plan-meeting")

    html = client_zh.get("/search/", {"q": "机器"}).content.decode()
    results = html.split('data-testid="page-results"', 1)[1].split("</ul>", 1)[0]

    assert f'<a href="{notice.url}">{notice.title}</a>' in results
    assert "机器人" in notice.title


def test_home_upcoming_meetings_leave_out_past_ones(notice_index, client_zh):
    now = timezone.now()
    publish(
        notice_index,
        MeetingNoticePage(title="明天的会", slug="soon", meeting_at=now + datetime.timedelta(days=1), location="室"),
    )
    publish(
        notice_index,
        MeetingNoticePage(title="昨天的会", slug="past", meeting_at=now - datetime.timedelta(days=1), location="室"),
    )

    response = client_zh.get("/")

    assert [page.title for page in response.context["upcoming_meetings"]] == ["明天的会"]


def test_policy_library_queries_do_not_grow(db, client_zh):
    from wagtail.documents.models import Document

    from cms.models import PolicyDocument, PolicyLibraryPage

    demo.load()
    library = PolicyLibraryPage.objects.get()
    source = Document.objects.get()

    def make_rows(n):
        while library.documents.count() < n:
            PolicyDocument.objects.create(page=library, document=source, title=f"文件{library.documents.count()}")

    assert_constant_queries(make_rows, lambda: client_zh.get(library.url))


def test_index_page_number_that_is_not_a_page_still_answers(news_index, client_zh):
    news(news_index, 1, title="唯一新闻")

    for number in ("abc", "999", "-1", ""):
        response = client_zh.get(news_index.url, {"page": number})
        assert response.status_code == 200, number
        assert [item.title for item in response.context["items"]] == ["唯一新闻"]
