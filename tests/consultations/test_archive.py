"""A review's archive (§33): what it holds, that its manifest matches every file (SHA-256 and SM3
recomputed), that tampering is caught, who may have it, that its digest is audited, and that a
failed build leaves nothing behind."""

import hashlib
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from consultations.archive.build import archive_directory, build_archive
from consultations.consolidation import services as consolidation
from experts import audit
from experts.models import AuditRecord
from reviews import manifest, sm3
from reviews.models import PlanVersion
from tests.conftest import make_user
from tests.consultations.conftest import panel_of
from tests.consultations.consolidation_setup import closed_review, staff_of
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

EXPECTED = {
    "README.txt",
    "review.json",
    "plan/version-1.docx",
    "plan/versions.json",
    "draw/record.json",
    "panel/declarations.json",
    "opinions/opinions.json",
    "discussion/comments.json",
    "consolidation/group-opinion.json",
    "responses/responses.json",
    "audit/audit.json",
    "documents/consolidation.pdf",
    "documents/record.pdf",
}


@pytest.fixture(autouse=True)
def _archives_in_a_temporary_place(settings, tmp_path):
    storages = {**settings.STORAGES}
    storages["private"] = {**storages["private"], "OPTIONS": {"location": tmp_path / "private", "base_url": None}}
    settings.STORAGES = storages


def consolidate(review, by):
    saved = consolidation.save_group_opinion(review, by=by, text="专家组认为该计划总体可行。", expected_version=0)
    for opinion in panel_of(review):
        consolidation.confirm_group_opinion(review, by=opinion.expert.user, version=saved.version)
    review.refresh_from_db()
    return review


@pytest.fixture
def review(secretariat_user):
    return consolidate(closed_review(secretariat_user), secretariat_user)


@pytest.fixture
def archive(review, secretariat_user):
    return build_archive(review, by=secretariat_user)


def replay_ok(record):
    return True, ["replayed"]


def members(path):
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def pdf_a_part(data):
    """The PDF/A part a PDF's XMP metadata declares (``pdfaid:part``), or ``None``."""
    import re

    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    if "/Metadata" not in root or "/OutputIntents" not in root:
        return None
    found = re.search(rb"pdfaid:part[^0-9]*([0-9])", root["/Metadata"].get_object().get_data())
    return found.group(1).decode() if found else None


def rewrite(path, target, change):
    """A copy of the archive at ``target`` with ``change(files)`` applied (a well-formed zip)."""
    files = members(path)
    change(files)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return target


def test_archive_of_a_consolidated_review_holds_each_part(archive, review):
    files = members(archive)

    assert set(files) - {"documents/draw-certificate.pdf"} == EXPECTED | {"manifest.json"}
    opinions = json.loads(files["opinions/opinions.json"])
    assert len(opinions) == 5
    assert all(o["versions"][0]["kind"] == "submitted" for o in opinions)  # no draft's content
    assert [o["changed_after_reading_others"] for o in opinions] == [False] * 5
    declarations = json.loads(files["panel/declarations.json"])["declarations"]
    accepted = [d for d in declarations if d["state"] == "accepted"]
    assert len(accepted) == 5
    assert all(d["no_conflict"] and d["confidentiality"] and d["responded_at"] for d in accepted)
    group = json.loads(files["consolidation/group-opinion.json"])
    assert group["text"] == "专家组认为该计划总体可行。"
    assert [a["kind"] for a in group["answers"]] == ["confirm"] * 5
    assert len(json.loads(files["responses/responses.json"])["points"]) == 10
    assert files["plan/version-1.docx"] == review.plan_version.document.open("rb").read()
    versions = json.loads(files["plan/versions.json"])
    assert versions[0]["sha256_at_upload"] == hashlib.sha256(files["plan/version-1.docx"]).hexdigest()
    assert pdf_a_part(files["documents/record.pdf"]) == "3"
    assert pdf_a_part(files["documents/consolidation.pdf"]) == "3"


def test_archive_manifest_matches_every_file_recomputed(archive, review):
    files = members(archive)
    listed = json.loads(files["manifest.json"])

    assert (listed["format"], listed["format_version"], listed["review"]) == ("review-archive", 1, review.pk)
    assert {row["path"] for row in listed["files"]} == set(files) - {"manifest.json"}
    for row in listed["files"]:
        data = files[row["path"]]
        assert row["size"] == len(data)
        assert row["sha256"] == hashlib.sha256(data).hexdigest()
        assert row["sm3"] == hashlib.new("sm3", data).hexdigest()


def test_archive_verifies_whole(archive):
    ok, lines = manifest.verify_archive(archive, replay_ok)

    assert ok
    assert lines[-1].startswith("OK archive of review")


def test_archive_audit_record_holds_the_manifest_digest(archive, review, secretariat_user):
    files = members(archive)
    record = AuditRecord.objects.get(action=audit.ARCHIVE_MADE)

    assert (record.object_type, record.object_id, record.actor_id) == ("reviews.review", str(review.pk),
                                                                        secretariat_user.pk)  # fmt: skip
    assert record.details["manifest_sha256"] == hashlib.sha256(files["manifest.json"]).hexdigest()
    assert record.details["manifest_sm3"] == sm3.PureSM3(files["manifest.json"]).hexdigest()
    assert record.details["file"] == Path(archive).name


def test_archive_with_one_byte_of_a_file_changed_is_not_ok(archive, tmp_path):
    def change(files):
        data = bytearray(files["opinions/opinions.json"])
        data[10] ^= 0x01
        files["opinions/opinions.json"] = bytes(data)

    ok, lines = manifest.verify_archive(rewrite(archive, tmp_path / "t.zip", change), replay_ok)

    assert not ok
    assert lines[-1].startswith("MISMATCH: opinions/opinions.json: SHA-256")


def test_archive_with_a_file_added_is_not_ok(archive, tmp_path):
    ok, lines = manifest.verify_archive(
        rewrite(archive, tmp_path / "t.zip", lambda f: f.update({"extra.txt": b"x"})), replay_ok
    )

    assert not ok
    assert lines[-1] == "MISMATCH: extra.txt is in the archive but not listed in the manifest"


def test_archive_with_the_manifest_edited_is_not_ok(archive, tmp_path):
    def change(files):
        listed = json.loads(files["manifest.json"])
        listed["files"][0]["sha256"] = "0" * 64
        files["manifest.json"] = json.dumps(listed).encode()

    ok, lines = manifest.verify_archive(rewrite(archive, tmp_path / "t.zip", change), replay_ok)

    assert not ok
    assert lines[-1].startswith("MISMATCH: ") and "does not match the manifest's 0000" in lines[-1]


def test_archive_truncated_is_not_ok(archive, tmp_path):
    target = tmp_path / "t.zip"
    target.write_bytes(Path(archive).read_bytes()[: os.path.getsize(archive) // 2])

    ok, lines = manifest.verify_archive(target, replay_ok)

    assert not ok
    assert lines[-1].startswith("MISMATCH: the file is not a readable zip archive")


def test_archive_before_consolidation_is_409(api_as, secretariat_user):
    review = closed_review(secretariat_user)

    response = api_as(secretariat_user).get(f"/api/v1/reviews/{review.pk}/archive.zip")

    assert response.status_code == 409
    assert "consolidated" in response.json()["detail"]
    assert not AuditRecord.objects.filter(action=audit.ARCHIVE_MADE).exists()


def test_archive_api_gives_the_zip_to_the_commission(review, api_as, commission_user):
    response = api_as(commission_user).get(f"/api/v1/reviews/{review.pk}/archive.zip")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    body = b"".join(response.streaming_content)
    assert zipfile.ZipFile(io.BytesIO(body)).read("review.json")


def test_archive_is_404_for_another_department_and_an_expert_off_the_panel(review, api_as):
    other = staff_of(OrganizationFactory(name="另一个委员会"), "other-planner")
    outsider = make_user("expert", username="outsider")

    for user in (other, outsider):
        assert api_as(user).get(f"/api/v1/reviews/{review.pk}/archive.zip").status_code == 404
    assert not AuditRecord.objects.filter(action=audit.ARCHIVE_MADE).exists()


def test_archive_is_403_for_the_own_department_and_the_panel(review, api_as):
    own = staff_of(review.plan.submitted_by, "planner")
    member = panel_of(review)[0].expert.user

    for user in (own, member):
        assert api_as(user).get(f"/api/v1/reviews/{review.pk}/archive.zip").status_code == 403


def test_archive_that_fails_to_build_leaves_no_file_and_no_record(review, secretariat_user):
    version = PlanVersion.objects.get(pk=review.plan_version_id)
    Path(version.document.path).unlink()  # one part cannot be read

    with pytest.raises(FileNotFoundError):
        build_archive(review, by=secretariat_user)

    assert list(archive_directory(review).iterdir()) == []
    assert not AuditRecord.objects.filter(action=audit.ARCHIVE_MADE).exists()


def test_portal_button_downloads_the_archive_for_the_secretariat(review, client, secretariat_user):
    client.force_login(secretariat_user)

    page = client.get(f"/portal/reviews/{review.pk}/consolidation/")
    response = client.get(f"/portal/reviews/{review.pk}/archive.zip")

    assert f"/portal/reviews/{review.pk}/archive.zip".encode() in page.content
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="review-{review.pk}-archive.zip"'


def test_verifier_cli_checks_the_archive_with_a_clean_environment(archive, review):
    env = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}

    run = subprocess.run([sys.executable, "-m", "reviews.verify", str(archive)], cwd=settings.BASE_DIR, env=env,
                         capture_output=True, text=True, timeout=120)  # fmt: skip

    lines = run.stdout.strip().splitlines()
    assert run.returncode == 0, run.stdout + run.stderr
    assert lines[-1].startswith("OK")
    assert [line for line in lines if line.strip().startswith(f"Review {review.pk}, panel (")] != []


def test_admin_reviews_list_links_the_archive_of_a_consolidated_review(review, client, secretariat_user):
    client.force_login(secretariat_user)

    page = client.get("/admin/reviews/")

    assert page.status_code == 200
    assert f"/portal/reviews/{review.pk}/archive.zip".encode() in page.content
