"""Photo checks and processing: everything is verified before anything is stored.

The uploaded file itself is never kept: it is decoded, turned upright, stripped of its metadata
(EXIF, GPS) by re-encoding, and only the re-encoded images are stored and served.
"""

import io
import uuid
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}
DISPLAY_SIZE = (480, 600)
THUMB_SIZE = (160, 200)


def read_upload(upload):
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB. Please choose a smaller file."), code="too_large")
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB. Please choose a smaller file."), code="too_large")
    return data


def decode(data):
    """Open and fully decode an image, refusing anything that is not a sound JPEG, PNG or WebP."""
    invalid = ValidationError(_("The file is not a JPEG, PNG or WebP image, or it is damaged."), code="invalid")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe = Image.open(io.BytesIO(data))
            if probe.format not in ALLOWED_FORMATS:
                raise invalid
            width, height = probe.size
            if width * height > MAX_PIXELS:
                raise ValidationError(
                    _("The photo has more than 40 million pixels. Please choose a smaller image."),
                    code="too_many_pixels",
                )
            probe.verify()  # checks the file's structure; the object is unusable afterwards
            image = Image.open(io.BytesIO(data))
            # WeasyPrint (the PDF documents) sets this module-wide flag to True when imported; a
            # photo must never be accepted half-decoded, whatever was imported before.
            ImageFile.LOAD_TRUNCATED_IMAGES = False
            image.load()  # decodes every pixel: a truncated file fails here
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("The photo has more than 40 million pixels. Please choose a smaller image."), code="too_many_pixels"
        ) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise invalid from None
    return image


def render(image, size):
    upright = ImageOps.exif_transpose(image).convert("RGB")
    upright.thumbnail(size, Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    upright.save(buffer, "JPEG", quality=85, optimize=True)  # no exif= argument: no metadata
    return buffer.getvalue()


def process_photo(upload):
    """Return ``(display, thumbnail)`` as ``ContentFile`` JPEGs, or raise ``ValidationError``."""
    image = decode(read_upload(upload))
    stem = uuid.uuid4().hex
    return (
        ContentFile(render(image, DISPLAY_SIZE), name=f"{stem}.jpg"),
        ContentFile(render(image, THUMB_SIZE), name=f"{stem}.jpg"),
    )
