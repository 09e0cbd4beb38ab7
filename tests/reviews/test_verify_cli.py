"""``python -m reviews.verify FILE`` from the project root, in a clean environment (no settings,
no database, no network): a record verifies, any change that matters is named, a corrupt file
is an answer and exit 1, never a traceback."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reviews.draw import services as draw_services
from reviews.draw.selectors import draw_record
from tests.reviews.conftest import schedule
from tests.reviews.test_draw_commitment import INPUTS, SIGNATURE, VALUE, committed

ROOT = Path(__file__).resolve().parents[2]


def verify(path):
    """Run the verifier as an inspector would: ``env -i PATH=... python -m reviews.verify FILE``."""
    result = subprocess.run(
        [sys.executable, "-m", "reviews.verify", str(path)],
        cwd=ROOT, env={"PATH": "/usr/bin:/bin"}, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    assert "Traceback" not in result.stdout + result.stderr
    return result.returncode, lines


def write(tmp_path, data, name="record.json"):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@pytest.fixture
def witnessed(review, secretariat_user):
    committed(review, secretariat_user)
    draw = draw_services.reveal_draw(
        review, by=secretariat_user, beacon_value=VALUE, beacon_signature=SIGNATURE, witness_inputs=INPUTS
    )
    return draw_record(draw)


def test_witnessed_record_verifies_ok(tmp_path, witnessed):
    code, lines = verify(write(tmp_path, witnessed))

    assert code == 0
    assert lines[-1].startswith("OK draw ")
    assert any(line.startswith("Public value drand quicknet 657413") for line in lines)
    assert any(line.startswith("Review ") and "panel (5)" in line for line in lines)


def test_unwitnessed_record_verifies_ok(tmp_path, drawn):
    code, lines = verify(write(tmp_path, draw_record(drawn.draw)))

    assert code == 0
    assert lines[-1].startswith("OK draw ")
    assert any(line.startswith("Unwitnessed draw") for line in lines)


def _pool_entry(data):
    data["members"][0]["commitment"]["pool"][0][1] = (
        "scholar" if data["members"][0]["commitment"]["pool"][0][1] != "scholar" else "specialist"
    )


def _witness_input(data):
    data["reveal"]["witness_inputs"][1] = "秋雨"


def _beacon_value(data):
    data["reveal"]["beacon_value"] = "0" * 64


def _selected(data):
    data["members"][0]["selected"] = list(reversed(data["members"][0]["selected"]))


def _digest(data):
    data["members"][0]["commitment"]["digest"] = "f" * 64


def _witness_name(data):
    data["members"][0]["commitment"]["witnesses"][0] = "某人"


@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        (_pool_entry, "the pool does not match its hash"),
        (_witness_input, "the seed derived from the commitment"),
        (_beacon_value, "the public value"),
        (_selected, "replaying gives the panel"),
        (_digest, "the commitment's digest is"),
        (_witness_name, "the commitment's digest is"),
    ],
)
def test_tampered_record_exits_1_naming_the_mismatch(tmp_path, witnessed, tamper, named):
    tamper(witnessed)

    code, lines = verify(write(tmp_path, witnessed))

    assert code == 1
    assert lines[-1].startswith("MISMATCH: ")
    assert named in lines[-1]


def test_batch_record_lists_every_member_and_verifies(tmp_path, plan, secretariat_user, roster):
    reviews = [schedule(plan, secretariat_user) for _ in range(2)]
    draws, _stats = draw_services.batch_draw_reviews(reviews, by=secretariat_user, seed="年度会议")
    data = draw_record(draws[1])

    code, lines = verify(write(tmp_path, data))

    assert [member["review"] for member in data["members"]] == sorted(r.pk for r in reviews)
    assert code == 0
    assert lines[-1].startswith(f"OK draw {draws[1].pk} ")


def test_batch_record_with_a_changed_member_panel_exits_1(tmp_path, plan, secretariat_user, roster):
    reviews = [schedule(plan, secretariat_user) for _ in range(2)]
    draws, _stats = draw_services.batch_draw_reviews(reviews, by=secretariat_user)
    data = draw_record(draws[0])
    data["members"][1]["alternates"] = data["members"][1]["alternates"][1:]

    code, lines = verify(write(tmp_path, data))

    assert code == 1
    assert "replaying gives the alternates" in lines[-1]


@pytest.mark.parametrize(
    "content",
    [b'{"format": "draw-record/1", "members": [', b"\x89PNG\r\n\x1a\n\x00\x00", b"[1, 2, 3]", b"", b'{"format": 1}'],
)
def test_corrupt_file_exits_1_without_a_traceback(tmp_path, content):
    path = tmp_path / "record.json"
    path.write_bytes(content)

    code, lines = verify(path)

    assert code == 1
    assert lines[-1].startswith("MISMATCH: ")


def test_truncated_real_record_exits_1(tmp_path, drawn):
    text = json.dumps(draw_record(drawn.draw))
    path = tmp_path / "record.json"
    path.write_text(text[: len(text) // 2], encoding="utf-8")

    code, lines = verify(path)

    assert (code, lines[-1].startswith("MISMATCH: ")) == (1, True)
    assert "truncated or corrupt" in lines[-1]


def test_missing_file_exits_1(tmp_path):
    code, lines = verify(tmp_path / "absent.json")

    assert (code, lines[-1].startswith("MISMATCH: cannot read")) == (1, True)
