"""Choose the language of each page.

Order: the language a person picked with the switcher (a cookie), else the
event's main language on event pages (/e/<slug>/...), else the browser's
Accept-Language, where "no"/"no-NO"/"nn" mean Norwegian Bokmål, else Swedish.
"""

import gzip
import re
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.http import QueryDict
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.datastructures import MultiValueDict
from django.utils.translation.trans_real import parse_accept_lang_header

EVENT_PATH = re.compile(r"^/e/(?P<slug>[-a-zA-Z0-9_]+)/")
SUPPORTED = {code for code, _name in settings.LANGUAGES}
ALIASES = {"no": "nb", "nn": "nb", "se": "sv", "dk": "da"}
EVENT_LANGUAGE_CACHE_SECONDS = 30


def event_language_cache_key(slug: str) -> str:
    return f"event-language:{slug}"


def _normalise(code: str) -> str | None:
    base = code.lower().split("-")[0].split("_")[0]
    base = ALIASES.get(base, base)
    return base if base in SUPPORTED else None


def event_language(slug: str) -> str | None:
    from events.models import Event

    key = event_language_cache_key(slug)
    language = cache.get(key)
    if language is None:
        language = Event.objects.filter(slug=slug).values_list("language", flat=True).first() or ""
        cache.set(key, language, EVENT_LANGUAGE_CACHE_SECONDS)
    return language or None


def language_for_request(request) -> str:
    chosen = _normalise(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, ""))
    if chosen:
        return chosen
    match = EVENT_PATH.match(request.path_info)
    if match:
        language = event_language(match["slug"])
        if language:
            return language
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        language = _normalise(code)
        if language:
            return language
    return settings.LANGUAGE_CODE


class EventLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        translation.deactivate()
        return response


class BodyCharsetMiddleware:
    """Answer 400 to a form body in a charset Django cannot read it in.

    Django takes any name codecs.lookup() knows, "rot13" and "base64" too, and then fails
    with a 500 when it decodes the form with it; and it refuses a urlencoded form in any
    charset but UTF-8 ("latin-1", "utf8") with a BadRequest each time request.POST is read.
    Django's error pages read it again (their CSRF check does, through requires_csrf_token),
    so the 400 became an exception inside the error page: gunicorn's bare 500. No browser
    sends such a charset. Runs before anything reads request.POST (the CSRF check does),
    and marks the body as read and empty, so nothing after parses it again.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.encoding and not _readable_charset(request):
            request._post, request._files = QueryDict(), MultiValueDict()
            raise BadRequest("The request body's charset is not one this site reads.")
        return self.get_response(request)


def _readable_charset(request) -> bool:
    try:  # not b"": Python decodes empty bytes without looking the codec up
        b"a".decode(request.encoding, "replace")
    except LookupError:
        return False
    # Django's own rule (HttpRequest._load_post_and_files): urlencoded forms are UTF-8.
    return not (
        request.content_type == "application/x-www-form-urlencoded"
        and request.encoding.lower() != "utf-8"
    )


COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")


# zlib's fastest level. Django compresses at 6: the agenda of a 20-room event for a
# phone (127 KB of HTML) took 0.54 ms at 6 and 0.17 ms at 1, for 8.9 KB instead of
# 7.3 KB; a session page (3.5 KB) 1.6 KB either way (docs/performance.md, "Sixth pass").
GZIP_LEVEL = 1


class TextGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware for pages and JSON only: PDFs, photos and archives are
    compressed already, so gzipping them costs CPU for nothing. A whole (not streamed)
    response is compressed at GZIP_LEVEL, with the same random padding against BREACH
    as Django's (a file name of random length in the gzip header)."""

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith(COMPRESSIBLE):
            return response
        if response.streaming:
            return super().process_response(request, response)
        if len(response.content) < 200 or response.has_header("Content-Encoding"):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        if not re_accepts_gzip.search(request.META.get("HTTP_ACCEPT_ENCODING", "")):
            return response
        compressed = _gzip(response.content, self.max_random_bytes)
        if len(compressed) >= len(response.content):
            return response
        response.content = compressed
        response.headers["Content-Length"] = str(len(compressed))
        etag = response.get("ETag")
        if etag and etag.startswith('"'):  # weak once compressed, as Django does
            response.headers["ETag"] = "W/" + etag
        response.headers["Content-Encoding"] = "gzip"
        return response


def _gzip(content: bytes, padding: int) -> bytes:
    """`content` gzipped at GZIP_LEVEL, its header naming a file of 0 to `padding` - 1
    "a"s: the length of the answer then varies by chance."""
    body = gzip.compress(content, compresslevel=GZIP_LEVEL, mtime=0)
    header = bytearray(body[:10])
    header[3] |= gzip.FNAME  # flags: a NUL-terminated file name follows the header
    return bytes(header) + b"a" * secrets.randbelow(padding) + b"\x00" + body[10:]


class NotAllowedPageMiddleware:
    """A page for 405. require_POST and friends answer with an empty body: a blank page
    for whoever opens a form's address (from the address bar, a bookmark, a shared link).
    Last in MIDDLEWARE, so the page is in the person's language and sets the CSRF cookie."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.method != "HEAD"
            and not response.streaming
            and not response.content
        ):
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        return response
