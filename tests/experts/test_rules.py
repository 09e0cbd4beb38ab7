"""The roster's rules (experts/rules.py), and the services asking them about their actor."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from experts import rules, services
from experts.models import Organization
from tests.experts.conftest import make_user, new_expert


def test_may_manage_roster_is_the_secretariat_and_operators(secretariat_user, commission_user, expert_user):
    operator = make_user(username="operator", is_superuser=True)

    allowed = [rules.may_manage_roster(user) for user in (secretariat_user, operator, commission_user, expert_user[0])]

    assert allowed == [True, True, False, False]


def test_may_read_full_record_is_the_secretariat_and_the_expert(secretariat_user, commission_user, expert_user):
    user, expert = expert_user
    other = new_expert(name="李四", key="RULES-2")

    allowed = [
        rules.may_read_full_record(secretariat_user, expert),
        rules.may_read_full_record(user, expert),
        rules.may_read_full_record(user, other),
        rules.may_read_full_record(commission_user, expert),
    ]

    assert allowed == [True, True, False, False]


def test_may_see_roster_is_the_secretariat_and_the_commission(secretariat_user, commission_user, department_user):
    allowed = [rules.may_see_roster(user) for user in (secretariat_user, commission_user, department_user)]

    assert allowed == [True, True, False]


def test_update_expert_by_an_expert_is_refused_and_changes_nothing(expert_user):
    user, expert = expert_user
    recorded = expert.history.count()

    with pytest.raises(PermissionDenied):
        services.update_expert(expert, by=user, reason="自己改", title="院士")

    expert.refresh_from_db()
    assert (expert.title, expert.history.count()) == ("", recorded)


def test_change_status_by_the_commission_is_refused(commission_user):
    expert = new_expert()

    with pytest.raises(PermissionDenied):
        services.change_expert_status(expert, status="suspended", by=commission_user, reason="暂停")

    expert.refresh_from_db()
    assert expert.status == "active"


def test_declare_conflict_on_another_experts_record_is_refused(expert_user, other_expert_user):
    user, _expert = expert_user
    _other_user, other = other_expert_user
    organization = Organization.objects.create(name="某公司", kind="enterprise")

    with pytest.raises(PermissionDenied):
        services.declare_conflict(other, organization=organization, reason="任职", by=user)

    assert other.conflicts.count() == 0


def test_add_unavailability_on_own_record_and_by_the_secretariat(expert_user, secretariat_user):
    user, expert = expert_user
    start = timezone.localdate() + timedelta(days=3)

    services.add_unavailability(expert, starts_on=start, ends_on=start, by=user)
    services.add_unavailability(expert, starts_on=start, ends_on=start + timedelta(days=1), by=secretariat_user)

    assert expert.unavailable_periods.count() == 2


def test_the_system_writes_without_an_actor(db):
    expert = new_expert(by=None)

    changed = services.change_expert_status(expert, status="suspended", by=None, reason="暂停")

    assert changed.status == "suspended"
