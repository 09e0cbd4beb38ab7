"""The audit trail: what it records, that nothing changes or deletes it, retention, who reads it."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import RequestFactory
from django.utils import timezone

from experts import audit, roles
from experts.models import AuditImmutable, AuditRecord, Organization
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the audit guard trigger exists on PostgreSQL only (set DATABASE_URL)"
)


def a_record(**fields):
    return AuditRecord.objects.create(action="test", outcome="success", **fields)


def test_record_keeps_actor_address_object_outcome_and_details():
    user = make_user(roles.SECRETARIAT, username="sec")
    organization = Organization.objects.create(name="市发展改革委")
    request = RequestFactory().get("/", REMOTE_ADDR="192.0.2.10")

    record = audit.record(audit.EXPORT, actor=user, request=request, obj=organization, outcome=audit.SUCCESS, rows=3)

    record.refresh_from_db()
    assert (record.actor_id, record.actor_username, record.address, record.action, record.outcome) == (
        user.pk,
        "sec",
        "192.0.2.10",
        "export",
        "success",
    )
    assert (record.object_type, record.object_id, record.object_repr, record.details) == (
        "experts.organization",
        str(organization.pk),
        "市发展改革委",
        {"rows": 3},
    )
    assert record.at.utcoffset() is not None


def test_record_drops_an_address_that_is_not_one():
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1\r\nforged: yes")
    record = audit.record(audit.EXPORT, actor=None, request=request, outcome=audit.SUCCESS)
    assert record.address is None


def test_saving_an_existing_record_is_refused():
    record = a_record()
    record.outcome = "failure"
    with pytest.raises(AuditImmutable):
        record.save()
    assert AuditRecord.objects.get(pk=record.pk).outcome == "success"


def test_deleting_a_record_is_refused():
    record = a_record()
    with pytest.raises(AuditImmutable):
        record.delete()
    assert AuditRecord.objects.filter(pk=record.pk).exists()


def test_queryset_update_and_delete_are_refused():
    a_record()
    with pytest.raises(AuditImmutable):
        AuditRecord.objects.all().delete()
    with pytest.raises(AuditImmutable):
        AuditRecord.objects.filter(action="test").update(outcome="failure")
    with pytest.raises(AuditImmutable), transaction.atomic():
        AuditRecord.objects.bulk_update(list(AuditRecord.objects.all()), ["outcome"])
    assert list(AuditRecord.objects.values_list("outcome", flat=True)) == ["success"]


@on_postgresql
@pytest.mark.parametrize(
    "statement", ["DELETE FROM experts_auditrecord", "UPDATE experts_auditrecord SET outcome = 'x'"]
)
def test_sql_as_the_application_cannot_change_or_delete(statement):
    a_record(at=timezone.now() - timedelta(days=400))
    with pytest.raises(DatabaseError, match="audit records cannot be changed or deleted"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditRecord.objects.count() == 1


@on_postgresql
def test_sql_delete_with_the_prune_flag_still_spares_young_records():
    a_record(at=timezone.now() - timedelta(days=100))
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL audit.prune = 'on'")
            cursor.execute("DELETE FROM experts_auditrecord")
    assert AuditRecord.objects.count() == 1


def test_prune_deletes_only_records_older_than_the_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 365
    now = timezone.now()
    old = a_record(at=now - timedelta(days=400))
    kept = a_record(at=now - timedelta(days=200))

    call_command("prune_audit")

    assert list(AuditRecord.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditRecord.objects.filter(pk=old.pk).exists()


def test_retention_below_180_days_is_refused(settings):
    settings.AUDIT_RETENTION_DAYS = 90
    a_record(at=timezone.now() - timedelta(days=100))
    with pytest.raises(CommandError, match="AUDIT_RETENTION_DAYS must be at least 180"):
        call_command("prune_audit")
    assert AuditRecord.objects.count() == 1


def test_auditor_reads_the_trail_in_the_admin(client):
    auditor = make_user(roles.AUDITOR, username="aud")
    a_record(object_repr="marker-object")
    client.force_login(auditor)

    listing = client.get("/admin/audit/", HTTP_ACCEPT_LANGUAGE="en")
    filtered = client.get("/admin/audit/?outcome=failure", HTTP_ACCEPT_LANGUAGE="en")

    assert listing.status_code == 200
    assert "marker-object" in listing.content.decode()
    assert "marker-object" not in filtered.content.decode()


def test_nobody_adds_edits_or_deletes_in_the_admin(client):
    superuser = make_user(username="root", is_superuser=True, is_staff=True)
    record = a_record()
    client.force_login(superuser)

    responses = [
        client.get("/admin/audit/new/"),
        client.get(f"/admin/audit/edit/{record.pk}/"),
        client.post(f"/admin/audit/delete/{record.pk}/"),
    ]

    assert [response.status_code for response in responses] == [302, 302, 302]
    assert AuditRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("role", [roles.SECRETARIAT, roles.EXPERT, roles.COMMISSION, roles.DEPARTMENT])
def test_other_roles_do_not_read_the_trail(client, role):
    client.force_login(make_user(role, username=f"u-{role}"))
    response = client.get("/admin/audit/")
    assert response.status_code in (302, 403)


def test_auditor_holds_nothing_but_the_trail():
    auditor = make_user(roles.AUDITOR, username="aud")
    assert sorted(auditor.get_all_permissions()) == ["experts.view_auditrecord", "wagtailadmin.access_admin"]


def test_audit_list_query_count_does_not_grow(client):
    from tests.queries import assert_constant_queries

    client.force_login(make_user(roles.AUDITOR, username="aud"))

    def make_rows(n):
        for _ in range(n - AuditRecord.objects.filter(action="test").count()):
            a_record()

    assert_constant_queries(make_rows, lambda: client.get("/admin/audit/"))
