"""A backup restored into an empty database holds every opinion version and audit record."""

import os
import sqlite3

import pytest
from django.core.management import call_command
from django.db import connection

from consultations.opinions.models import OpinionVersion
from experts.backup import restore
from experts.models import AuditRecord
from reviews.models import PlanVersion
from tests.security.world import CLOSED, build_world

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]


def counts_in(database, tables):
    if connection.vendor == "postgresql":
        import psycopg

        with psycopg.connect(
            host=database["HOST"], port=database.get("PORT") or 5432, user=database["USER"], dbname=database["NAME"]
        ) as db:
            return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}  # noqa: S608
    with sqlite3.connect(database["NAME"]) as db:
        return {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in tables}  # noqa: S608


def empty_database(tmp_path):
    settings_dict = dict(connection.settings_dict)
    if connection.vendor != "postgresql":
        return {**settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}, lambda: None
    import psycopg

    name = f"{settings_dict['NAME']}_restore_{os.getpid()}"
    admin = {
        "host": settings_dict["HOST"],
        "port": settings_dict.get("PORT") or 5432,
        "user": settings_dict["USER"],
        "dbname": "postgres",
    }
    with psycopg.connect(**admin, autocommit=True) as db:
        db.execute(f'DROP DATABASE IF EXISTS "{name}"')
        db.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(**admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return {**settings_dict, "NAME": name}, drop


def test_backup_restores_every_opinion_version_audit_record_and_file(tmp_path, settings):
    build_world(CLOSED)
    expected = {
        "consultations_opinionversion": OpinionVersion.objects.count(),
        "experts_auditrecord": AuditRecord.objects.count(),
        "reviews_planversion": PlanVersion.objects.count(),
    }
    document = PlanVersion.objects.get().document.name
    assert expected["consultations_opinionversion"] > 0 and expected["experts_auditrecord"] > 0

    call_command("backup_data", str(tmp_path / "backup"))
    database, drop = empty_database(tmp_path)
    settings.MEDIA_ROOT = tmp_path / "restored" / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "restored" / "private"
    try:
        restore(tmp_path / "backup", database=database)
        restored = counts_in(database, expected)
    finally:
        drop()

    assert restored == expected
    assert (tmp_path / "restored" / "private" / document).is_file()


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    from django.core.management.base import CommandError

    call_command("backup_data", str(tmp_path / "backup"))
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore_data", str(tmp_path / "backup"))
