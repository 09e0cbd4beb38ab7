"""Demo content of the committee site, drawn from the source document (cms/seed/).

Idempotent: each page is looked up by its slug under its parent before it is made. Pages are
published directly, as an operator loading a site would; what editors write afterwards goes
through the approval workflow (cms/publishing.py).
"""

import datetime
import re
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files import File
from django.utils import timezone
from wagtail.documents.models import Document
from wagtail.models import Collection, Site
from wagtail.rich_text import RichText

from cms.models import (
    ConclusionIndexPage,
    ConclusionPage,
    HomePage,
    MeetingNoticePage,
    MemberDirectoryPage,
    NewsIndexPage,
    NewsPage,
    NoticeIndexPage,
    PolicyDocument,
    PolicyLibraryPage,
    StandardPage,
)
from cms.publishing import EDITORS, ensure_publishing

SEED = Path(__file__).resolve().parent / "seed" / "shenyang-emerging-industries-opinions.txt"
SOURCE_TITLE = "沈阳市人民政府关于“十三五”时期加快发展战略性新兴产业的实施意见"
ROBOT_PLAN = "沈阳市机器人产业三年行动计划（2017—2019年）"
INFO_PLAN = "沈阳市信息服务产业三年行动计划（2017—2019年）"

INTRO_EN = (
    "<p>The Shenyang Strategic Emerging Industries Expert Advisory Committee brings together "
    "entrepreneurs, experts and scholars in the city's emerging industries. It holds consultations "
    "as the work requires and, above all, helps the municipal government evaluate major plans and "
    "implementation schemes for these industries, and researches and proposes policies and measures.</p>"
)


def seed_paragraphs():
    """The source document as paragraphs, its full-width indentation removed."""
    text = SEED.read_text(encoding="utf-8")
    return [line.strip().strip("\u3000") for line in text.splitlines() if line.strip()]


def item_twenty():
    return next(p for p in seed_paragraphs() if p.startswith("(二十)"))


def p(text):
    return RichText(f"<p>{text}</p>")


def publish(parent, page):
    """Add ``page`` under ``parent`` unless a child with its slug exists; publish it with a revision."""
    existing = parent.get_children().filter(slug=page.slug).first()
    if existing is not None:
        return existing.specific
    parent.add_child(instance=page)
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def home():
    site = Site.objects.get(is_default_site=True)
    page = site.root_page.specific
    if isinstance(page, HomePage) and not page.intro:
        page.title_en = "Shenyang Strategic Emerging Industries Expert Advisory Committee"
        page.intro = f"<p>{item_twenty()}</p>"
        page.intro_en = INTRO_EN
        page.save_revision().publish()
        page.refresh_from_db()
    return page


def about(root):
    twenty = item_twenty()
    return publish(
        root,
        StandardPage(
            title="委员会简介",
            title_en="About the committee",
            slug="about",
            show_in_menus=True,
            search_description="沈阳市战略性新兴产业专家顾问委员会的组建依据、组成和职责。",
            body=[
                ("heading", "组建依据"),
                ("quote", {"text": twenty, "source": SOURCE_TITLE}),
                ("heading", "委员会组成"),
                ("paragraph", p("委员会由企业家、专家和学者组成，委员按任期聘任，秘书处设在市发展改革委。")),
                (
                    "table",
                    {
                        "data": [
                            ["类别", "主要来源"],
                            ["企业家", "新兴产业龙头企业"],
                            ["专家", "科研院所、行业协会"],
                            ["学者", "在沈高等院校"],
                        ],
                        "first_row_is_table_header": True,
                        "first_col_is_header": False,
                        "table_caption": "委员构成",
                    },
                ),
                ("heading", "主要职责"),
                (
                    "paragraph",
                    RichText(
                        "<ul><li>根据工作需要开展咨询活动；</li><li>协助政府对新兴产业重大规划、实施方案等进行论证；</li>"
                        "<li>研究提出促进我市战略性新兴产业发展的政策措施及建议。</li></ul>"
                    ),
                ),
            ],
            body_en=[
                ("heading", "Mandate"),
                ("paragraph", RichText(INTRO_EN)),
            ],
        ),
    )


NEWS = [
    (
        "committee-formed",
        datetime.date(2026, 9, 15),
        "沈阳市战略性新兴产业专家顾问委员会正式组建",
        "The Expert Advisory Committee is formed",
        "市政府聘请企业家、专家学者组建专家顾问委员会，重点协助政府对新兴产业重大规划、实施方案进行论证。",
        "The city has appointed entrepreneurs, experts and scholars to evaluate major plans for emerging industries.",
    ),
    (
        "first-plenary",
        datetime.date(2026, 10, 20),
        "专家顾问委员会召开第一次全体会议",
        "",
        "会议审议了委员会工作规则，听取了机器人、信息服务、民用航空等新兴产业三年行动计划的编制情况。",
        "",
    ),
    (
        "work-plan",
        datetime.date(2026, 11, 10),
        "秘书处发布年度论证工作安排",
        "",
        "年度安排涵盖新材料、生物医药、新能源汽车、节能环保等产业发展专项规划的论证。",
        "",
    ),
]


def news(root):
    index = publish(
        root,
        NewsIndexPage(
            title="新闻动态", title_en="News", slug="news", show_in_menus=True, intro="<p>委员会的工作动态。</p>"
        ),
    )
    for slug, date, title, title_en, summary, summary_en in NEWS:
        publish(
            index,
            NewsPage(
                title=title,
                title_en=title_en,
                slug=slug,
                date=date,
                summary=summary,
                summary_en=summary_en,
                body=[("paragraph", p(summary))],
                body_en=[("paragraph", p(summary_en))] if summary_en else [],
            ),
        )
    return index


def robot_review():
    """The demo review of the robot action plan, if the reviews demo has made one."""
    try:
        from reviews.models import Review
    except ImportError:  # pragma: no cover - reviews always has Review today
        return None
    return Review.objects.filter(plan__title=ROBOT_PLAN, mode=Review.Mode.MEETING).order_by("id").first()


def notices(root):
    index = publish(
        root,
        NoticeIndexPage(
            title="会议通知",
            title_en="Meeting notices",
            slug="notices",
            show_in_menus=True,
            intro="<p>论证会议的时间和地点。</p>",
        ),
    )
    review = robot_review()
    when = timezone.localtime(review.meeting_at) if review and review.meeting_at else None
    if when is None:
        day = timezone.localdate() + datetime.timedelta(days=21)
        when = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    publish(
        index,
        MeetingNoticePage(
            title=f"关于召开《{ROBOT_PLAN}》论证会的通知",
            title_en="Notice of the evaluation meeting on the robot industry action plan",
            slug="robot-action-plan-meeting",
            meeting_at=when,
            location=(review.location if review and review.location else "沈阳市发展和改革委员会第一会议室"),
            location_en="Meeting room 1, Shenyang Development and Reform Commission",
            review=review,
            review_title=ROBOT_PLAN,
            review_title_en="Shenyang robot industry three-year action plan (2017–2019)",
            body=[
                ("paragraph", p(f"专家顾问委员会定于上述时间召开论证会，对《{ROBOT_PLAN}》进行会议论证。")),
                ("paragraph", p("论证专家按规定随机抽取，名单在会议结束前不予公开。")),
            ],
        ),
    )
    return index


def members(root):
    return publish(
        root,
        MemberDirectoryPage(
            title="委员名录",
            title_en="Members",
            slug="members",
            show_in_menus=True,
            intro="<p>现任委员按产业领域分组，同组内按姓氏笔画排列。名录由委员库自动生成。</p>",
            intro_en="<p>Serving members, grouped by field and ordered by surname strokes, from the roster.</p>",
        ),
    )


def conclusions(root):
    index = publish(
        root,
        ConclusionIndexPage(
            title="论证结论",
            title_en="Conclusions",
            slug="conclusions",
            show_in_menus=True,
            intro="<p>已公开的论证结论及意见采纳情况。</p>",
        ),
    )
    publish(index, information_services_conclusion())
    return index


def _response_rows(names):
    """The demo conclusion's table: two demo experts' points and how each was answered."""
    rows = [
        ("二、重点任务", "细化年度目标和考核指标。", names[0], "adopted", ""),
        (
            "三、保障措施",
            "增设大数据产业专项资金。",
            names[1],
            "partly_adopted",
            "纳入新兴产业发展专项资金统筹安排，不单独设立。",
        ),
        ("二、重点任务", "新建信息服务产业园区。", names[0], "not_adopted", "依托现有园区发展，避免重复建设。"),
    ]
    keys = ("section", "point", "expert", "status", "reason")
    return [("response", dict(zip(keys, row, strict=True))) for row in rows]


def information_services_conclusion():
    from experts.models import Expert

    names = list(Expert.objects.filter(status=Expert.Status.ACTIVE).order_by("id").values_list("name", flat=True)[:2])
    names += ["委员甲", "委员乙"][len(names) :]
    return ConclusionPage(
        title=f"《{INFO_PLAN}》论证结论",
        title_en="Conclusion on the information services action plan",
        slug="information-services-action-plan",
        plan_title=INFO_PLAN,
        plan_title_en="Shenyang information services three-year action plan (2017–2019)",
        concluded_on=datetime.date(2026, 11, 5),
        opinion=(
            "<p>专家组认为，该行动计划目标明确、重点突出，总体可行，同意修改完善后实施。</p>"
            "<p>建议进一步细化年度目标和考核指标，强化大数据、云计算等新兴业态的支撑措施。</p>"
        ),
        opinion_en="<p>The panel found the plan clear and feasible, and agreed to it after revision.</p>",
        show_expert_names=False,
        responses=_response_rows(names),
    )


def source_document():
    document = Document.objects.filter(title=SOURCE_TITLE).first()
    if document is None:
        collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
        with SEED.open("rb") as handle:
            document = Document(title=SOURCE_TITLE, collection=collection)
            document.file.save(SEED.name, File(handle), save=False)
            document.save()
    return document


def full_text_body():
    body = []
    for paragraph in seed_paragraphs():
        if re.match(r"^[一二三四五六七八九十]+、", paragraph):
            body.append(("heading", paragraph))
        else:
            body.append(("paragraph", p(paragraph)))
    return body


def policies(root):
    library = root.get_children().filter(slug="policies").first()
    if library is None:
        library = PolicyLibraryPage(
            title="政策文件",
            title_en="Policy library",
            slug="policies",
            show_in_menus=True,
            intro="<p>委员会工作依据的政策文件。</p>",
        )
        library.documents = [
            PolicyDocument(
                document=source_document(),
                title=SOURCE_TITLE,
                issuer="沈阳市人民政府",
                summary="“十三五”时期全市战略性新兴产业发展的指导思想、主要任务和保障措施；第（二十）项组建专家顾问委员会。",
            )
        ]
        library = publish(root, library)
    else:
        library = library.specific
    publish(library, StandardPage(title=SOURCE_TITLE, slug="opinions-full-text", body=full_text_body()))
    return library


def editor_account(password):
    User = get_user_model()
    user, created = User.objects.get_or_create(username="editor", defaults={"first_name": "编辑", "last_name": "宣传"})
    if created:
        user.set_password(password)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=EDITORS)[0])
    return user


def load(password=None):
    root = home()
    about(root)
    news(root)
    notices(root)
    members(root)
    conclusions(root)
    policies(root)
    ensure_publishing()
    if password:
        editor_account(password)
    return root
