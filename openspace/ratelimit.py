"""Rate limits: how many writes one person and one network address may make per window.

The limits are in settings.RATE_LIMITS, one place, each settable by an environment
variable (docs/security.md explains the numbers). Every action is counted twice: per
person (a participant, or the user name being logged in to) and per client address.
The per-address limits are far higher, because a venue's 2,000 phones may all come
through one NAT address; they stop a script, not a crowd.

Fixed windows: a counter per action, who and window (time // period), incremented
with one atomic INSERT ... ON CONFLICT DO UPDATE ... RETURNING in the database, so
every gunicorn worker and every server sharing the database sees the same count.
Django's cache was measured and not chosen (bench/ratelimit.py): the local-memory
cache counts per process (n workers: up to n times the limit, reset by each restart),
and the database and file caches increment with a read and then a write (not atomic)
at 4 to 10 times the cost of the upsert (about 80 µs for both counters).

Who is never stored in the clear: the key holds a keyed hash of the participant id or
the address, and a row expires with its window.

    @event_view()
    @rate_limit("comment")
    def comment_add(request, pk, *, event, viewer): ...

or, to count only failures (wrong join codes): blocked() before, count() after.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
import time
from functools import wraps

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import RateLimitCounter

# One call in this many also deletes the counters of windows that have ended.
PURGE_ONE_IN = 200


class RateLimited(Exception):
    def __init__(self, retry_after: int):
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


# -- who is asking --------------------------------------------------------------------


def client_ip(request) -> str:
    """The client's address, as our own proxies saw it (settings.TRUSTED_PROXY_COUNT).

    nginx's $proxy_add_x_forwarded_for appends the address it saw to whatever the
    client sent, so only the entries our proxies added, counted from the right, are
    true; anything to their left may be made up.
    """
    address = request.META.get("REMOTE_ADDR", "")
    hops = settings.TRUSTED_PROXY_COUNT
    if hops > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if forwarded:
            address = forwarded[-hops] if len(forwarded) >= hops else forwarded[0]
    return address


def address_bucket(address: str) -> str:
    """The unit one client controls: an IPv4 address, or an IPv6 /64 network (one
    household or phone gets a whole /64 and may hop between its addresses)."""
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return "unknown"
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _digest(value: str) -> str:
    """A keyed hash: the table never holds an address, and the IPv4 space is too
    small for an unkeyed hash to hide one."""
    return hashlib.blake2b(
        value.encode(), key=settings.SECRET_KEY.encode()[:64], digest_size=12
    ).hexdigest()


def _counters(
    request, action: str, person: str | None, by_ip: bool = True
) -> list[tuple[str, int, int]]:
    """(key, limit, window end) of each counter this request falls under."""
    limits = settings.RATE_LIMITS[action]
    now = int(time.time())
    counters = []
    address = address_bucket(client_ip(request)) if by_ip else None
    for kind, who in (("person", person), ("ip", address)):
        rate = limits.get(kind)
        if rate is None or who is None:
            continue
        count, period = rate
        window = now // period
        key = f"{action}:{kind}:{_digest(who)}:{period}:{window}"
        counters.append((key, count, (window + 1) * period))
    return counters


# -- counting ---------------------------------------------------------------------------


def _increment(counters: list[tuple[str, int, int]]) -> dict[str, int]:
    """Add one to each counter in one statement; their new values by key."""
    quote = connection.ops.quote_name
    table = quote(RateLimitCounter._meta.db_table)
    key, count, expires = quote("key"), quote("count"), quote("expires_at")
    rows = ", ".join(["(%s, 1, %s)"] * len(counters))
    params = [value for key_, _limit, ends in counters for value in (key_, ends)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({key}, {count}, {expires}) VALUES {rows} "  # noqa: S608
            f"ON CONFLICT ({key}) DO UPDATE SET {count} = {table}.{count} + 1 "
            f"RETURNING {key}, {count}",
            params,
        )
        values = dict(cursor.fetchall())
    if secrets.randbelow(PURGE_ONE_IN) == 0:
        RateLimitCounter.objects.filter(expires_at__lt=int(time.time())).delete()
    return values


def _wait(counters, values: dict[str, int], *, over: bool) -> int:
    """Seconds until the last exceeded window ends (0: none is)."""
    now = time.time()
    waits = [
        math.ceil(ends - now)
        for key, limit, ends in counters
        if (values.get(key, 0) > limit if over else values.get(key, 0) >= limit)
    ]
    return max(waits, default=0)


def count(request, action: str, *, person: str | None = None, by_ip: bool = True) -> int:
    """Count one `action`; the seconds to wait if that went over a limit, else 0.
    by_ip=False counts the person only (their address was counted already)."""
    if not settings.RATELIMIT_ENABLED:
        return 0
    counters = _counters(request, action, person, by_ip)
    if not counters:
        return 0
    return _wait(counters, _increment(counters), over=True)


def hit(request, action: str, *, person: str | None = None) -> None:
    """Count one `action`; raise RateLimited if that went over a limit."""
    if wait := count(request, action, person=person):
        raise RateLimited(wait)


def blocked(request, action: str, *, person: str | None = None) -> int:
    """Without counting: the seconds to wait if a limit is already reached, else 0.
    For limits on failures, counted with count() only when an attempt fails."""
    if not settings.RATELIMIT_ENABLED:
        return 0
    counters = _counters(request, action, person)
    values = dict(
        RateLimitCounter.objects.filter(key__in=[key for key, _l, _e in counters]).values_list(
            "key", "count"
        )
    )
    return _wait(counters, values, over=False)


def person_key(participant) -> str | None:
    return f"participant:{participant.pk}" if participant is not None else None


# -- answering ----------------------------------------------------------------------------


def message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return " ".join(
        [
            _("Too many tries came from you or your network in a short time."),
            ngettext(
                "Wait %(count)d minute and try again, or ask a facilitator.",
                "Wait %(count)d minutes and try again, or ask a facilitator.",
                minutes,
            )
            % {"count": minutes},
        ]
    )


def too_many(request, retry_after: int, *, json: bool = False) -> HttpResponse:
    """429 with the reason, in the form the asking page can show.

    - a page: the 429 page;
    - htmx: the message alone, put at the top of <main> (HX-Retarget/HX-Reswap; the
      htmx-config in base.html lets 429 and 423 answers be swapped);
    - a script's upload (X-Requested-With: fetch): the message as text;
    - a JSON endpoint (json=True): {"errors": {"__all__": [{"message": ...}]}}, the
      shape of a form error, so the script shows it as it shows the others.
    """
    text = message(retry_after)
    if json:
        response = JsonResponse(
            {"errors": {"__all__": [{"message": text, "code": "rate_limited"}]}}, status=429
        )
    elif request.headers.get("X-Requested-With") == "fetch":
        response = HttpResponse(text, content_type="text/plain; charset=utf-8", status=429)
    elif getattr(request, "htmx", False):
        response = render(request, "429.html#notice", {"message": text}, status=429)
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "afterbegin"
    else:
        response = render(request, "429.html", {"message": text}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def rate_limit(action: str, *, json: bool = False):
    """Count each POST of a view under events.access.event_view: per participant and
    per address. Facilitators of the event are not limited."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            viewer = kwargs.get("viewer")
            if request.method == "POST" and not (viewer is not None and viewer.is_facilitator):
                person = person_key(viewer.participant) if viewer is not None else None
                if wait := count(request, action, person=person):
                    return too_many(request, wait, json=json)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
