"""A consultation's closing time holds: answers are refused once it has passed, and the periodic
task closes it (recorded with no user) and tells its board."""

import asyncio
from datetime import timedelta
from io import StringIO

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from channels.layers import get_channel_layer
from django.core.management import call_command
from django.utils import timezone

from consultations.inquiries import rules
from consultations.inquiries import services as consulting
from consultations.inquiries.models import Consultation
from consultations.opinions import services
from consultations.opinions.models import Opinion
from core.errors import StateConflict
from core.live import consultation_group
from tests.consultations.consulting_setup import build_committee, pose

pytestmark = pytest.mark.django_db


def _closing(consultation, when):
    Consultation.objects.filter(pk=consultation.pk).update(closes_at=when)
    consultation.refresh_from_db()
    return consultation


def test_save_answer_after_the_closing_time_is_refused_before_the_task_runs(secretariat_user):
    expert = build_committee()["experts"]["child"]
    consultation = pose(secretariat_user)
    draft = consulting.ensure_answer(consultation, expert)
    past = timezone.now() - timedelta(minutes=1)
    _closing(consultation, past)

    with pytest.raises(StateConflict) as refused:
        services.save_opinion(draft, by=expert.user, data={"points": []}, expected_version=draft.version)

    assert timezone.localtime(past).strftime("%Y-%m-%d %H:%M") in str(refused.value)
    assert Opinion.objects.get(pk=draft.pk).version == draft.version


def test_save_answer_before_the_closing_time_is_kept(secretariat_user):
    expert = build_committee()["experts"]["child"]
    consultation = _closing(pose(secretariat_user), timezone.now() + timedelta(hours=1))
    draft = consulting.ensure_answer(consultation, expert)
    question = consultation.questions.first()

    saved = services.save_opinion(
        draft, by=expert.user, data={"points": [{"question": question.pk, "text": "先行先试"}]}, expected_version=0
    )

    assert saved.version == 1


def test_close_due_consultations_closes_only_open_ones_past_their_time(secretariat_user):
    build_committee()
    now = timezone.now()
    due = _closing(pose(secretariat_user), now - timedelta(minutes=5))
    later = _closing(pose(secretariat_user), now + timedelta(hours=1))
    undated = pose(secretariat_user)
    draft = _closing(pose(secretariat_user, open_it=False), now - timedelta(minutes=5))

    closed = consulting.close_due_consultations(now=now)

    assert closed == [due.pk]
    states = dict(Consultation.objects.values_list("pk", "state"))
    assert states == {due.pk: "closed", later.pk: "open", undated.pk: "open", draft.pk: "draft"}
    assert due.history.latest().history_user is None
    assert consulting.close_due_consultations(now=now) == []


def test_close_consultations_command_closes_and_tells_the_board(secretariat_user, django_capture_on_commit_callbacks):
    build_committee()
    due = _closing(pose(secretariat_user), timezone.now() - timedelta(minutes=5))
    layer = get_channel_layer()

    def close():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("close_consultations", stdout=StringIO())

    async def close_and_listen():  # one event loop: a pub/sub layer's subscription lives in its loop
        channel = await layer.new_channel()
        await layer.group_add(consultation_group(due.pk), channel)
        await sync_to_async(close)()
        return await asyncio.wait_for(layer.receive(channel), 10)

    message = async_to_sync(close_and_listen)()
    due.refresh_from_db()
    assert due.state == Consultation.State.CLOSED
    assert message["event"]["type"] == "consultation.state_changed"
    assert (message["event"]["consultation"], message["event"]["state"]) == (due.pk, "closed")


def test_answer_page_after_the_closing_time_is_read_only(secretariat_user, client):
    expert = build_committee()["experts"]["child"]
    consultation = pose(secretariat_user)
    consulting.ensure_answer(consultation, expert)
    _closing(consultation, timezone.now() - timedelta(minutes=1))
    client.force_login(expert.user)

    html = client.get(f"/portal/consultations/{consultation.pk}/answer/").content.decode()

    assert 'data-writable="0"' in html
    assert rules.accepts_answers(consultation) is False
