"""Backups: the database (pg_dump custom format on PostgreSQL, SQLite's online backup API on the
embedded default) and the uploaded files (media and private storage) as one tar archive.

``manage.py backup_data DIR`` writes ``DIR/database.dump`` (or ``database.sqlite3``),
``DIR/files.tar`` and ``DIR/manifest.json``; ``manage.py restore_data DIR`` puts them back into
an empty database and empty file stores. docs/security.md has the procedure.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

PG_DUMP = shutil.which("pg_dump") or "/usr/bin/pg_dump"
PG_RESTORE = shutil.which("pg_restore") or "/usr/bin/pg_restore"


def _pg_env(db):
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db):
    args = []
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    return args


def _file_roots():
    return {"media": Path(settings.MEDIA_ROOT), "private": Path(settings.PRIVATE_MEDIA_ROOT)}


def backup(directory):
    """Write a backup of the database and the files into ``directory``; return the manifest."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        target = directory / "database.dump"
        subprocess.run(  # noqa: S603
            [PG_DUMP, "-Fc", "--no-owner", "-f", str(target), *_pg_args(db), db["NAME"]],
            check=True,
            env=_pg_env(db),
        )
    else:
        target = directory / "database.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as out:
            connection.connection.backup(out)
    with tarfile.open(directory / "files.tar", "w") as archive:
        for name, root in _file_roots().items():
            if root.exists():
                archive.add(root, arcname=name)
    manifest = {"created_at": timezone.now().isoformat(), "vendor": connection.vendor, "database": target.name}
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2))
    return manifest


def restore(directory, *, database=None):
    """Restore ``directory`` into ``database`` (a settings dict; default: this project's), which
    must be empty, and the files into the configured stores."""
    directory = Path(directory)
    manifest = json.loads((directory / "manifest.json").read_text())
    db = database or connection.settings_dict
    if manifest["vendor"] == "postgresql":
        subprocess.run(  # noqa: S603
            [
                PG_RESTORE,
                "--no-owner",
                "--exit-on-error",
                "-d",
                db["NAME"],
                *_pg_args(db),
                str(directory / manifest["database"]),
            ],
            check=True,
            env=_pg_env(db),
        )
    else:
        shutil.copyfile(directory / manifest["database"], db["NAME"])
    with tarfile.open(directory / "files.tar") as archive:
        roots = _file_roots()
        for member in archive.getmembers():
            top = member.name.split("/", 1)[0]
            if top in roots:
                archive.extract(member, roots[top].parent / "restore-tmp", filter="data")
        for name, root in roots.items():
            extracted = root.parent / "restore-tmp" / name
            if extracted.exists():
                root.mkdir(parents=True, exist_ok=True)
                shutil.copytree(extracted, root, dirs_exist_ok=True)
        shutil.rmtree(roots["media"].parent / "restore-tmp", ignore_errors=True)
    return manifest
