"""Checks shared by every upload: archives that would explode when opened, and file names."""

import unicodedata
from pathlib import PurePosixPath, PureWindowsPath

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_MEMBERS = 2000
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100  # a Word document compresses about 5-10 times; a zip bomb thousands


def check_archive(archive):
    """Refuse a zip (a .docx, an .xlsx) whose members are too many, unpack too large, compress
    suspiciously well, or have paths that leave the archive. Reads the directory, not the data."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise ValidationError(_("The file holds too many parts to be a document."), code="archive")
    total = 0
    for member in members:
        total += member.file_size
        name = member.filename.replace("\\", "/")
        if name.startswith("/") or ".." in PurePosixPath(name).parts:
            raise ValidationError(_("The file holds a part with an unsafe name."), code="archive")
        if (
            member.compress_size
            and member.file_size / member.compress_size > MAX_RATIO
            and member.file_size > 1_000_000
        ):
            raise ValidationError(_("The file expands far beyond its size when opened."), code="archive")
    if total > MAX_UNPACKED_BYTES:
        raise ValidationError(_("The file expands far beyond its size when opened."), code="archive")


def safe_filename(name, *, max_length=120):
    """The last component of an uploaded file's name, without control characters or path
    separators; what is shown and offered as a download name, never used as a path."""
    base = PureWindowsPath(PurePosixPath(str(name or "")).name).name
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C" and ch not in '/\\:*?"<>|')
    cleaned = cleaned.strip(" .")
    if len(cleaned) > max_length:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: max_length - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else cleaned[:max_length]
    return cleaned or "document"
