"""Photos: checked by Pillow before anything is stored; cleaned, re-encoded, thumbnailed."""

import io
import os
import struct
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from experts import services
from tests.experts.conftest import gps_exif, jpeg_bytes, new_expert


def stored_files():
    root = settings.MEDIA_ROOT / "experts"
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def bomb_png(width=20000, height=20000):
    """A tiny PNG that claims 400 million pixels (all zero rows, deflated)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def noisy_jpeg(min_bytes):
    """A JPEG of random noise larger than ``min_bytes``."""
    side = 2000
    while True:
        image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=100)
        if buffer.tell() > min_bytes:
            return buffer.getvalue()
        side += 500


def refuse(expert, data, name):
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.set_expert_photo(expert, upload=SimpleUploadedFile(name, data), by=None)
    expert.refresh_from_db()
    return caught.value.messages, bool(expert.photo), stored_files()


def test_photo_decompression_bomb_png_is_refused_and_nothing_stored(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()

    result = refuse(expert, bomb_png(), "bomb.png")

    assert result == (["The photo has more than 40 million pixels. Please choose a smaller image."], False, [])


def test_photo_text_file_named_jpg_is_refused(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()

    result = refuse(expert, b"this is a text file, not a photo\n" * 10, "photo.jpg")

    assert result == (["The file is not a JPEG, PNG or WebP image, or it is damaged."], False, [])


def test_photo_six_megabytes_is_refused(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()
    data = noisy_jpeg(6 * 1024 * 1024)

    result = refuse(expert, data, "big.jpg")

    assert result == (["The photo is larger than 5 MB. Please choose a smaller file."], False, [])


def test_photo_truncated_jpeg_is_refused(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()
    data = jpeg_bytes((800, 800))

    result = refuse(expert, data[: len(data) // 2], "cut.jpg")

    assert result == (["The file is not a JPEG, PNG or WebP image, or it is damaged."], False, [])


def test_photo_gif_is_refused(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()
    buffer = io.BytesIO()
    Image.new("RGB", (50, 50)).save(buffer, "GIF")

    result = refuse(expert, buffer.getvalue(), "a.gif")

    assert result == (["The file is not a JPEG, PNG or WebP image, or it is damaged."], False, [])


def test_photo_accepted_jpeg_is_served_without_exif_or_gps(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()
    original = jpeg_bytes((1200, 1500), exif=gps_exif())
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)  # the upload does carry GPS

    services.set_expert_photo(expert, upload=SimpleUploadedFile("me.jpg", original, "image/jpeg"), by=None)

    expert.refresh_from_db()
    with expert.photo.open("rb") as stored:  # the file the media URL serves
        served = stored.read()
    image = Image.open(io.BytesIO(served))
    assert (image.format, dict(image.getexif()), "exif" in image.info) == ("JPEG", {}, False)
    assert expert.photo.url.startswith("/media/experts/photos/") and "me" not in expert.photo.name
    assert image.size == (480, 600)
    assert Image.open(expert.photo_thumb.path).size == (160, 200)
    assert served != original


def test_photo_original_is_never_stored(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()
    original = jpeg_bytes((300, 300), exif=gps_exif())

    services.set_expert_photo(expert, upload=SimpleUploadedFile("me.jpg", original, "image/jpeg"), by=None)

    contents = [path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()]
    assert len(contents) == 2
    assert original not in contents


def test_photo_orientation_is_applied(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    data = jpeg_bytes((600, 300), exif=exif)

    services.set_expert_photo(expert, upload=SimpleUploadedFile("me.jpg", data, "image/jpeg"), by=None)

    expert.refresh_from_db()
    width, height = Image.open(expert.photo.path).size
    assert height > width


def test_photo_replacing_removes_the_old_files(db, settings, tmp_path, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    expert = new_expert()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_expert_photo(expert, upload=SimpleUploadedFile("a.jpg", jpeg_bytes()), by=None)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_expert_photo(expert, upload=SimpleUploadedFile("b.jpg", jpeg_bytes(colour=(1, 2, 3))), by=None)

    assert len([path for path in tmp_path.rglob("*") if path.is_file()]) == 2
