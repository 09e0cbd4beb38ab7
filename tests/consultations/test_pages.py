import re

import pytest
from django.test import Client

from consultations.opinions import services
from consultations.opinions.canonical import digest
from consultations.opinions.models import Comment, Opinion, OpinionVersion
from reviews import services as review_services
from tests.consultations.conftest import build_open_review, panel_of, sections
from tests.queries import assert_constant_queries

pytestmark = pytest.mark.django_db

SCORES = {"necessity": 9, "feasibility": 8, "soundness": 7}


def signed_in(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_write_page_shows_the_plan_sections_with_comment_buttons(review, opinions):
    response = signed_in(opinions[0].expert.user).get(f"/portal/reviews/{review.pk}/opinion/")

    assert response.status_code == 200
    buttons = re.findall(r'data-add-point="([^"]+)"', response.content.decode())
    assert buttons == sections(review)


def test_submit_page_shows_the_digest_that_the_seal_then_stores(review, opinions):
    opinion = opinions[0]
    client = signed_in(opinion.expert.user)
    services.save_opinion(
        opinion,
        by=opinion.expert.user,
        data={"conclusion": "agree", "scores": SCORES, "summary": "同意"},
        expected_version=0,
    )

    shown = re.search(
        r'data-testid="digest-preview">([0-9a-f]{64})<',
        client.get(f"/portal/reviews/{review.pk}/opinion/submit/").content.decode(),
    )
    response = client.post(f"/portal/reviews/{review.pk}/opinion/submit/", {"version": "1"})

    sealed = OpinionVersion.objects.get(opinion=opinion, kind="submitted")
    assert response.status_code == 302
    assert shown.group(1) == sealed.digest == digest(sealed.content) == Opinion.objects.get(pk=opinion.pk).digest


def test_submit_page_with_a_stale_version_does_not_seal(review, opinions):
    opinion = opinions[0]
    services.save_opinion(opinion, by=opinion.expert.user, data={"conclusion": "abstain"}, expected_version=0)

    signed_in(opinion.expert.user).post(f"/portal/reviews/{review.pk}/opinion/submit/", {"version": "0"})

    assert Opinion.objects.get(pk=opinion.pk).submitted_at is None


def test_versions_page_compares_chinese_at_character_level_without_inline_styles(review, opinions):
    opinion = opinions[0]
    user = opinion.expert.user
    services.save_opinion(opinion, by=user, data={"summary": "规划总体可行"}, expected_version=0, label="一")
    services.save_opinion(opinion, by=user, data={"summary": "规划基本可行"}, expected_version=1, label="二")

    html = signed_in(user).get(f"/portal/opinions/{opinion.pk}/versions/?a=1&b=2").content.decode()

    assert '规划<del class="diff-del">总体</del><ins class="diff-ins">基本</ins>可行' in html
    assert "style=" not in html


def test_board_shows_submitted_and_writing_to_the_secretariat_only(review, opinions, secretariat_user):
    first, second, _third = opinions
    services.save_opinion(first, by=first.expert.user, data={"conclusion": "abstain"}, expected_version=0)
    services.submit_opinion(first, by=first.expert.user)
    services.save_opinion(second, by=second.expert.user, data={"summary": "写着"}, expected_version=0)

    html = signed_in(secretariat_user).get(f"/portal/reviews/{review.pk}/board/?fragment=1").content.decode()
    expert_view = signed_in(first.expert.user).get(f"/portal/reviews/{review.pk}/board/")

    states = re.findall(r'data-testid="board-state">([^<]+?)(?: \d\d-\d\d \d\d:\d\d)?<', html)
    assert [s.strip() for s in states] == ["Submitted", "Writing now", "Not submitted"]
    assert expert_view.status_code == 404


def test_comment_form_without_script_posts_and_redirects(review, opinions):
    client = signed_in(opinions[0].expert.user)

    response = client.post(f"/portal/reviews/{review.pk}/comments/", {"text": "无脚本评论", "section": ""})

    assert response.status_code == 302
    assert list(Comment.objects.values_list("text", flat=True)) == ["无脚本评论"]


def test_chair_sees_marker_controls_members_do_not(secretariat_user):
    review = build_open_review(secretariat_user, mode="meeting")
    chair, member, _ = panel_of(review)
    review_services.set_chair(review, chair.expert, by=secretariat_user)

    chair_html = signed_in(chair.expert.user).get(f"/portal/reviews/{review.pk}/discussion/").content.decode()
    member_html = signed_in(member.expert.user).get(f"/portal/reviews/{review.pk}/discussion/").content.decode()

    assert ('id="marker-next"' in chair_html, 'id="marker-next"' in member_html) == (True, False)


# ---------------------------------------------------------------- query counts at 1 and 20 rows


def test_versions_api_and_page_query_counts_do_not_grow(review, opinions):
    opinion = opinions[0]
    user = opinion.expert.user
    client = signed_in(user)

    def make_rows(n):
        while OpinionVersion.objects.filter(opinion=opinion).count() < n:
            current = Opinion.objects.get(pk=opinion.pk)
            services.save_opinion(
                current, by=user, data={"summary": f"稿{current.version}"}, expected_version=current.version, label="v"
            )

    def fetch():
        assert client.get(f"/api/v1/reviews/{review.pk}/opinion/versions/").status_code == 200
        assert client.get(f"/portal/opinions/{opinion.pk}/versions/").status_code == 200

    assert_constant_queries(make_rows, fetch)


def test_comments_api_and_discussion_page_query_counts_do_not_grow(review, opinions):
    user = opinions[0].expert.user
    client = signed_in(user)

    def make_rows(n):
        while Comment.objects.filter(review=review).count() < n:
            services.add_comment(review, by=user, text="意见", section=sections(review)[0])

    def fetch():
        assert client.get(f"/api/v1/reviews/{review.pk}/comments/").status_code == 200
        assert client.get(f"/portal/reviews/{review.pk}/discussion/").status_code == 200

    assert_constant_queries(make_rows, fetch)


def test_opinions_page_and_board_query_counts_do_not_grow(secretariat_user):
    reviews = {
        1: build_open_review(secretariat_user, panel=1, roster_size=3, start=200),
        20: build_open_review(secretariat_user, panel=21, roster_size=26, start=300),
    }
    client = signed_in(secretariat_user)
    current = {}

    def make_rows(n):
        current["review"] = reviews[1 if n == 1 else 20]

    def fetch():
        pk = current["review"].pk
        assert client.get(f"/portal/reviews/{pk}/opinions/").status_code == 200
        assert client.get(f"/portal/reviews/{pk}/board/").status_code == 200

    assert_constant_queries(make_rows, fetch)
