"""Cheap "has anything changed?" checks for polling pages (see docs/live-updates.md).

Every write that a participant or the wall can see bumps Event.version. A polling
page sends the ETag it last got in If-None-Match; when the event's version (and the
viewer's language and identity, which change the rendering) are the same, the view
answers 304 Not Modified before it renders anything.

The most frequent request of an event, a phone's poll of the agenda, is answered
even earlier (quick_not_modified): from the event's version alone, one small query,
before the event and the participant are loaded. The ETag names the participant by
a digest of their cookie's token, not by their id, so that check needs no lookup.
A 304 carries nothing, so answering it without those checks shows nobody anything.

Pages that many people poll and that look the same for everyone with the same role
(the agenda grid, the walls, the news wall) are rendered once per event version and
kept in the cache (shared_render / share_render). A request that finds the render of
the current version uses it; a *poll* may also get one rendered up to
settings.POLL_COALESCE_SECONDS before the latest write: in a burst the version changes
many times a second, and without this every poll rendered the whole page anew
(docs/performance.md, "Load"). The next poll brings what was left out; a page loaded
after the change holds a later version and gets 304 (not_modified(or_newer=True)).
"""

import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe


def version_etag(request, event, viewer, extra: str = "", *, version: int | None = None) -> str:
    """The ETag of a polled page: the event's version (or `version`, that of a render
    made a moment ago), the language, the viewer, and `extra` (a filter, a view)."""
    who = _who(viewer.participant.token) if viewer.participant else "0"
    role = "f" if viewer.is_facilitator else "p"
    version = event.version if version is None else version
    return _etag(version, request.LANGUAGE_CODE, role, who, extra)


def _etag(version: int, language: str, role: str, who: str, extra: str) -> str:
    return f'"v{version}-{language}-{role}{who}{extra}"'


def _who(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def no_extra(request) -> str:
    """For event_view(poll_etag_extra=...): a polled page whose ETag has no `extra`."""
    return ""


def quick_not_modified(request, slug: str, extra: str = "") -> HttpResponse | None:
    """304 for a participant's poll that holds the current version, from one query;
    None when the full view must decide (no ETag held, a facilitator's session, a change)."""
    from events.identity import participant_token
    from events.models import Event

    if (
        request.method != "GET"
        or "HX-Request" not in request.headers
        or "If-None-Match" not in request.headers
        or settings.SESSION_COOKIE_NAME in request.COOKIES  # maybe a facilitator
    ):
        return None
    with connection.cursor() as cursor:
        # Plain SQL: the ORM's own work for this one-row lookup cost more than the query.
        table = connection.ops.quote_name(Event._meta.db_table)
        cursor.execute(f"SELECT id, version FROM {table} WHERE slug = %s", [slug])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    token = participant_token(request, row[0])
    if not token:
        return None
    return not_modified(request, _etag(row[1], request.LANGUAGE_CODE, "p", _who(token), extra))


def _parse(etag: str) -> tuple[int, str] | None:
    etag = etag.strip().removeprefix("W/")  # weak once compressed (openspace.middleware)
    match = _ETAG.fullmatch(etag)
    return (int(match[1]), match[2]) if match else None


_ETAG = re.compile(r'"v(\d{1,18})-([^"]*)"')


def not_modified(request, etag: str, *, or_newer: bool = False) -> HttpResponse | None:
    """A 304 response when the client already holds `etag`, else None.

    or_newer: also when the client holds the same page at a later version (it loaded
    the page after a change that the render about to be sent predates).
    """
    held = request.headers.get("If-None-Match", "")
    if etag in held or (or_newer and _holds_newer(held, etag)):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        patch_cache_control(response, no_cache=True, private=True)
        return response
    return None


def _holds_newer(held: str, etag: str) -> bool:
    ours, theirs = _parse(etag), _parse(held[:200])
    return ours is not None and theirs is not None and theirs[1] == ours[1] and theirs[0] >= ours[0]


def with_etag(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    patch_cache_control(response, no_cache=True, private=True)
    return response


@dataclass(frozen=True)
class Role:
    """The viewer a shared render is made for: what it may depend on, never who they are."""

    participant: bool
    is_facilitator: bool


# A shared render is replaced when the version changes; this only bounds how long an
# unused one stays in memory.
SHARED_RENDER_SECONDS = 10 * 60


def shared_render(key: str, event, *, poll: bool = False, fresh: Callable | None = None):
    """The render kept under `key` if nothing was written since (for a poll: or if it
    is at most POLL_COALESCE_SECONDS older than the latest write) and `fresh(shared)`,
    if given, holds; else None."""
    shared = cache.get(key)
    if shared is None or shared["version"] > event.version:
        return None
    if shared["version"] < event.version and not (
        poll and time.time() - shared["at"] < settings.POLL_COALESCE_SECONDS
    ):
        return None
    if fresh is not None and not fresh(shared):
        return None
    return shared


def share_render(key: str, event, **values) -> dict:
    """Keep `values` (rendered HTML and what it was made from) for event.version."""
    shared = {"version": event.version, "at": time.time(), **values}
    cache.set(key, shared, SHARED_RENDER_SECONDS)
    return shared


def render_etag(request, event, viewer, etag: str, version: int, extra: str = ""):
    """(ETag, 304 or None) for a page made from a shared render of `version`.

    A poll answered from a render of a moment ago gets that version's ETag, and a 304
    if the client already holds that page or a later one.
    """
    if version == event.version:
        return etag, None
    etag = version_etag(request, event, viewer, extra, version=version)
    return etag, not_modified(request, etag, or_newer=True)


def render_shared(template: str, context: dict) -> tuple[list[str], str]:
    """Render `template` to be shared: its parts split at a random mark (between items,
    item, between items, …), and the random stand-in for the viewer's CSRF token.

    The template puts the mark around every item, after the item's key and a "|"; the
    marks are random, so no user text can forge an item boundary.
    """
    mark, csrf = secrets.token_hex(16), secrets.token_hex(16)
    html = render_to_string(template, {**context, "mark": mark, "csrf_token": csrf})
    return html.split(mark), csrf


def render_own(template: str, context: dict, csrf: str) -> dict[str, str]:
    """Render the viewer's own items (`template` puts a mark, the key and a "|" before
    each) with the shared render's stand-in token `csrf`, as {key: item}."""
    mark = secrets.token_hex(16)
    html = render_to_string(template, {**context, "mark": mark, "csrf_token": csrf})
    return dict(item.split("|", 1) for item in html.split(mark)[1:])


def personalise(request, parts: list[str], csrf: str, own: dict[str, str], keep=None) -> str:
    """A shared render made whole for one viewer.

    `parts` and `csrf` as render_shared gives them. The viewer's `own` items
    (render_own) take the place of the shared ones with the same key; with `keep` (a
    set of int keys) only those items stay. The stand-in token becomes the viewer's own.
    """
    pieces = []
    for index, part in enumerate(parts):
        if index % 2 == 0:  # between items
            pieces.append(part)
            continue
        key, item = part.split("|", 1)  # key: an id, or "" for an item of nobody's
        if keep is not None and (not key or int(key) not in keep):
            continue
        pieces.append(own.get(key, item))
    # Every piece is the output of an autoescaping template; the token is [A-Za-z0-9].
    html = "".join(pieces).replace(csrf, get_token(request))
    return mark_safe(html)  # noqa: S308 - rendered and escaped by the templates
