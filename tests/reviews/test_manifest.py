"""The archive's manifest and its offline check (``reviews.manifest``), and SM3 (GB/T 32905-2016):
plain Python, no database."""

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from reviews import manifest, sm3

ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
ABCD_16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
MADE = datetime(2026, 3, 1, 9, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
FILES = {"review.json": b'{"review": 7}\n', "draw/record.json": b'{"format": "x"}', "plan/version-1.pdf": b"%PDF" * 99}


def replay_ok(record):
    return True, ["replayed"]


def write(path, files=FILES):
    with open(path, "wb") as handle:
        writer = manifest.ArchiveWriter(handle, review_id=7, created_at=MADE)
        for name, data in files.items():
            writer.add(name, data)
        return writer.finish()


def rezip(path, target, change):
    with zipfile.ZipFile(path) as z:
        files = {name: z.read(name) for name in z.namelist()}
    change(files)
    with zipfile.ZipFile(target, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    return target


@pytest.fixture
def archive(tmp_path):
    path = tmp_path / "a.zip"
    write(path)
    return path


def test_sm3_of_the_standards_vectors():
    assert sm3.hexdigest(b"abc") == ABC
    assert sm3.hexdigest(b"abcd" * 16) == ABCD_16


def test_pure_sm3_gives_the_standards_vectors_and_openssls_answers():
    assert sm3.PureSM3(b"abc").hexdigest() == ABC
    assert sm3.PureSM3(b"abcd" * 16).hexdigest() == ABCD_16
    for size in (0, 1, 55, 56, 63, 64, 65, 119, 120, 1000):
        data = os.urandom(size)
        assert sm3.PureSM3(data).hexdigest() == hashlib.new("sm3", data).hexdigest()


def test_pure_sm3_fed_in_pieces_equals_one_piece():
    whole = sm3.PureSM3(b"x" * 350).hexdigest()
    pieces = sm3.PureSM3()
    for _ in range(50):
        pieces.update(b"x" * 7)

    assert pieces.hexdigest() == whole


def test_manifest_lists_every_file_with_size_and_both_digests(archive):
    with zipfile.ZipFile(archive) as z:
        listed = json.loads(z.read("manifest.json"))

    assert listed == {
        "format": "review-archive",
        "format_version": 1,
        "review": 7,
        "created_at": "2026-03-01T09:30:00+08:00",
        "digests": ["sha256", "sm3"],
        "record": "draw/record.json",
        "files": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "sm3": sm3.hexdigest(data)}
            for name, data in sorted(FILES.items())
        ],
    }


def test_finish_returns_the_digest_of_the_manifests_exact_bytes(tmp_path):
    own = write(tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as z:
        raw = z.read("manifest.json")

    assert own == {"sha256": hashlib.sha256(raw).hexdigest(), "sm3": sm3.hexdigest(raw)}


def test_verify_archive_ok_ends_with_ok_and_prints_the_manifest_digest(archive):
    ok, lines = manifest.verify_archive(archive, replay_ok)

    with zipfile.ZipFile(archive) as z:
        raw = z.read("manifest.json")
    assert ok
    assert f"manifest.json SM3     {sm3.hexdigest(raw)}" in lines
    assert "  replayed" in lines
    assert lines[-1].startswith("OK archive of review 7: 3 files match")


def test_verify_archive_with_one_byte_changed_names_the_file(archive, tmp_path):
    def change(files):
        files["review.json"] = b'{"review": 8}\n'

    ok, lines = manifest.verify_archive(rezip(archive, tmp_path / "t.zip", change), replay_ok)

    assert not ok
    assert lines[-1].startswith("MISMATCH: review.json: SHA-256 ")


def test_verify_archive_with_a_raw_byte_flipped_is_not_ok(archive, tmp_path):
    with zipfile.ZipFile(archive) as z:
        first = z.infolist()[0]
    raw = bytearray(archive.read_bytes())
    raw[first.header_offset + 30 + len(first.filename.encode()) + 1] ^= 0xFF  # in its compressed data
    target = tmp_path / "t.zip"
    target.write_bytes(bytes(raw))

    ok, lines = manifest.verify_archive(target, replay_ok)

    assert not ok
    assert lines[-1].startswith("MISMATCH: ")


def test_verify_archive_with_a_listed_file_missing_is_not_ok(archive, tmp_path):
    ok, lines = manifest.verify_archive(
        rezip(archive, tmp_path / "t.zip", lambda f: f.pop("plan/version-1.pdf")), replay_ok
    )

    assert (ok, lines[-1]) == (
        False,
        "MISMATCH: plan/version-1.pdf is listed in the manifest but missing from the archive",
    )


def test_verify_archive_without_a_manifest_is_not_ok(archive, tmp_path):
    ok, lines = manifest.verify_archive(rezip(archive, tmp_path / "t.zip", lambda f: f.pop("manifest.json")), replay_ok)

    assert (ok, lines) == (False, ["MISMATCH: the archive has no manifest.json"])


def test_verify_archive_with_a_path_leaving_the_archive_is_not_ok(archive, tmp_path):
    ok, lines = manifest.verify_archive(
        rezip(archive, tmp_path / "t.zip", lambda f: f.update({"../evil.txt": b"x"})), replay_ok
    )

    assert (ok, lines) == (False, ["MISMATCH: unsafe name in the archive: '../evil.txt'"])


def test_verify_archive_with_a_manifest_not_json_is_not_ok(archive, tmp_path):
    ok, lines = manifest.verify_archive(
        rezip(archive, tmp_path / "t.zip", lambda f: f.update({"manifest.json": b"{not json"})), replay_ok
    )

    assert not ok
    assert lines[-1].startswith("MISMATCH: manifest.json is not valid UTF-8 JSON")


def test_verify_archive_of_a_truncated_or_empty_file_is_not_ok(archive, tmp_path):
    for content in (archive.read_bytes()[:-30], b"", b"PK\x03\x04garbage"):
        target = tmp_path / "t.zip"
        target.write_bytes(content)

        ok, lines = manifest.verify_archive(target, replay_ok)

        assert not ok
        assert lines[-1].startswith("MISMATCH: ")


def test_verify_archive_whose_draw_does_not_replay_is_not_ok(archive):
    ok, lines = manifest.verify_archive(archive, lambda record: (False, ["MISMATCH: the panel differs"]))

    assert not ok
    assert lines[-2:] == [
        "  MISMATCH: the panel differs",
        "MISMATCH: draw/record.json: the draw record does not replay",
    ]


def test_verify_archive_whose_replay_raises_is_not_ok_and_does_not_raise(archive):
    def broken(record):
        raise KeyError("members")

    ok, lines = manifest.verify_archive(archive, broken)

    assert not ok
    assert lines[-1].startswith("MISMATCH: draw/record.json: the draw could not be replayed (KeyError")


def test_writer_refuses_an_unsafe_path(tmp_path):
    with open(tmp_path / "a.zip", "wb") as handle:
        writer = manifest.ArchiveWriter(handle, review_id=1, created_at=MADE)
        for name in ("../x", "/etc/passwd", "a//b", "manifest.json", "c:\\x"):
            with pytest.raises(ValueError):
                writer.add(name, b"")
        writer.close()


def test_manifest_module_imports_without_django(tmp_path):
    env = {"PATH": os.environ.get("PATH", "")}
    code = "import sys, reviews.manifest; assert not any(m.startswith('django') for m in sys.modules)"

    run = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parents[2], env=env, capture_output=True)

    assert run.returncode == 0, run.stderr.decode()
