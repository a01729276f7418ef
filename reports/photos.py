"""Photos from phones: checked by content, bounded, turned upright, stripped and re-encoded.

What comes in is never stored: we decode it, apply the EXIF orientation, drop
every piece of metadata (GPS position, camera, ICC profile), and write two new
JPEGs: a display size (long edge <= 2,560 px) and a thumbnail.
"""

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

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

# EXIF orientation -> the transpose that turns the picture upright (as ImageOps.exif_transpose).
ORIENTATION = 0x0112
UPRIGHT = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}

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


def _shrink(image: Image.Image, edge: int) -> Image.Image:
    copy = image.copy()
    # reducing_gap: a fast box reduction first, then LANCZOS for the last step.
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return copy


def _encode(image: Image.Image, quality: int) -> ContentFile:
    buffer = io.BytesIO()
    # No exif=, no icc_profile=: nothing of the original's metadata is written.
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return ContentFile(buffer.getvalue(), name="photo.jpg")


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: transparency and palettes would not survive JPEG otherwise."""
    if image.mode.startswith("I"):
        # 16-bit grey (a PNG from a scanner or an editor): its values run to 65,535, and
        # converting them as they are turns everything above 255 white. Scale to 8 bits.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
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
            # Shrink first, then turn upright: rotating 2,560 px is cheaper than 12 MP.
            orientation = image.getexif().get(ORIENTATION, 1)
            display = _shrink(image, DISPLAY_EDGE)
            if orientation in UPRIGHT:
                display = display.transpose(UPRIGHT[orientation])
            flat = _flatten(display)
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
    width, height = flat.size
    return ProcessedPhoto(
        display=_encode(flat, 85),
        thumbnail=_encode(_shrink(flat, THUMBNAIL_EDGE), 80),
        width=width,
        height=height,
    )
