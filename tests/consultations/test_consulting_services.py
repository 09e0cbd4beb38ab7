"""Consultations: posing, opening (who is reached, who is told), closing, and answers written
and sealed through the opinion services."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from consultations.inquiries import services as consulting
from consultations.inquiries.models import Consultation
from consultations.opinions import services
from consultations.opinions.canonical import digest, opinion_content
from consultations.opinions.models import Opinion
from core.errors import StaleVersion, StateConflict
from core.models import Notification, SmsMessage
from tests.consultations.consulting_setup import QUESTIONS, answer, build_committee, pose

pytestmark = pytest.mark.django_db


def test_open_consultation_addressed_to_a_domain_reaches_its_active_experts_and_those_below(
    secretariat_user, django_capture_on_commit_callbacks
):
    committee = build_committee()
    e = committee["experts"]

    with django_capture_on_commit_callbacks(execute=True):
        consultation = pose(secretariat_user, domains=["2.1"])

    assert consultation.state == "open"
    assert sorted(consultation.recipients.values_list("pk", flat=True)) == sorted([e["child"].pk, e["grandchild"].pk])
    assert sorted(Notification.objects.filter(kind="consultation").values_list("user_id", flat=True)) == sorted(
        [e["child"].user_id, e["grandchild"].user_id]
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([e["child"].email, e["grandchild"].email])
    texted = sorted(SmsMessage.objects.values_list("to", flat=True))
    assert texted == sorted([e["child"].mobile, e["grandchild"].mobile])


def test_open_consultation_with_nobody_addressed_reaches_the_whole_active_committee(secretariat_user):
    e = build_committee()["experts"]

    consultation = pose(secretariat_user, domains=[])

    assert sorted(consultation.recipients.values_list("pk", flat=True)) == sorted(
        [e["child"].pk, e["grandchild"].pk, e["other"].pk]
    )


def test_open_consultation_adds_named_experts_to_the_domain(secretariat_user):
    e = build_committee()["experts"]

    consultation = pose(secretariat_user, domains=["2.1.1"], experts=[e["other"].pk, e["suspended"].pk])

    assert sorted(consultation.recipients.values_list("pk", flat=True)) == sorted([e["grandchild"].pk, e["other"].pk])


def test_a_consultation_closing_before_1901_changes_nothing(commission_user):
    # Asia/Shanghai kept local mean time (+08:05:43) until 1901: not writable back as RFC 3339.
    closes = datetime(1900, 6, 1, 9, tzinfo=ZoneInfo("Asia/Shanghai"))

    with pytest.raises(ValidationError) as caught:
        consulting.create_consultation(
            by=commission_user, data={"title": "征询", "questions": ["?"], "closes_at": closes}
        )

    assert list(caught.value.message_dict) == ["closes_at"]
    assert Consultation.objects.count() == 0


def test_create_consultation_without_a_title_changes_nothing(commission_user):
    with pytest.raises(ValidationError) as caught:
        consulting.create_consultation(by=commission_user, data={"title": " ", "questions": ["?"]})

    assert list(caught.value.message_dict) == ["title"]
    assert Consultation.objects.count() == 0


def test_create_consultation_by_an_expert_is_refused(secretariat_user):
    expert = build_committee()["experts"]["child"]

    with pytest.raises(PermissionDenied):
        consulting.create_consultation(by=expert.user, data={"title": "征询", "questions": ["问题"]})

    assert Consultation.objects.count() == 0


def test_open_consultation_without_questions_is_refused(secretariat_user):
    build_committee()
    consultation = consulting.create_consultation(by=secretariat_user, data={"title": "征询", "questions": []})

    with pytest.raises(ValidationError):
        consulting.open_consultation(consultation, by=secretariat_user)

    consultation.refresh_from_db()
    assert consultation.state == "draft"


def test_transition_consultation_closed_cannot_reopen(secretariat_user):
    build_committee()
    consultation = pose(secretariat_user)
    consulting.close_consultation(consultation, by=secretariat_user)

    with pytest.raises(StateConflict):
        consulting.open_consultation(consultation, by=secretariat_user)

    assert Consultation.objects.get(pk=consultation.pk).state == "closed"
    assert [h.state for h in consultation.history.order_by("history_id")][-2:] == ["open", "closed"]


def test_update_consultation_questions_of_an_open_one_is_refused(secretariat_user):
    build_committee()
    consultation = pose(secretariat_user)

    with pytest.raises(StateConflict):
        consulting.update_consultation(consultation, by=secretariat_user, data={"questions": ["新问题"]})

    assert list(consultation.questions.values_list("text", flat=True)) == QUESTIONS


def test_answer_submitted_is_sealed_with_the_digest_of_its_points(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)

    sealed = answer(consultation, e["child"])

    assert sealed.submitted_at is not None
    assert sealed.digest == digest(opinion_content(sealed))
    assert opinion_content(sealed)["points"][0]["question"] == consultation.questions.order_by("position")[0].pk
    assert sealed.versions.get().kind == "submitted"


def test_answer_point_naming_another_consultations_question_is_refused(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    elsewhere = pose(secretariat_user, domains=["3"])
    draft = consulting.ensure_answer(consultation, e["child"])
    foreign = elsewhere.questions.first().pk

    with pytest.raises(ValidationError) as caught:
        services.save_opinion(draft, by=e["child"].user, data={"points": [{"question": foreign, "text": "x"}]},
                              expected_version=0)  # fmt: skip

    assert list(caught.value.message_dict) == ["points.0"]
    assert draft.points.count() == 0


def test_answer_with_a_conclusion_is_refused(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    draft = consulting.ensure_answer(consultation, e["child"])

    with pytest.raises(ValidationError) as caught:
        services.save_opinion(draft, by=e["child"].user, data={"conclusion": "agree"}, expected_version=0)

    assert list(caught.value.message_dict) == ["conclusion"]


def test_submit_answer_missing_a_question_is_refused(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    first = consultation.questions.order_by("position").first()
    draft = consulting.ensure_answer(consultation, e["child"])
    draft = services.save_opinion(draft, by=e["child"].user, data={"points": [{"question": first.pk, "text": "x"}]},
                                  expected_version=0)  # fmt: skip

    with pytest.raises(ValidationError):
        services.submit_opinion(draft, by=e["child"].user)

    assert Opinion.objects.get(pk=draft.pk).submitted_at is None


def test_save_answer_after_close_is_refused(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    draft = consulting.ensure_answer(consultation, e["child"])
    consulting.close_consultation(consultation, by=secretariat_user)

    with pytest.raises(StateConflict):
        services.save_opinion(draft, by=e["child"].user, data={"points": []}, expected_version=0)


def test_save_answer_by_a_suspended_recipient_is_refused(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    draft = consulting.ensure_answer(consultation, e["child"])
    e["child"].status = "suspended"
    e["child"].save()

    with pytest.raises(StateConflict):
        services.save_opinion(Opinion.objects.get(pk=draft.pk), by=e["child"].user, data={"points": []},
                              expected_version=0)  # fmt: skip


def test_save_answer_from_a_stale_version_raises_stale(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    first = consultation.questions.order_by("position").first()
    draft = consulting.ensure_answer(consultation, e["child"])
    data = {"points": [{"question": first.pk, "text": "第一稿"}]}
    services.save_opinion(draft, by=e["child"].user, data=data, expected_version=0)

    with pytest.raises(StaleVersion):
        services.save_opinion(draft, by=e["child"].user, data=data, expected_version=0)

    assert Opinion.objects.get(pk=draft.pk).version == 1


def test_ensure_answer_of_a_draft_consultation_is_refused(secretariat_user):
    e = build_committee()["experts"]
    consultation = pose(secretariat_user, open_it=False)

    with pytest.raises(StateConflict):
        consulting.ensure_answer(consultation, e["child"])


def test_answer_save_and_submit_read_the_consultation_state_afresh_after_a_close(secretariat_user):
    """The answer was loaded while open (as a request does before the close commits): the write
    re-reads the consultation under its row lock and refuses, as the close is serialised first."""
    e = build_committee()["experts"]
    consultation = pose(secretariat_user)
    draft = answer(consultation, e["child"], submit=False)
    loaded = Opinion.objects.select_related("consultation", "expert").get(pk=draft.pk)
    consulting.close_consultation(Consultation.objects.get(pk=consultation.pk), by=secretariat_user)
    question = consultation.questions.order_by("position").first()
    data = {"points": [{"question": question.pk, "text": "关闭之后写的"}]}

    with pytest.raises(StateConflict):
        services.save_opinion(loaded, by=e["child"].user, data=data, expected_version=loaded.version)
    with pytest.raises(StateConflict):
        services.submit_opinion(loaded, by=e["child"].user)

    draft.refresh_from_db()
    assert (draft.version, draft.submitted_at) == (loaded.version, None)


def test_open_consultation_tells_many_recipients_in_one_socket_send(
    secretariat_user, django_capture_on_commit_callbacks
):
    """The notifications' socket pushes go in one trip after commit (realtime.notify_users), not
    one per recipient: opening to the whole committee must not cost one event-loop trip each."""
    build_committee()
    one = pose(secretariat_user, open_it=False, domains=["2.1.1"])
    everyone = pose(secretariat_user, open_it=False, domains=[])

    with django_capture_on_commit_callbacks() as to_one:
        consulting.open_consultation(one, by=secretariat_user)
    with django_capture_on_commit_callbacks() as to_everyone:
        consulting.open_consultation(everyone, by=secretariat_user)

    assert (one.recipients.count(), everyone.recipients.count()) == (1, 3)
    assert len(to_everyone) == len(to_one)
