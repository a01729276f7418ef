"""Permission-checked getters. Views fetch events only through these.

- get_event_for_facilitator: the event, if the logged-in user facilitates it
  (or is a superuser); 404 if it does not exist, 403 otherwise.
- event_view: a decorator for participant pages; loads the event, the
  participant from the cookie, and whether the user facilitates it. Pages
  that need a participant redirect to the join page when there is none.
  While a facilitator has locked the event, it refuses every write of anyone
  else (423), so no view can forget to check.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from openspace.live import (
    event_id_hint,
    not_modified,
    note_event_id,
    quick_not_modified,
    version_etag,
)
from openspace.prepared import Prepared

from .identity import get_participant, note_participant, participant_with_event
from .models import Event, Participant

# Every request under /e/<slug>/ starts here (openspace.prepared: why prepared).
_EVENT_BY_SLUG = Prepared(lambda slug: Event.objects.filter(slug=slug), slug=str)
_EVENT_BY_JOIN_CODE = Prepared(lambda code: Event.objects.filter(join_code=code), code=str)


def get_event_or_404(slug: str) -> Event:
    event = _EVENT_BY_SLUG.first(slug=slug)
    if event is None:
        raise Http404
    return event


def event_for_join_code(code: str) -> Event | None:
    return _EVENT_BY_JOIN_CODE.first(code=code)


def get_event_for_facilitator(request, slug: str) -> Event:
    event = get_event_or_404(slug)
    if not event.is_facilitator(request.user):
        raise PermissionDenied
    return event


@dataclass(frozen=True)
class Viewer:
    """Who is looking at an event page."""

    event: Event
    participant: Participant | None
    is_facilitator: bool

    @property
    def can_view(self) -> bool:
        return self.participant is not None or self.is_facilitator


def get_event_and_viewer(request, slug: str) -> tuple[Event, Viewer]:
    """get_event_or_404 and get_viewer in one query for a participant, the case of
    nearly every request: the event's id, needed to read the participant's cookie, is
    known from this process's earlier requests for the slug. The query checks the slug
    itself, so an id gone stale costs the two queries of before, never a wrong answer."""
    event_id = event_id_hint(slug)
    if event_id is not None and (participant := participant_with_event(request, slug, event_id)):
        event = participant.event
    else:
        event = get_event_or_404(slug)
        note_event_id(slug, event.pk)
        if event.pk == event_id:  # the guess was right: this browser is nobody there
            note_participant(request, event.pk, None)
    return event, get_viewer(request, event)


def get_viewer(request, event: Event) -> Viewer:
    return Viewer(
        event=event,
        participant=get_participant(request, event),
        is_facilitator=event.is_facilitator(request.user),
    )


def join_url(event: Event, next_url: str = "") -> str:
    url = reverse("events:join-event", kwargs={"slug": event.slug})
    if next_url:
        url += "?" + urlencode({"next": next_url})
    return url


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def locked_response(request, event: Event, *, json: bool = False) -> HttpResponse:
    """423: the event is read-only for now, said the way the asking page can show it
    (a page; an htmx fragment at the top of <main>; text for a script's upload; a
    form error's JSON shape for the report's autosave)."""
    text = _("The facilitators have paused posting at this event. You can still read everything.")
    if json:
        return JsonResponse(
            {"errors": {"__all__": [{"message": text, "code": "locked"}]}}, status=423
        )
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(text, content_type="text/plain; charset=utf-8", status=423)
    if getattr(request, "htmx", False):
        response = render(request, "events/locked.html#notice", {"message": text}, status=423)
        response["HX-Retarget"] = "#main"
        response["HX-Reswap"] = "afterbegin"
        return response
    viewer = get_viewer(request, event)
    context = {"event": event, "viewer": viewer, "message": text}
    return render(request, "events/locked.html", context, status=423)


def event_view(
    *,
    participant_required: bool = True,
    facilitator_required: bool = False,
    while_locked: bool = False,
    json: bool = False,
    poll_etag_extra=None,
):
    """Load `event` and `viewer` for a view under /e/<slug>/.

    The wrapped view is called as view(request, event=..., viewer=..., **kwargs).
    Without a participant (and not a facilitator) a GET is redirected to the
    join page; any other method gets 403, so no write slips through. While the
    event is locked, a write by anyone but a facilitator gets 423, unless the view
    says while_locked=True (a participant's own name and data: never blocked).
    json=True: the view answers JSON, and so does the refusal.
    poll_etag_extra: for a polled page, a function of the request giving the `extra`
    of its ETag (a filter, a view; openspace.live.version_etag). A participant's poll
    that holds the current version gets 304 before anything is loaded
    (openspace.live.quick_not_modified), anyone else's after the checks above; the
    view is called with the `etag` to send.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            if poll_etag_extra is not None and (
                response := quick_not_modified(request, slug, poll_etag_extra(request))
            ):
                return response
            event, viewer = get_event_and_viewer(request, slug)
            if facilitator_required and not viewer.is_facilitator:
                if not request.user.is_authenticated and request.method in ("GET", "HEAD"):
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            if participant_required and not viewer.can_view:
                if request.method in ("GET", "HEAD"):
                    return redirect(join_url(event, request.get_full_path()))
                raise PermissionDenied
            if (
                event.is_locked
                and request.method not in SAFE_METHODS
                and not (while_locked or viewer.is_facilitator)
            ):
                return locked_response(request, event, json=json)
            if poll_etag_extra is not None:
                etag = version_etag(request, event, viewer, poll_etag_extra(request))
                if request.htmx and (response := not_modified(request, etag)):
                    return response
                kwargs["etag"] = etag
            return view(request, *args, event=event, viewer=viewer, **kwargs)

        return wrapper

    return decorator
