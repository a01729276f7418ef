"""Cheap "has anything changed?" checks for polling pages (see docs/live-updates.md).

Every write that a participant or the wall can see bumps Event.version. A polling
page sends the ETag it last got in If-None-Match; when the event's version (and the
viewer's language and identity, which change the rendering) are the same, the view
answers 304 Not Modified before it renders anything.

The most frequent request of an event, a phone's poll of the agenda, is answered
even earlier (quick_not_modified): from the event's version alone, one small query
(none when this process read it a moment ago), before the event and the participant
are loaded. The ETag names the participant by
a digest of their cookie's token, not by their id, so that check needs no lookup.
A 304 carries nothing, so answering it without those checks shows nobody anything.

Pages that many people poll and that look the same for everyone with the same role
(the agenda grid, the walls, the news wall) are rendered once per event version and
kept in this process's memory (shared_render / share_render). A request that finds the render of
the current version uses it; a poll, and a participant's page load, may also get one
rendered up to settings.POLL_COALESCE_SECONDS before the latest write (coalesce_since):
in a burst the version changes many times a second, and without this every request
rendered the whole page anew (docs/performance.md, "Load"). The next poll brings what
was left out; a page loaded after the change holds a later version and gets 304
(not_modified(or_newer=True)). A participant's own writes always show: the response to
a write sets a short-lived cookie with the event's version after it (WritesMiddleware),
and their page loads get no render older than that.
"""

import hashlib
import re
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
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
    known = _event_version(slug, Event)
    if known is None:
        return None
    token = participant_token(request, known[0])
    if not token:
        return None
    return not_modified(request, _etag(known[1], request.LANGUAGE_CODE, "p", _who(token), extra))


# slug -> (event id, version, when read): the versions quick_not_modified read lately.
# A version read less than POLL_COALESCE_SECONDS ago answers a poll without a query
# (2,000 phones polling every 10 s are 200 queries a second otherwise); an older one
# is read again. A write in this process forgets its event's at once (Event.touch); in
# another gunicorn process it shows once the version read there has aged. So a phone
# may get a 304 up to that long after a change, as the coalescing of the renders
# already allows; a client that holds a later version than the one known here does not
# match it, and gets the full view.
_versions: dict[str, tuple[int, int, float]] = {}
VERSIONS_KEPT = 10_000


def _event_version(slug: str, model) -> tuple[int, int] | None:
    now = time.monotonic()
    known = _versions.get(slug)
    if known is not None and now - known[2] < settings.POLL_COALESCE_SECONDS:
        return known[0], known[1]
    with connection.cursor() as cursor:
        # Plain SQL: the ORM's own work for this one-row lookup cost more than the query.
        table = connection.ops.quote_name(model._meta.db_table)
        cursor.execute(f"SELECT id, version FROM {table} WHERE slug = %s", [slug])  # noqa: S608
        row = cursor.fetchone()
    if row is None:
        return None
    if len(_versions) >= VERSIONS_KEPT:
        _versions.clear()
    _versions[slug] = (row[0], row[1], now)
    return row[0], row[1]


# slug -> id of the events this process has served. A hint only, for events/access.py:
# a participant's cookie is named by the event's id, so with the id known the cookie can
# be read, and the participant looked up with the event, before the event itself is.
_event_ids: dict[str, int] = {}


def event_id_hint(slug: str) -> int | None:
    return _event_ids.get(slug)


def note_event_id(slug: str, event_id: int) -> None:
    if len(_event_ids) >= VERSIONS_KEPT:
        _event_ids.clear()
    _event_ids[slug] = event_id


def forget_version(event_id: int) -> None:
    """Forget the version known of event `event_id` (it has just changed)."""
    for slug, known in list(_versions.items()):
        if known[0] == event_id:
            _versions.pop(slug, None)


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

    @classmethod
    def of(cls, viewer) -> "Role":
        """The role of a viewer (events.access.Viewer)."""
        return cls(participant=viewer.participant is not None, is_facilitator=viewer.is_facilitator)

    @property
    def key(self) -> str:
        """The role in a cache key: "10" for a participant, "01" for a facilitator."""
        return f"{int(self.participant)}{int(self.is_facilitator)}"


# The shared renders of this process, the least recently used dropped first. They are
# kept as they are, not pickled like a cache entry (unpickling the large agenda's took
# a third of a millisecond per request), so nobody may change one once it is shared,
# except through the dicts that are there to fill in (the agenda's "own" and "frames").
# A render is replaced when its event's version changes; the bound is on how many
# pages of how many events and languages stay in memory (the large agenda's is ~1 MB).
SHARED_RENDERS_KEPT = 64
_shared: OrderedDict[str, dict] = OrderedDict()
_shared_lock = threading.Lock()


def forget_shared_renders() -> None:
    """Drop every shared render, known version and event id of this process (tests: ids
    and slugs are used again)."""
    with _shared_lock:
        _shared.clear()
    _versions.clear()
    _event_ids.clear()


def shared_render(key: str, event, *, since: int | None = None, fresh: Callable | None = None):
    """The render kept under `key` if nothing was written since it was made, or, with
    `since` (coalesce_since), if it holds version `since` or later and was made at most
    POLL_COALESCE_SECONDS ago; and if `fresh(shared)`, when given, holds. Else None."""
    with _shared_lock:
        shared = _shared.get(key)
        if shared is not None:
            _shared.move_to_end(key)
    if shared is None or shared["version"] > event.version:
        return None
    if shared["version"] < event.version and not (
        since is not None
        and shared["version"] >= since
        and time.time() - shared["at"] < settings.POLL_COALESCE_SECONDS
    ):
        return None
    if fresh is not None and not fresh(shared):
        return None
    return shared


def coalesce_since(request, viewer) -> int | None:
    """For shared_render: the oldest version this request may be shown, or None for
    the current one only. A poll (an htmx request) may get any render of the last
    moment; a participant's page load one that holds their own latest write (the
    `wrote` cookie); anyone else's page load (a facilitator's) only the current one."""
    if request.htmx:
        return 0
    if viewer.is_facilitator or viewer.participant is None:
        return None
    return wrote_version(request, viewer.event.pk)


def wrote_version(request, event_id: int) -> int:
    """The event's version after this browser's latest write, if it wrote in the last
    moment (the `wrote` cookie, WritesMiddleware); else 0."""
    held = _wrote_cookie(request, event_id).removesuffix(WHOLE)
    return int(held) if held.isascii() and held.isdigit() and len(held) <= 18 else 0


def wrote_unpatchable(request, event_id: int) -> bool:
    """Whether this browser's latest write was one a page cannot be patched with
    (note_unpatchable): its next pages need a render that holds it."""
    return _wrote_cookie(request, event_id).endswith(WHOLE)


def _wrote_cookie(request, event_id: int) -> str:
    return request.COOKIES.get(f"{WROTE_COOKIE}_{event_id}", "")


# The versions of the events this request's writes made (Event.touch -> note_write);
# WritesMiddleware hands them to the browser in a cookie that lasts as long as a render
# may be coalesced.
WROTE_COOKIE = "wrote"
WHOLE = "w"  # after the version in the cookie: the write is one no patch can show
_writes: ContextVar[dict[int, int] | None] = ContextVar("openspace_writes", default=None)
_unpatchable: ContextVar[set[int] | None] = ContextVar("openspace_unpatchable", default=None)


def note_write(event_id: int, version: int) -> None:
    writes = _writes.get()
    if writes is not None:
        writes[event_id] = max(version, writes.get(event_id, 0))


def note_unpatchable(event_id: int) -> None:
    """This request's write to the event is one that a page patched with the writer's
    own sessions and topics (agenda/rendering.py, _patch) would not show, as a session
    they left: their next pages come from a render that holds it."""
    unpatchable = _unpatchable.get()
    if unpatchable is not None:
        unpatchable.add(event_id)


def written_version(event_id: int) -> int:
    """The event's version after this request's own writes (note_write), else 0."""
    return (_writes.get() or {}).get(event_id, 0)


class WritesMiddleware:
    """Sets `wrote_<event id>` to the event's version after this request's writes, for
    POLL_COALESCE_SECONDS: the writer's next page loads show at least their own change
    (coalesce_since). It holds a version number only; a forged one can only make the
    forger's own pages fresher."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token, whole_token = _writes.set({}), _unpatchable.set(set())
        try:
            response = self.get_response(request)
            writes, unpatchable = _writes.get(), _unpatchable.get()
        finally:
            _writes.reset(token)
            _unpatchable.reset(whole_token)
        if writes and settings.POLL_COALESCE_SECONDS > 0:
            for event_id, version in writes.items():
                response.set_cookie(
                    f"{WROTE_COOKIE}_{event_id}",
                    f"{version}{WHOLE if event_id in unpatchable else ''}",
                    max_age=settings.POLL_COALESCE_SECONDS + 1,
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Lax",
                )
        return response


def share_render(key: str, event, **values) -> dict:
    """Keep `values` (rendered HTML and what it was made from) for event.version."""
    shared = {"version": event.version, "at": time.time(), **values}
    with _shared_lock:
        kept = _shared.get(key)
        if kept is not None and kept["version"] > shared["version"]:
            return shared  # a render of a later version was shared meanwhile: keep that
        _keep(key, shared)
    return shared


def _keep(key: str, value: dict) -> None:
    """Keep `value` under `key` as the most recently used; drop the least recently used
    past SHARED_RENDERS_KEPT. The caller holds _shared_lock."""
    _shared[key] = value
    _shared.move_to_end(key)
    while len(_shared) > SHARED_RENDERS_KEPT:
        _shared.popitem(last=False)


def kept(key: str, fingerprint) -> dict:
    """A dict kept in this process's memory under `key` (beside the shared renders, and
    dropped like them) for as long as `fingerprint` stays the same; a new one then."""
    with _shared_lock:
        found = _shared.get(key)
        if found is None or found["fingerprint"] != fingerprint:
            found = {"fingerprint": fingerprint, "values": {}}
        _keep(key, found)
    return found["values"]


def event_values(event) -> tuple:
    """Every column of the event but its version and update time: what a page that
    shows the event itself, not its agenda, depends on."""
    return tuple(
        getattr(event, field.attname)
        for field in event._meta.concrete_fields
        if field.name not in ("version", "updated_at")
    )


def framed_form(request, store: dict, template: str, context, holes: dict) -> HttpResponse | None:
    """A form page for a plain GET, from a frame in `store` (render_framed); None for
    a request that must be rendered whole: one with a query string (what it asks for
    is not in the frame's key)."""
    if request.method != "GET" or request.GET:
        return None
    return HttpResponse(render_framed(request, store, "page", template, context, holes))


def render_etag(request, event, viewer, etag: str, version: int, extra: str = ""):
    """(ETag, 304 or None) for a page made from a shared render of `version`.

    A poll answered from a render of a moment ago gets that version's ETag, and a 304
    if the client already holds that page or a later one.
    """
    if version == event.version:
        return etag, None
    etag = version_etag(request, event, viewer, extra, version=version)
    return etag, not_modified(request, etag, or_newer=True)


def render_shared(template: str, context: dict, csrf: str = "") -> tuple[list, str]:
    """Render `template` to be shared: its parts split at a random mark (between items,
    (key, item), between items, …), and the stand-in for the viewer's CSRF token
    (`csrf`, the one of parts rendered before, or a random one).

    The template puts the mark around every item, after the item's key and a "|"; the
    marks are random, so no user text can forge an item boundary. The items are split
    from their keys here, once, not by every personalise (on the large agenda, 120
    items of ~1 KB: 80 of its 100 µs).
    """
    mark, csrf = secrets.token_hex(16), csrf or secrets.token_hex(16)
    html = render_to_string(template, {**context, "mark": mark, "csrf_token": csrf})
    parts: list = html.split(mark)
    parts[1::2] = [tuple(part.split("|", 1)) for part in parts[1::2]]
    return parts, csrf


def render_own(template: str, context: dict, csrf: str) -> dict[str, str]:
    """Render the viewer's own items (`template` puts a mark, the key and a "|" before
    each) with the shared render's stand-in token `csrf`, as {key: item}."""
    mark = secrets.token_hex(16)
    html = render_to_string(template, {**context, "mark": mark, "csrf_token": csrf})
    return dict(item.split("|", 1) for item in html.split(mark)[1:])


def viewer_token(request) -> str:
    """The request's CSRF token, masked once for the whole page (each masking costs
    32 random choices)."""
    token = getattr(request, "_live_csrf_token", None)
    if token is None:
        token = request._live_csrf_token = get_token(request)
    return token


def personalise(request, parts: list, csrf: str, own: dict[str, str], keep=None) -> str:
    """A shared render made whole for one viewer.

    `parts` and `csrf` as render_shared gives them. The viewer's `own` items
    (render_own) take the place of the shared ones with the same key; with `keep` (a
    set of keys) only those items stay. The stand-in token becomes the viewer's own.
    """
    pieces = []
    for part in parts:
        if type(part) is str:  # between items
            pieces.append(part)
            continue
        key, item = part  # key: an id, or a name for a place ("" for none)
        if keep is not None and key not in keep:
            continue
        pieces.append(own.get(key, item))
    # Every piece is the output of an autoescaping template; the token is [A-Za-z0-9].
    html = "".join(pieces).replace(csrf, viewer_token(request))
    return mark_safe(html)  # noqa: S308 - rendered and escaped by the templates


def render_framed(request, shared: dict, name, template: str, context, holes: dict) -> str:
    """The page `template` for this request, from a frame kept in `shared` under `name`.

    The frame is the page rendered once, with a random stand-in for the value of each
    of `holes` (a context name -> this request's text, safe HTML) and the shared
    render's stand-in for the CSRF token; each request then only puts its own values
    in. So everything else on the page must be the same for every request that gets
    `shared` and `name`: the caller puts what it depends on into the key and `name`.
    The messages to show (base.html) are a hole of every frame, filled for the
    request that has some. `context` may be a function of the stand-ins (hole ->
    stand-in) giving the context, called only for a new frame. A `shared` without a
    CSRF stand-in (a store for frames alone) gets one.
    """
    if "csrf" not in shared:
        shared.setdefault("csrf", secrets.token_hex(16))
    frames = shared.setdefault("frames", {})
    frame = frames.get(name)
    if frame is None:
        marks = {hole: secrets.token_hex(16) for hole in holes}
        if callable(context):
            context = context(marks)
        messages_hole = secrets.token_hex(16)
        html = render_to_string(
            template,
            {
                **context,
                **marks,
                "csrf_token": shared["csrf"],
                "messages": (),
                "messages_hole": messages_hole,
            },
            request,
        )
        stand_ins = [*marks.values(), shared["csrf"], messages_hole]
        pieces = re.split(f"({'|'.join(stand_ins)})", html)
        # A page without base.html's messages leaves them for the next one.
        frame = frames[name] = (pieces, marks, messages_hole if messages_hole in html else None)
    pieces, marks, messages_hole = frame
    fills = {mark: str(holes[hole]) for hole, mark in marks.items()}
    fills[shared["csrf"]] = viewer_token(request)
    if messages_hole:
        shown = messages.get_messages(request)
        fills[messages_hole] = (
            render_to_string("base.html#messages", {"messages": shown}) if shown else ""
        )
    # The frame and the holes are the output of autoescaping templates (or escaped by
    # the caller); the token is [A-Za-z0-9].
    return mark_safe("".join([fills.get(piece, piece) for piece in pieces]))  # noqa: S308
