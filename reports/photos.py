"""Photos from phones: checked by content, bounded, turned upright, stripped and re-encoded.

What comes in is never stored: we decode it, apply the EXIF orientation, drop
every piece of metadata (GPS position, camera, ICC profile), and write two new
JPEGs: a display size (long edge <= 2,560 px) and a thumbnail.
"""

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC from iPhones
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF = ["HEIF"]
except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
    HEIF = []

MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 50_000_000
DISPLAY_EDGE = 2560
THUMBNAIL_EDGE = 480
ACCEPTED_FORMATS = ["JPEG", "PNG", "WEBP", *HEIF]

# Pillow refuses to decode anything larger than twice this; we refuse above it ourselves.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


class PhotoError(Exception):
    """The upload is not a photo we can take; the message says why, for the person."""


@dataclass
class ProcessedPhoto:
    display: ContentFile
    thumbnail: ContentFile
    width: int
    height: int


def _encode(image: Image.Image, edge: int, quality: int) -> ContentFile:
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    # No exif=, no icc_profile=: nothing of the original's metadata is written.
    copy.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparency and palettes would not survive JPEG otherwise."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def process_photo(upload) -> ProcessedPhoto:
    """Check and re-encode an uploaded file; raise PhotoError with a clear message."""
    size = getattr(upload, "size", None)
    if size is not None and size > MAX_BYTES:
        raise PhotoError(_("The photo is larger than 20 MB. Take it again or send a smaller one."))
    try:
        upload.seek(0)
        with Image.open(upload, formats=ACCEPTED_FORMATS) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise PhotoError(
                    _("The image is too large (%(mp)s megapixels; at most 50).")
                    % {"mp": round(width * height / 1_000_000)}
                )
            image.load()
            upright = ImageOps.exif_transpose(image)
            flat = _flatten(upright)
    except PhotoError:
        raise
    except Image.DecompressionBombError:
        raise PhotoError(_("The image is too large (at most 50 megapixels).")) from None
    except UnidentifiedImageError:
        raise PhotoError(
            _("This file is not a photo we can read. Send a JPEG, PNG, WebP or HEIC image.")
        ) from None
    except (OSError, ValueError, SyntaxError):
        raise PhotoError(
            _("The photo seems damaged or incomplete. Try sending it again.")
        ) from None
    display = _encode(flat, DISPLAY_EDGE, 85)
    thumbnail = _encode(flat, THUMBNAIL_EDGE, 80)
    shown_width, shown_height = _scaled(flat.size, DISPLAY_EDGE)
    return ProcessedPhoto(display, thumbnail, shown_width, shown_height)


def _scaled(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    factor = min(1.0, edge / max(width, height))
    return max(1, round(width * factor)), max(1, round(height * factor))
