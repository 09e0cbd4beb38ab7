"""A review's archive (§33) as a .zip that checks itself: the format of its ``manifest.json``,
the writer, and ``verify_archive`` (the offline verifier's check of an archive). Plain Python,
no Django: ``python -m reviews.verify archive.zip`` runs it with no settings, no database and no
network. The format is described for a second implementation in docs/archive.md.

The manifest lists every other file of the archive with its size, SHA-256 and SM3 (GB/T
32905-2016). The manifest's own digest is the SHA-256 and the SM3 of the exact bytes of
``manifest.json`` as stored in the archive; the system records it in its audit trail when it
makes the archive, and the verifier prints it so that the two can be compared.
"""

import hashlib
import json
import re
import zipfile
from datetime import datetime

from reviews import sm3

FORMAT = "review-archive"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RECORD = "draw/record.json"

MAX_ENTRIES = 20_000
MAX_MANIFEST_BYTES = 50 * 1024 * 1024
MAX_TOTAL_BYTES = 16 * 1024**3
CHUNK = 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SEGMENT = re.compile(r"^[^\x00-\x1f\x7f\\/:*?\"<>|]+$")


# ---------------------------------------------------------------- digests


def digests(data):
    """``{"sha256", "sm3"}`` of ``data`` (bytes), as lowercase hex."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "sm3": sm3.hexdigest(data)}


def safe_path(name):
    """Whether ``name`` is a safe relative path inside an archive: forward slashes, no empty,
    ``.`` or ``..`` segment, no drive, no control or reserved character."""
    if not isinstance(name, str) or not name or len(name) > 400 or name.startswith("/"):
        return False
    return all(segment not in (".", "..") and _SEGMENT.match(segment) for segment in name.split("/"))


def manifest_bytes(files, *, review_id, created_at, record=RECORD):
    """The bytes of ``manifest.json``: ``files`` is ``[{"path", "size", "sha256", "sm3"}]``;
    ``created_at`` an aware ``datetime``. UTF-8 JSON, keys sorted, two-space indent, one final
    newline (the digest is over these bytes; a verifier needs no canonical form)."""
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "review": review_id,
        "created_at": created_at.isoformat(),
        "digests": ["sha256", "sm3"],
        "record": record,
        "files": sorted(files, key=lambda row: row["path"]),
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")


class ArchiveWriter:
    """Writes an archive into ``fileobj`` (a binary file open for writing): ``add`` each file,
    then ``finish`` writes the manifest and returns its own digest ``{"sha256", "sm3"}``."""

    def __init__(self, fileobj, *, review_id, created_at):
        self.review_id = review_id
        self.created_at = created_at
        self.rows = []
        self._stamp = created_at.timetuple()[:6]
        self._zip = zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED)

    def add(self, path, data):
        if not safe_path(path) or path == MANIFEST or any(row["path"] == path for row in self.rows):
            raise ValueError(f"not a usable archive path: {path!r}")
        info = zipfile.ZipInfo(path, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, data)
        self.rows.append({"path": path, "size": len(data), **digests(data)})

    def close(self):
        """Close the zip (after ``finish`` it is already closed; after a failure it is abandoned,
        so a second failure while closing it is not raised over the first)."""
        try:
            self._zip.close()
        except (OSError, ValueError):
            pass

    def finish(self, *, record=RECORD):
        listed = {row["path"] for row in self.rows}
        content = manifest_bytes(
            self.rows, review_id=self.review_id, created_at=self.created_at, record=record if record in listed else None
        )
        info = zipfile.ZipInfo(MANIFEST, date_time=self._stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        self._zip.writestr(info, content)
        self._zip.close()
        return digests(content)


# ---------------------------------------------------------------- the check


class Mismatch(Exception):
    """The first thing about the archive that does not hold."""


def verify_archive(path, check_record):
    """Check the archive at ``path`` whole: ``(ok, lines)``, never an exception.

    Every entry has a safe name and is listed once; every listed file is there with its size,
    SHA-256 and SM3; the draw record named by the manifest is handed to
    ``check_record(record_dict)`` (the verifier's replay, returning ``(ok, lines)``), whose lines
    are added. On success the last line starts with ``OK``; otherwise it starts with
    ``MISMATCH`` and names the first thing that does not hold."""
    lines = []
    try:
        with zipfile.ZipFile(path) as archive:
            ok = _verify(archive, check_record, lines)
    except Mismatch as error:
        lines.append(f"MISMATCH: {error}")
        return False, lines
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError) as error:
        lines.append(f"MISMATCH: the file is not a readable zip archive ({error})")
        return False, lines
    except Exception as error:  # the verifier says what is wrong, it never crashes
        lines.append(f"MISMATCH: the archive cannot be checked ({type(error).__name__}: {error})")
        return False, lines
    return ok, lines


def _verify(archive, check_record, lines):
    entries = _entries(archive)
    manifest, raw = _manifest(archive, entries)
    listed = {row["path"]: row for row in manifest["files"]}
    lines.append(
        f"Archive of review {manifest['review']}, made {manifest['created_at']} "
        f"(format {manifest['format']} {manifest['format_version']}), {len(listed)} files"
    )
    own = digests(raw)
    lines.append(f"{MANIFEST} SHA-256 {own['sha256']}")
    lines.append(f"{MANIFEST} SM3     {own['sm3']}")
    for name in listed:
        if name not in entries:
            raise Mismatch(f"{name} is listed in the manifest but missing from the archive")
    for name in entries:
        if name != MANIFEST and name not in listed:
            raise Mismatch(f"{name} is in the archive but not listed in the manifest")
    for name, row in listed.items():
        _check_file(archive, entries[name], row)
        lines.append(f"  ok  {name} ({row['size']} bytes)")
    replayed = _check_record(archive, manifest, check_record, lines)
    if not replayed:
        return False
    what = "the draw replays" if manifest.get("record") else "no draw record to replay"
    lines.append(
        f"OK archive of review {manifest['review']}: {len(listed)} files match their SHA-256 and SM3; {what}; "
        f"manifest SHA-256 {own['sha256']}"
    )
    return True


def _entries(archive):
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise Mismatch(f"the archive has {len(infos)} entries (at most {MAX_ENTRIES})")
    entries = {}
    for info in infos:
        if not safe_path(info.filename):
            raise Mismatch(f"unsafe name in the archive: {info.filename!r}")
        if info.filename in entries:
            raise Mismatch(f"{info.filename} appears twice in the archive")
        if info.flag_bits & 0x1:
            raise Mismatch(f"{info.filename} is encrypted")
        entries[info.filename] = info
    return entries


def _manifest(archive, entries):
    info = entries.get(MANIFEST)
    if info is None:
        raise Mismatch(f"the archive has no {MANIFEST}")
    if info.file_size > MAX_MANIFEST_BYTES:
        raise Mismatch(f"{MANIFEST} is too large ({info.file_size} bytes)")
    raw = archive.read(info)
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Mismatch(f"{MANIFEST} is not valid UTF-8 JSON ({error})") from None
    _check_manifest_shape(manifest)
    return manifest, raw


def _check_manifest_shape(manifest):
    if not isinstance(manifest, dict):
        raise Mismatch(f"{MANIFEST} is not a JSON object")
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise Mismatch(f"{MANIFEST} is not format {FORMAT} {FORMAT_VERSION}")
    for key in ("review", "created_at", "files"):
        if key not in manifest:
            raise Mismatch(f"{MANIFEST} has no {key!r}")
    if not isinstance(manifest["files"], list):
        raise Mismatch(f"{MANIFEST}: 'files' is not a list")
    seen, total = set(), 0
    for index, row in enumerate(manifest["files"]):
        problem = _row_problem(row)
        if problem:
            raise Mismatch(f"{MANIFEST}: file {index + 1} {problem}")
        if row["path"] in seen:
            raise Mismatch(f"{MANIFEST} lists {row['path']} twice")
        seen.add(row["path"])
        total += row["size"]
    if total > MAX_TOTAL_BYTES:
        raise Mismatch(f"{MANIFEST} lists {total} bytes (at most {MAX_TOTAL_BYTES})")
    record = manifest.get("record")
    if record is not None and record not in seen:
        raise Mismatch(f"{MANIFEST} names the draw record {record!r}, which it does not list")
    try:
        datetime.fromisoformat(str(manifest["created_at"]))
    except ValueError:
        raise Mismatch(f"{MANIFEST}: 'created_at' is not an ISO 8601 time") from None


def _row_problem(row):
    if not isinstance(row, dict):
        return "is not an object"
    if not safe_path(row.get("path")) or row.get("path") == MANIFEST:
        return f"has an unsafe or missing path ({row.get('path')!r})"
    size = row.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"({row['path']}) has no valid size"
    for key in ("sha256", "sm3"):
        if not isinstance(row.get(key), str) or not _HEX64.match(row[key]):
            return f"({row['path']}) has no valid {key}"
    return ""


def _check_file(archive, info, row):
    name = row["path"]
    if info.file_size != row["size"]:
        raise Mismatch(f"{name}: size {info.file_size} bytes, the manifest says {row['size']}")
    sha, sm = hashlib.sha256(), sm3.new()
    read = 0
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                if read > row["size"]:
                    raise Mismatch(f"{name}: longer than the {row['size']} bytes the manifest says")
                sha.update(chunk)
                sm.update(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
        raise Mismatch(f"{name} is damaged in the archive ({error})") from None
    if read != row["size"]:
        raise Mismatch(f"{name}: {read} bytes, the manifest says {row['size']}")
    if sha.hexdigest() != row["sha256"]:
        raise Mismatch(f"{name}: SHA-256 {sha.hexdigest()} does not match the manifest's {row['sha256']}")
    if sm.hexdigest() != row["sm3"]:
        raise Mismatch(f"{name}: SM3 {sm.hexdigest()} does not match the manifest's {row['sm3']}")


def _check_record(archive, manifest, check_record, lines):
    """Replay the draw record named by the manifest (its bytes are checked above)."""
    name = manifest.get("record")
    if not name:
        lines.append("This archive holds no draw record.")
        return True
    try:
        record = json.loads(archive.read(name).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        raise Mismatch(f"{name} is not valid UTF-8 JSON ({error})") from None
    lines.append(f"Draw record {name}:")
    try:
        outcome = check_record(record)
    except Exception as error:  # a replay that breaks is a mismatch, not a crash
        raise Mismatch(f"{name}: the draw could not be replayed ({type(error).__name__}: {error})") from None
    ok, record_lines = outcome if isinstance(outcome, tuple) else (bool(outcome), [])
    lines.extend(f"  {line}" for line in record_lines)
    if not ok:
        lines.append(f"MISMATCH: {name}: the draw record does not replay")
    return bool(ok)
