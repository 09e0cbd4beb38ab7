"""Roster services and selectors: status transitions, terms, masking, participation."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone, translation

from core import masking
from experts import participation, privacy, selectors, services, tasks
from experts.models import Expert
from tests.experts.conftest import new_expert


def test_change_status_records_author_and_reason(secretariat_user):
    expert = new_expert()

    services.change_expert_status(expert, status="suspended", by=secretariat_user, reason="病休")

    latest = expert.history.first()
    assert (latest.status, latest.history_user, latest.history_change_reason) == ("suspended", secretariat_user, "病休")


def test_change_status_dismissed_is_final(secretariat_user):
    expert = new_expert(status=Expert.Status.DISMISSED)

    with pytest.raises(ValidationError) as caught:
        services.change_expert_status(expert, status="active", by=secretariat_user, reason="复聘")

    assert caught.value.code == "transition"


def test_change_status_without_reason_refused(secretariat_user):
    expert = new_expert()

    with pytest.raises(ValidationError):
        services.change_expert_status(expert, status="suspended", by=secretariat_user, reason="  ")

    expert.refresh_from_db()
    assert expert.status == "active"


def test_update_expert_refuses_status(secretariat_user):
    expert = new_expert()

    with pytest.raises(ValidationError):
        services.update_expert(expert, by=secretariat_user, reason="x", status="dismissed")


def test_update_expert_without_change_records_nothing(secretariat_user):
    expert = new_expert(title="教授")
    before = expert.history.count()

    services.update_expert(expert, by=secretariat_user, reason="x", title="教授", domains=["2.1"])

    assert expert.history.count() == before


def test_update_expert_domains_change_is_one_history_record(secretariat_user):
    from experts.models import Domain

    Domain.objects.create(code="1.5", name="人工智能")
    expert = new_expert(domains=("2.1",))
    before = expert.history.count()

    services.update_expert(expert, by=secretariat_user, reason="调整领域", domains=["2.1", "1.5"])

    with translation.override("en"):
        history = selectors.expert_history(expert)
    assert expert.history.count() == before + 1
    assert history[-1]["changes"] == [{"field": "domains", "label": "domains", "old": "2.1", "new": "1.5, 2.1"}]


def test_update_own_profile_refuses_other_fields(expert_user):
    user, expert = expert_user

    with pytest.raises(ValidationError):
        services.update_own_profile(expert, by=user, title="院士")


def test_create_expert_puts_primary_domain_among_domains(db):
    from experts.models import Domain

    primary = Domain.objects.create(code="3.3", name="前沿新材料")

    expert = new_expert(domains=("2.1",), primary_domain=primary)

    assert sorted(d.code for d in expert.domains.all()) == ["2.1", "3.3"]


def test_expire_terms_expires_ended_terms_only(secretariat_user):
    today = timezone.localdate()
    ended = new_expert(name="王五", term_end=today - timedelta(days=1))
    running = new_expert(name="张三", term_end=today)
    dismissed = new_expert(name="李四", status=Expert.Status.DISMISSED, term_end=today - timedelta(days=9))

    changed = services.expire_terms()

    assert [e.pk for e in changed] == [ended.pk]
    statuses = {e.pk: e.status for e in Expert.objects.all()}
    assert statuses == {ended.pk: "expired", running.pk: "active", dismissed.pk: "dismissed"}
    assert Expert.objects.get(pk=ended.pk).history.first().history_change_reason.startswith("Term of appointment ended")


def test_expire_terms_task_runs_through_the_tasks_framework(db):
    expert = new_expert(term_end=timezone.localdate() - timedelta(days=1))

    result = tasks.expire_terms.enqueue()

    expert.refresh_from_db()
    assert (result.return_value, expert.status) == (1, "expired")


def test_expire_terms_command(db, capsys):
    expert = new_expert(term_end=timezone.localdate() - timedelta(days=1))

    call_command("expire_terms")

    expert.refresh_from_db()
    assert expert.status == "expired"
    assert "1 expired" in capsys.readouterr().out


def test_renew_term_reactivates_expired(secretariat_user):
    expert = new_expert(status=Expert.Status.EXPIRED, term_end=timezone.localdate() - timedelta(days=1))
    end = timezone.localdate() + timedelta(days=1000)

    renewed = services.renew_term(
        expert, term_start=timezone.localdate(), term_end=end, by=secretariat_user, reason="换届续聘"
    )

    assert (renewed.status, renewed.term_end) == ("active", end)


def test_terms_ending_within_60_days(db):
    today = timezone.localdate()
    soon = new_expert(name="王五", term_end=today + timedelta(days=60))
    new_expert(name="张三", term_end=today + timedelta(days=61))
    new_expert(name="李四", term_end=today - timedelta(days=1))

    assert [e.pk for e in selectors.terms_ending(within_days=60)] == [soon.pk]


def test_mask_mobile_and_email():
    assert [
        masking.mask_mobile("13812345678"),
        masking.mask_mobile("+8613812345678"),
        masking.mask_mobile(""),
        masking.mask_email("zhangsan@example.cn"),
    ] == ["138****5678", "+86138****5678", "", "z***@example.cn"]


def test_contact_for_by_viewer(secretariat_user, commission_user, expert_user, other_expert_user):
    user, expert = expert_user
    other_user, _other = other_expert_user

    viewers = (secretariat_user, user, other_user, commission_user)

    seen = [privacy.contact_for(viewer, expert)["mobile"] for viewer in viewers]
    asked = [privacy.contact_for(viewer, expert, unmasked=True)["mobile"] for viewer in viewers]

    assert seen == ["138****5678", "13812345678", "138****5678", "138****5678"]
    assert asked == ["13812345678", "13812345678", "138****5678", "138****5678"]


def test_search_pinyin_initials_and_tags(db):
    zhang = new_expert(name="张三", specialties="工业机器人")
    new_expert(name="李四", specialties="生物医药")

    assert [e.pk for e in selectors.search_experts(Expert.objects.all(), "zs")] == [zhang.pk]
    assert [e.pk for e in selectors.search_experts(Expert.objects.all(), "机器")] == [zhang.pk]
    assert [e.pk for e in selectors.search_experts(Expert.objects.all(), "zhang")] == [zhang.pk]


def test_participation_counts_assignments_per_year(secretariat_user):
    from reviews.models import Assignment

    expert = new_expert()
    reviews = [_review(secretariat_user, title=title) for title in ("一", "二", "三")]
    now = timezone.now()
    for target, state in zip(reviews, ["accepted", "declined", "expired"], strict=True):
        Assignment.objects.create(
            review=target,
            expert=expert,
            state=state,
            reply_by=now,
            responded_at=now if state != "expired" else None,
            decline_reason="没时间" if state == "declined" else "",
        )

    record = participation.participation_of(expert)

    year = timezone.localdate().year
    assert record["total"]["invitations"] == 3
    assert (record["total"]["accepted"], record["total"]["declined"], record["total"]["no_answer"]) == (1, 1, 1)
    assert [y for y, _row in record["years"]] == [year]


def test_participation_constant_queries_for_many_experts(secretariat_user):
    from tests.queries import count_queries

    experts = [new_expert(name="张三", key=f"P-{n}") for n in range(20)]

    one = count_queries(lambda: participation.participation([experts[0].pk]))
    many = count_queries(lambda: participation.participation([e.pk for e in experts]))

    assert one == many


def _review(by, title="一"):
    """A scheduled review, made through the reviews app's own services."""
    from experts.models import Domain, Organization
    from reviews import services as review_services
    from tests.reviews.conftest import docx_upload, schedule

    Domain.objects.get_or_create(code="2.1", defaults={"name": "机器人"})
    submitter = Organization.objects.get_or_create(name="沈阳市经济和信息化委员会", defaults={"kind": "government"})[0]
    plan = review_services.create_plan(
        by=by, title=f"规划{title}", kind="action_plan", submitted_by=submitter, domains=["2.1"]
    )
    review_services.add_plan_version(plan, upload=docx_upload(), by=by)
    return schedule(plan, by)
