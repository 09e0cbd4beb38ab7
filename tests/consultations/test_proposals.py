"""Proposals: submission (sealed, checked), screening through the state table, answers by the
departments routed to, the expert told at each step, publication with consent."""

import io
import zipfile

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from consultations.opinions.canonical import digest
from consultations.proposals import rules as proposal_rules
from consultations.proposals import services as proposals
from consultations.proposals.models import Proposal, ProposalAttachment
from consultations.responses import rules as response_rules
from consultations.responses import services as responses
from core.errors import StateConflict
from core.models import Notification, SmsMessage
from tests.consultations.proposal_setup import build_setting, route_to_both, submit
from tests.reviews.conftest import docx_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    return build_setting()


def test_submit_proposal_seals_its_content(setting, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = submit(setting.expert, attachments=[docx_upload("调研报告.docx")])
    proposal.refresh_from_db()
    assert proposal.state == "submitted"
    assert [p.text for p in proposal.points.order_by("position")] == ["设立配套企业技改补贴", "建设共性技术平台"]
    assert list(proposal.domains.values_list("code", flat=True)) == ["2"]
    assert proposal.digest == digest(proposals.proposal_content(proposal))
    attachment = proposal.attachments.get()
    assert (attachment.title, len(attachment.sha256)) == ("调研报告.docx", 64)
    assert proposal.history.first().history_user == setting.expert.user


def test_submit_proposal_with_bad_input_stores_nothing(setting):
    with pytest.raises(ValidationError) as caught:
        proposals.submit_proposal(
            setting.expert,
            by=setting.expert.user,
            title=" ",
            problem="",
            points=["", "  "],
            domains=["nope"],
            attachments=[SimpleUploadedFile("x.pdf", b"not a pdf")],
        )
    assert sorted(caught.value.message_dict) == ["attachments", "domains", "points", "problem", "title"]
    assert (Proposal.objects.count(), ProposalAttachment.objects.count()) == (0, 0)


def test_submit_proposal_refuses_a_zip_bomb_named_docx(setting):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w/>")
        archive.writestr("bomb.bin", b"\0" * (5 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught:
        submit(setting.expert, attachments=[SimpleUploadedFile("a.docx", buffer.getvalue())])
    assert list(caught.value.message_dict) == ["attachments"]
    assert Proposal.objects.count() == 0


def test_submit_proposal_refuses_an_attachment_over_ten_megabytes(setting):
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        submit(setting.expert, attachments=[big])
    assert caught.value.message_dict["attachments"] == ["big.pdf: An attachment is at most 10 MB."]


def test_submit_proposal_by_someone_else_is_refused(setting):
    with pytest.raises(PermissionDenied):
        proposals.submit_proposal(
            setting.expert, by=setting.other_expert.user, title="t", problem="p", points=["s"], domains=[]
        )


def test_submit_proposal_by_a_suspended_expert_is_refused(setting):
    setting.expert.status = "suspended"
    setting.expert.save()
    with pytest.raises(StateConflict):
        submit(setting.expert)


def test_route_proposal_to_one_department_sends_every_suggestion_there(setting, django_capture_on_commit_callbacks):
    proposal = submit(setting.expert)
    with django_capture_on_commit_callbacks(execute=True):
        proposals.route_proposal(proposal, by=setting.secretariat, organizations=[setting.industry.pk])
    proposal.refresh_from_db()
    assert proposal.state == "routed"
    assert list(proposal.routed_to.all()) == [setting.industry]
    assert set(proposal.points.values_list("organization_id", flat=True)) == {setting.industry.pk}
    assert Notification.objects.filter(user=setting.expert.user, kind="proposal_routed").count() == 1
    assert Notification.objects.filter(user=setting.industry_staff, kind="proposal_routed").count() == 1
    assert [m.to for m in mail.outbox] == [[setting.expert.email]]
    assert SmsMessage.objects.filter(to=setting.expert.mobile).count() == 0  # no approved template for routing


def test_route_proposal_refuses_a_suggestion_given_a_department_not_routed_to(setting):
    proposal = submit(setting.expert)
    first = proposal.points.order_by("position").first()
    outsider = setting.outsider_staff.department_staff.organization_id
    with pytest.raises(ValidationError) as caught:
        proposals.route_proposal(
            proposal,
            by=setting.secretariat,
            organizations=[setting.industry.pk, setting.science.pk],
            point_organizations={first.pk: outsider},
        )
    assert list(caught.value.message_dict) == ["point_organizations"]
    proposal.refresh_from_db()
    assert proposal.state == "submitted"


def test_route_proposal_by_a_department_is_refused(setting):
    proposal = submit(setting.expert)
    with pytest.raises(PermissionDenied):
        proposals.route_proposal(proposal, by=setting.industry_staff, organizations=[setting.industry.pk])


def test_transition_table_refuses_routing_a_returned_proposal(setting):
    proposal = submit(setting.expert)
    proposals.return_proposal(proposal, by=setting.secretariat, reason="与已有建议重复")
    with pytest.raises(StateConflict):
        proposals.route_proposal(proposal, by=setting.secretariat, organizations=[setting.industry.pk])


def test_return_proposal_needs_a_reason_and_tells_the_expert(setting, django_capture_on_commit_callbacks):
    proposal = submit(setting.expert)
    with pytest.raises(ValidationError):
        proposals.return_proposal(proposal, by=setting.secretariat, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        proposals.return_proposal(proposal, by=setting.secretariat, reason="请补充调研数据")
    proposal.refresh_from_db()
    assert (proposal.state, proposal.return_reason) == ("returned", "请补充调研数据")
    note = Notification.objects.get(user=setting.expert.user, kind="proposal_returned")
    assert "请补充调研数据" in note.text
    assert mail.outbox[0].body == note.text


def test_merge_proposal_tells_the_expert_the_target_without_showing_it(setting):
    target = submit(setting.other_expert, title="关于机器人零部件配套的建议")
    duplicate = submit(setting.expert)
    proposals.merge_proposal(duplicate, into=target, by=setting.secretariat)
    duplicate.refresh_from_db()
    assert (duplicate.state, duplicate.merged_into_id) == ("merged", target.pk)
    note = Notification.objects.get(user=setting.expert.user, kind="proposal_merged")
    assert note.url == f"/portal/proposals/{duplicate.pk}/"
    assert proposal_rules.can_see_proposal(setting.expert.user, target) is False


def test_merge_proposal_into_itself_is_refused(setting):
    proposal = submit(setting.expert)
    with pytest.raises(ValidationError):
        proposals.merge_proposal(proposal, into=proposal, by=setting.secretariat)


def test_two_departments_each_answer_their_suggestions_and_the_proposal_is_answered(setting):
    proposal = route_to_both(submit(setting.expert), setting)
    first, second = proposal.points.order_by("position")
    assert response_rules.can_answer(setting.industry_staff, first) is True
    assert response_rules.can_answer(setting.industry_staff, second) is False
    responses.answer_point(first, by=setting.industry_staff, status="adopted")
    proposal.refresh_from_db()
    assert proposal.state == "routed"
    responses.answer_point(second, by=setting.science_staff, status="not_adopted", reason="已有同类平台")
    proposal.refresh_from_db()
    assert proposal.state == "answered"
    kinds = list(Notification.objects.filter(user=setting.expert.user).order_by("id").values_list("kind", flat=True))
    assert kinds == ["proposal_routed", "response", "response", "proposal_answered"]


def test_answer_to_a_suggestion_needs_a_reason_unless_adopted(setting):
    proposal = proposals.route_proposal(
        submit(setting.expert), by=setting.secretariat, organizations=[setting.industry.pk]
    )
    point = proposal.points.first()
    with pytest.raises(ValidationError):
        responses.answer_point(point, by=setting.industry_staff, status="partly_adopted", reason="")
    assert proposal.points.filter(response__isnull=False).count() == 0


def test_answer_before_routing_is_a_conflict(setting):
    point = submit(setting.expert).points.first()
    with pytest.raises(StateConflict):
        responses.answer_point(point, by=setting.commission, status="adopted")


def test_visibility_follows_routing(setting):
    proposal = submit(setting.expert)
    seen = lambda user: proposal_rules.can_see_proposal(user, proposal)  # noqa: E731
    assert [seen(u) for u in (setting.expert.user, setting.secretariat, setting.commission)] == [True, True, True]
    assert [seen(u) for u in (setting.other_expert.user, setting.industry_staff)] == [False, False]
    proposals.route_proposal(proposal, by=setting.secretariat, organizations=[setting.industry.pk])
    assert [seen(u) for u in (setting.industry_staff, setting.science_staff, setting.outsider_staff)] == [
        True,
        False,
        False,
    ]


def add_conclusions_section():
    from wagtail.models import Page

    from cms.models import ConclusionIndexPage

    root = Page.objects.get(depth=1).get_children().first() or Page.objects.get(depth=1)
    return root.add_child(instance=ConclusionIndexPage(title="论证结论", slug="conclusions"))


def test_consent_and_publication_make_a_page_waiting_for_approval(setting):
    from cms.models import ProposalPage

    add_conclusions_section()
    proposal = route_to_both(submit(setting.expert), setting)
    first, second = proposal.points.order_by("position")
    responses.answer_point(first, by=setting.industry_staff, status="adopted")
    with pytest.raises(StateConflict):
        proposals.consent_to_publication(proposal, by=setting.expert.user)  # not answered yet
    responses.answer_point(second, by=setting.science_staff, status="not_adopted", reason="已有同类平台")
    with pytest.raises(StateConflict):
        proposals.publish_proposal(proposal, by=setting.secretariat)  # no consent yet
    proposals.consent_to_publication(proposal, by=setting.expert.user)
    page = proposals.publish_proposal(proposal, by=setting.secretariat)
    proposal.refresh_from_db()
    assert proposal.public_page_id == page.pk
    assert proposal.history.filter(history_change_reason="consent to publication").count() == 1
    page = ProposalPage.objects.get(pk=page.pk)
    assert (page.live, page.author_name) == (False, setting.expert.name)
    assert [row["status"] for row in page.response_rows()] == ["adopted", "not_adopted"]
    assert page.current_workflow_state.status == "in_progress"
    with pytest.raises(StateConflict):
        responses.answer_point(first, by=setting.industry_staff, status="not_adopted", reason="改")


def test_consent_by_another_user_is_refused(setting):
    proposal = proposals.route_proposal(
        submit(setting.expert), by=setting.secretariat, organizations=[setting.industry.pk]
    )
    for point in proposal.points.all():
        responses.answer_point(point, by=setting.industry_staff, status="adopted")
    with pytest.raises(PermissionDenied):
        proposals.consent_to_publication(proposal, by=setting.secretariat)


def test_demo_proposals_cover_every_state_once_and_load_idempotently(settings, tmp_path):
    from consultations.proposals import demo as proposal_demo
    from experts import demo as experts_demo
    from reviews import demo as reviews_demo
    from tests.factories import PASSWORD

    settings.MEDIA_ROOT = tmp_path
    experts_demo.load(PASSWORD)
    reviews_demo._load_department_staff()
    proposal_demo.load(PASSWORD)
    proposal_demo.load(PASSWORD)
    assert sorted(Proposal.objects.values_list("state", flat=True)) == [
        "answered",
        "merged",
        "returned",
        "routed",
        "submitted",
    ]
