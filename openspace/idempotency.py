"""Create forms that a flaky phone network may send twice make one thing, not two.

Every create form carries a random key ({% idempotency_key %}, a hidden field named
FIELD; a fresh one each time the form is drawn). The view is decorated:

    @event_view()
    @rate_limit("comment")
    @idempotent
    def comment_add(request, pk, *, event, viewer):
        ...
        idempotency.done(request)          # on success, before returning
        return redirect(...)

The decorator runs the view in one transaction that first claims (scope, key) in
openspace.models.IdempotentRequest, so the record and the write commit together or
not at all, and a second request with the same key waits for the first (SQLite's
IMMEDIATE transactions; PostgreSQL's unique index). If the view called done(), the
answer (status, Location, Content-Type, HX-* headers and a fragment's body) is kept;
otherwise (a form error) the claim is dropped and the same key may be sent again.
A request whose key is already recorded gets the first answer again, and the view
does not run. The scope is the view, the path and who sent it (participant or
account), so a key replays nothing for anyone else.

Requests without a key (an old form, a script) run the view as before. Records older
than settings.IDEMPOTENCY_TTL are deleted now and then.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import live, prepared
from .models import IdempotentRequest

FIELD = "idempotency_key"
KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The answer headers a replay repeats.
KEPT_HEADERS = ("Location", "Content-Type", "HX-Trigger", "HX-Retarget", "HX-Reswap")
MAX_BODY = 512 * 1024
# One recorded request in this many also deletes the expired records.
PURGE_ONE_IN = 100


def new_key() -> str:
    return secrets.token_urlsafe(24)


def done(request, obj=None) -> None:
    """The request did what it was sent for: keep its answer for a retry.
    `obj`: what it made, for the view's replay hook (a participant, for joining)."""
    request._idempotent_done = True
    request._idempotent_object_id = getattr(obj, "pk", None)


def _key(request) -> str:
    if request.method != "POST":
        return ""
    key = request.POST.get(FIELD, "")
    return key if KEY.fullmatch(key) else ""


def _scope(request, kwargs) -> str:
    viewer = kwargs.get("viewer")
    if viewer is not None and viewer.participant is not None:
        who = f"participant:{viewer.participant.pk}"
    elif request.user.is_authenticated:
        who = f"user:{request.user.pk}"
    else:
        who = "anonymous"
    view = request.resolver_match.view_name if request.resolver_match else ""
    scope = f"{view}|{who}|{request.path}"
    if len(scope) > 255:
        scope = scope[:190] + "|" + hashlib.sha256(scope.encode()).hexdigest()
    return scope


def _replay(request, record: IdempotentRequest, hook, event=None) -> HttpResponse:
    headers = record.headers or {}
    if event is not None:
        # The browser may have dropped the first answer (a double tap cancels it) and
        # with it the cookie that says it wrote (live.WritesMiddleware): the replay
        # sets it again, so the page it leads to shows the write, not a render of a
        # moment before it.
        from events.models import Event

        version = Event.objects.filter(pk=event.pk).values_list("version", flat=True).first()
        if version is not None:
            live.note_write(event.pk, version)
    response = HttpResponse(
        record.body,
        status=record.status,
        content_type=headers.get("Content-Type", "text/html; charset=utf-8"),
    )
    for name in KEPT_HEADERS:
        if name in headers and name != "Content-Type":
            response[name] = headers[name]
    response["Idempotent-Replay"] = "true"
    if 300 <= record.status < 400 and not getattr(request, "htmx", False):
        messages.info(request, _("That was already sent: it is saved once."))
    if hook is not None:
        response = hook(request, record, response) or response
    return response


def _record(record: IdempotentRequest, request, response: HttpResponse) -> bool:
    body = b"" if 300 <= response.status_code < 400 else response.content
    if len(body) > MAX_BODY or getattr(response, "streaming", False):
        return False
    record.status = response.status_code
    record.headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
    record.body = body.decode(response.charset or "utf-8", errors="replace")
    record.object_id = getattr(request, "_idempotent_object_id", None)
    record.save(update_fields=["status", "headers", "body", "object_id"])
    return True


def _purge() -> None:
    cutoff = timezone.now() - timedelta(seconds=settings.IDEMPOTENCY_TTL)
    IdempotentRequest.objects.filter(created_at__lt=cutoff).delete()


def idempotent(view=None, *, replay=None):
    """Run a create view at most once per form key (see the module's docstring).
    replay(request, record, response) may adjust a replayed answer (set a cookie)."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            key = _key(request)
            if not key:
                return view(request, *args, **kwargs)
            scope = _scope(request, kwargs)
            claimed = False
            try:
                with transaction.atomic():
                    # The claim is the transaction's first statement, so a key that is
                    # taken rolls back a transaction that did nothing else: no
                    # savepoint around it (two round trips fewer on PostgreSQL).
                    record = IdempotentRequest(scope=scope, key=key, status=0)
                    prepared.insert(record)
                    claimed = True
                    response = view(request, *args, **kwargs)
                    if not (
                        getattr(request, "_idempotent_done", False)
                        and _record(record, request, response)
                    ):
                        record.delete()
                    elif secrets.randbelow(PURGE_ONE_IN) == 0:
                        _purge()
            except IntegrityError:
                if claimed:  # the view's own, not the claim's
                    raise
                first = IdempotentRequest.objects.filter(scope=scope, key=key).first()
                if first is None:  # recorded and purged in between: treat as new
                    return view(request, *args, **kwargs)
                return _replay(request, first, replay, kwargs.get("event"))
            return response

        wrapper.idempotent = True  # for the test that classifies every view
        return wrapper

    return decorator(view) if view is not None else decorator
