"""The member directory and experts/public.py: active experts only, public fields only."""

import re

from experts import services as expert_services
from experts.models import Expert
from experts.public import public_directory, public_directory_page, public_experts, public_profile
from tests.cms.conftest import make_expert
from tests.factories import DomainFactory
from tests.queries import assert_constant_queries


def listed_names(response):
    html = response.content.decode()
    return re.findall(r'<p class="member-name" lang="zh-hans">([^<]+)</p>', html)


def test_directory_lists_exactly_the_active_experts(directory, client_zh):
    active = [make_expert(name) for name in ("王建国", "李海燕")]
    for status, name in [
        (Expert.Status.CANDIDATE, "张候选"),
        (Expert.Status.SUSPENDED, "赵暂停"),
        (Expert.Status.EXPIRED, "钱期满"),
        (Expert.Status.DISMISSED, "孙解聘"),
    ]:
        make_expert(name, status=status)

    response = client_zh.get(directory.url)

    assert response.status_code == 200
    assert sorted(listed_names(response)) == sorted(expert.name for expert in active)
    assert sorted(listed_names(response)) == sorted(public_experts().values_list("name", flat=True))


def test_directory_suspended_expert_disappears_without_a_page_edit(directory, client_zh):
    kept = make_expert("王建国")
    suspended = make_expert("李海燕")
    assert sorted(listed_names(client_zh.get(directory.url))) == sorted([kept.name, suspended.name])

    expert_services.change_expert_status(suspended, status=Expert.Status.SUSPENDED, by=None, reason="暂停")
    response = client_zh.get(directory.url)

    assert listed_names(response) == [kept.name]


def test_directory_shows_no_private_field(directory, client_zh):
    expert = make_expert(
        "王建国",
        public_fields=["title"],
        title="教授级高级工程师",
        position="总工程师",
        biography="不公开的简历",
        mobile="13912345678",
        email="wang@example.cn",
        photo=True,
    )

    html = client_zh.get(directory.url).content.decode()

    assert "王建国" in html
    assert "教授级高级工程师" in html
    for private in (
        "总工程师",
        "不公开的简历",
        "13912345678",
        "wang@example.cn",
        "沈阳智造机器人有限公司",
        "秘密专长",
        expert.key,
    ):
        assert private not in html
    assert expert.photo_thumb.url not in html
    assert expert.photo.url not in html


def test_public_profile_has_only_name_and_marked_fields(db):
    expert = make_expert("王建国", public_fields=["employer", "photo", "mobile", "email"], photo=True)

    profile = public_profile(expert)

    assert profile == {"name": "王建国", "employer": "沈阳智造机器人有限公司", "photo": expert.photo_thumb.url}


def test_public_profile_with_nothing_marked_is_the_name_alone(db):
    expert = make_expert("王建国", public_fields=[])

    assert public_profile(expert) == {"name": "王建国"}


def test_directory_groups_by_top_level_domain_and_hides_domain_of_private_experts(db):
    robots = DomainFactory(code="2.1", name="机器人", parent=DomainFactory(code="2", name="高端装备制造产业"))
    software = DomainFactory(code="1.3", name="软件", parent=DomainFactory(code="1", name="新一代信息技术产业"))
    make_expert("王建国", domain=robots)
    make_expert("李海燕", domain=software)
    make_expert("张晓明", domain=robots, public_fields=["title"])

    groups = public_directory()

    assert [(domain.code if domain else None, [p["name"] for p in members]) for domain, members in groups] == [
        ("1", ["李海燕"]),
        ("2", ["王建国"]),
        (None, ["张晓明"]),
    ]


def test_directory_orders_by_strokes_or_manual_order(db):
    domain = DomainFactory(code="2", name="高端装备制造产业")
    # 丁 has 2 strokes, 王 4, 张 7.
    zhang = make_expert("张三", domain=domain, manual_order=1)
    make_expert("王五", domain=domain, manual_order=3)
    make_expert("丁一", domain=domain, manual_order=2)

    by_strokes = [p["name"] for p in public_directory(order="strokes")[0][1]]
    by_hand = [p["name"] for p in public_directory(order="manual")[0][1]]

    assert by_strokes == ["丁一", "王五", "张三"]
    assert by_hand == [zhang.name, "丁一", "王五"]


def test_directory_queries_do_not_grow_with_members(directory, client_zh):
    domain = DomainFactory(code="2", name="高端装备制造产业")

    def make_rows(n):
        while Expert.objects.count() < n:
            make_expert(f"王{Expert.objects.count():02d}", domain=domain)

    assert_constant_queries(make_rows, lambda: client_zh.get(directory.url))


def _directory_of_five():
    """Five listed members: 2 in field 1, 3 in field 2 (strokes: 丁 2, 王 4, 张 7)."""
    software = DomainFactory(code="1", name="新一代信息技术产业")
    robots = DomainFactory(code="2", name="高端装备制造产业")
    for name, domain in [("王一", software), ("张二", software), ("丁三", robots), ("王四", robots), ("张五", robots)]:
        make_expert(name, domain=domain)
    return software, robots


def test_directory_page_splits_the_order_and_marks_a_group_that_began_earlier(db):
    software, robots = _directory_of_five()

    first = public_directory_page(number=1, per_page=3)
    second = public_directory_page(number=2, per_page=3)

    def shown(result):
        return [
            (g["domain"].code, [p["name"] for p in g["members"]], g["continued"], g["total"]) for g in result["groups"]
        ]

    assert shown(first) == [("1", ["王一", "张二"], False, 2), ("2", ["丁三"], False, 3)]
    assert shown(second) == [("2", ["王四", "张五"], True, 3)]
    assert second["index"] == [(software, 2, 1), (robots, 3, 1)]
    assert (second["listing"].number, second["listing"].paginator.num_pages) == (2, 2)


def test_directory_pages_together_are_the_whole_directory(db):
    _directory_of_five()
    whole = [(d.code, [p["name"] for p in members]) for d, members in public_directory()]

    pieces = []
    for number in (1, 2, 3):
        for group in public_directory_page(number=number, per_page=2)["groups"]:
            if group["continued"]:
                pieces[-1][1].extend(p["name"] for p in group["members"])
            else:
                pieces.append((group["domain"].code, [p["name"] for p in group["members"]]))

    assert pieces == whole


def test_directory_second_page_over_http_with_a_table_of_fields(directory, client_zh, settings):
    settings.DIRECTORY_PAGE_SIZE = 3
    _directory_of_five()

    first = client_zh.get(directory.url)
    second = client_zh.get(directory.url + "?page=2")
    beyond = client_zh.get(directory.url + "?page=99")
    garbled = client_zh.get(directory.url + "?page=二")

    assert listed_names(first) == ["王一", "张二", "丁三"]
    assert listed_names(second) == listed_names(beyond) == ["王四", "张五"]
    assert listed_names(garbled) == listed_names(first)
    html = second.content.decode()
    assert "（续）" in html
    assert 'href="?page=1#group-2"' in html
    assert 'rel="prev"' in html and 'rel="next"' not in html


def test_directory_of_a_small_committee_is_one_page_without_navigation(directory, client_zh):
    _directory_of_five()

    html = client_zh.get(directory.url).content.decode()

    assert len(re.findall('data-testid="member"', html)) == 5
    assert 'class="pagination"' not in html and "directory-index" not in html
