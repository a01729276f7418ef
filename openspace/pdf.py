"""HTML to PDF with WeasyPrint, in a sandbox: the one renderer every printable uses.

render_pdf(html, base_url=None, variant=None) -> bytes

The HTML comes from our own templates but carries text people typed, and a
template bug must not turn into a request to the network or a read of a file on
the server. So the fetcher loads only:
- the app's static files (under STATIC_URL, found by the staticfiles finders or in
  STATIC_ROOT) and media files (under MEDIA_URL, inside MEDIA_ROOT), addressed
  relative to BASE_URL, a host that never resolves;
- small data: URIs (decoded locally).
Everything else (file://, http(s) to any other host, 127.0.0.1, 169.254.169.254,
redirects, path tricks with "..", huge data: URIs) is refused: WeasyPrint logs the
refusal and leaves the resource out, and the PDF still comes out.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from PIL import ImageFile
from weasyprint import HTML, URLFetcher
from weasyprint.urls import URLFetcherResponse

logger = logging.getLogger(__name__)

# Importing WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES for the whole process
# (weasyprint/images.py). Once a worker had rendered a PDF, a photo upload cut off
# halfway was then taken, its missing part grey, where reports/photos.py refuses it as
# damaged. What WeasyPrint loads here are the app's own files and re-encoded photos,
# never cut off: Pillow's default again.
ImageFile.LOAD_TRUNCATED_IMAGES = False

HOST = "openspace.invalid"  # .invalid never resolves (RFC 2606)
BASE_URL = f"https://{HOST}/"
MAX_DATA_URI_CHARS = 2 * 1024 * 1024
MAX_FILE_BYTES = 30 * 1024 * 1024


class Refused(ValueError):
    """The renderer may not load this address."""


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def _prefix(setting: str) -> str:
    return urlsplit(setting).path or "/"


def resolve_local_file(url: str) -> Path:
    """The file on disk behind a static or media address of BASE_URL, or Refused."""
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.netloc != HOST or parts.query:
        raise Refused(f"not an address of the app: {url[:100]}")
    path = unquote(parts.path)
    if "\0" in path or "\\" in path:
        raise Refused("bad path")
    static_prefix, media_prefix = _prefix(settings.STATIC_URL), _prefix(settings.MEDIA_URL)
    if path.startswith(static_prefix):
        relative = path[len(static_prefix) :]
        if ".." in Path(relative).parts:
            raise Refused("path outside the static files")
        found = finders.find(relative)
        candidate = Path(found) if found else Path(settings.STATIC_ROOT) / relative
        roots = [Path(d).resolve() for d in settings.STATICFILES_DIRS]
        roots.append(Path(settings.STATIC_ROOT).resolve())
        if found:
            # App static folders are allowed too, wherever the finders found them.
            roots.append(candidate.resolve().parent)
    elif path.startswith(media_prefix):
        relative = path[len(media_prefix) :]
        if ".." in Path(relative).parts:
            raise Refused("path outside the media files")
        candidate = Path(settings.MEDIA_ROOT) / relative
        roots = [Path(settings.MEDIA_ROOT).resolve()]
    else:
        raise Refused(f"not a static or media file: {path[:100]}")
    resolved = candidate.resolve()
    if not any(_inside(resolved, root) for root in roots) or not resolved.is_file():
        raise Refused(f"no such file: {path[:100]}")
    if resolved.stat().st_size > MAX_FILE_BYTES:
        raise Refused(f"file too large: {path[:100]}")
    return resolved


class SandboxedFetcher(URLFetcher):
    """Loads the app's static and media files and small data: URIs; refuses the rest."""

    def __init__(self):
        super().__init__(timeout=5, allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower()
        if scheme == "data":
            if len(url) > MAX_DATA_URI_CHARS:
                raise Refused("data: URI too large")
            return super().fetch(url, headers)
        path = resolve_local_file(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(html: str, *, base_url: str | None = None, variant: str | None = None) -> bytes:
    """The PDF of `html`. variant: a WeasyPrint pdf_variant ("pdf/ua-1", "pdf/a-2b" ...)."""
    document = HTML(string=html, base_url=base_url or BASE_URL, url_fetcher=SandboxedFetcher())
    return document.write_pdf(pdf_variant=variant)
