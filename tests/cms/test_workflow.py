"""Approval: what an editor writes in the admin is public only after the secretariat approves."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import WorkflowPage, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import NewsIndexPage, NewsPage
from cms.publishing import EDITORS, WORKFLOW_NAME, ensure_publishing
from experts import roles
from tests.cms.conftest import publish
from tests.conftest import make_user


@pytest.fixture
def editor(db):
    ensure_publishing()
    return make_user(EDITORS, username="editor1")


@pytest.fixture
def approver(db):
    ensure_publishing()
    return make_user(roles.SECRETARIAT, username="head")


def news_form(title, slug, **actions):
    return nested_form_data(
        {
            "title": title,
            "title_en": "",
            "slug": slug,
            "date": "2026-11-20",
            "summary": "委员会召开会议。",
            "summary_en": "",
            "body": streamfield([("paragraph", rich_text("<p>正文</p>"))]),
            "body_en": streamfield([]),
            "comments": inline_formset([]),
            **actions,
        }
    )


def admin_client(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def create_in_admin(user, parent, data):
    url = reverse("wagtailadmin_pages:add", args=("cms", "newspage", parent.pk))
    return admin_client(user).post(url, data)


def test_workflow_setup_is_idempotent_and_covers_the_approval_sections(news_index, notice_index, conclusion_index):
    ensure_publishing()
    ensure_publishing()

    covered = set(WorkflowPage.objects.filter(workflow__name=WORKFLOW_NAME).values_list("page_id", flat=True))
    assert covered == {news_index.get_parent().pk, news_index.pk, notice_index.pk, conclusion_index.pk}
    assert Group.objects.filter(name=EDITORS).count() == 1


def test_workflow_news_submitted_by_editor_is_not_public_until_approved(news_index, editor, approver):
    response = create_in_admin(editor, news_index, news_form("委员会召开会议", "meeting", **{"action-submit": "1"}))

    assert response.status_code == 302
    page = NewsPage.objects.get(slug="meeting")
    assert page.live is False
    assert Client().get("/news/meeting/").status_code == 404
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(page.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS

    approve = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.current_task_state.pk))
    response = admin_client(approver).post(approve, {"comment": "同意发布"})

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.live is True
    assert Client().get("/news/meeting/").status_code == 200
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED


def test_workflow_editor_cannot_approve_their_own_submission(news_index, editor):
    create_in_admin(editor, news_index, news_form("委员会召开会议", "meeting", **{"action-submit": "1"}))
    page = NewsPage.objects.get(slug="meeting")
    state = WorkflowState.objects.get(object_id=str(page.pk))

    approve = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.current_task_state.pk))
    admin_client(editor).post(approve, {"comment": ""})

    page.refresh_from_db()
    state.refresh_from_db()
    assert page.live is False
    assert state.status == WorkflowState.STATUS_IN_PROGRESS


def test_workflow_editor_cannot_publish_directly(news_index, editor):
    response = create_in_admin(editor, news_index, news_form("直接发布", "direct", **{"action-publish": "1"}))

    assert response.status_code == 302
    page = NewsPage.objects.get(slug="direct")
    assert page.live is False
    assert Client().get("/news/direct/").status_code == 404


def test_workflow_rejected_news_stays_private(news_index, editor, approver):
    create_in_admin(editor, news_index, news_form("委员会召开会议", "meeting", **{"action-submit": "1"}))
    page = NewsPage.objects.get(slug="meeting")
    state = WorkflowState.objects.get(object_id=str(page.pk))

    reject = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "reject", state.current_task_state.pk))
    admin_client(approver).post(reject, {"comment": "请修改"})

    page.refresh_from_db()
    assert page.live is False
    assert Client().get("/news/meeting/").status_code == 404


def test_workflow_section_created_in_admin_gets_the_workflow(home, approver):
    NewsIndexPage.objects.all().delete()
    url = reverse("wagtailadmin_pages:add", args=("cms", "newsindexpage", home.pk))
    data = nested_form_data(
        {
            "title": "新闻",
            "title_en": "",
            "slug": "news2",
            "intro": rich_text(""),
            "intro_en": rich_text(""),
            "comments": inline_formset([]),
            "action-publish": "1",
        }
    )

    response = admin_client(approver).post(url, data)

    assert response.status_code == 302
    index = NewsIndexPage.objects.get(slug="news2")
    assert WorkflowPage.objects.get(page_id=index.pk).workflow.name == WORKFLOW_NAME


def test_workflow_revisions_and_audit_log_are_kept(news_index, editor, approver):
    create_in_admin(editor, news_index, news_form("委员会召开会议", "meeting", **{"action-submit": "1"}))
    page = NewsPage.objects.get(slug="meeting")
    state = WorkflowState.objects.get(object_id=str(page.pk))
    approve = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", state.current_task_state.pk))
    admin_client(approver).post(approve, {"comment": ""})

    from wagtail.models import PageLogEntry

    actions = list(
        PageLogEntry.objects.filter(page=page).order_by("timestamp", "id").values_list("action", "user__username")
    )
    assert ("wagtail.create", "editor1") in actions
    assert ("wagtail.workflow.start", "editor1") in actions
    assert ("wagtail.workflow.approve", "head") in actions
    assert ("wagtail.publish", "head") in actions
    assert page.revisions.count() >= 1


def test_workflow_applies_to_pages_under_a_published_section(news_index):
    ensure_publishing()
    page = publish(news_index, NewsPage(title="测试", slug="t"))

    assert page.get_workflow().name == WORKFLOW_NAME


def test_workflow_covers_other_pages_of_the_site(home):
    from cms.models import StandardPage

    ensure_publishing()
    page = publish(home, StandardPage(title="简介", slug="about"))

    assert page.get_workflow().name == WORKFLOW_NAME
