"""Time the photo pipeline on a 12-megapixel phone JPEG (4,000 x 3,000, with EXIF).

    .venv/bin/python bench/photos.py [--runs 5]

Prints the median and worst time of reports.photos.process_photo: decode, EXIF
orientation, strip, re-encode the 2,560 px display copy and the thumbnail.
"""

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openspace.settings")
os.environ.setdefault("DEBUG", "true")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from reports.photos import process_photo  # noqa: E402


def phone_jpeg() -> bytes:
    """A 4,000 x 3,000 photo that compresses like a real one (texture, not flat colour)."""
    rng = random.Random(3)
    image = Image.effect_noise((4000, 3000), 40).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(300):
        x, y = rng.randrange(4000), rng.randrange(3000)
        draw.line(
            (x, y, x + rng.randrange(-400, 400), y + rng.randrange(-200, 200)),
            fill=(rng.randrange(256), 40, 120),
            width=12,
        )
    image = image.filter(ImageFilter.GaussianBlur(1))
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (59.0, 36.0, 0.0), 3: "E", 4: (16.0, 33.0, 0.0)}
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92, exif=exif.tobytes())
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    data = phone_jpeg()
    times = []
    for _ in range(args.runs):
        upload = SimpleUploadedFile("IMG_0001.jpg", data, content_type="image/jpeg")
        start = time.perf_counter()
        result = process_photo(upload)
        times.append(time.perf_counter() - start)
    print(f"photo pipeline: 4,000 x 3,000 JPEG of {len(data) / 1e6:.1f} MB, {args.runs} runs")
    print(f"  median {statistics.median(times):.2f} s, worst {max(times):.2f} s (goal: < 1.5 s)")
    print(
        f"  display {result.width} x {result.height}, {result.display.size / 1e6:.2f} MB; "
        f"thumbnail {result.thumbnail.size / 1e3:.0f} KB"
    )


if __name__ == "__main__":
    main()
