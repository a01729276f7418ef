"""Permission-checked getters. Views fetch events only through these.

- get_event_for_facilitator: the event, if the logged-in user facilitates it
  (or is a superuser); 404 if it does not exist, 403 otherwise.
- event_view: a decorator for participant pages; loads the event, the
  participant from the cookie, and whether the user facilitates it. Pages
  that need a participant redirect to the join page when there is none.
"""

from dataclasses import dataclass
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse

from .identity import get_participant
from .models import Event, Participant


def get_event_for_facilitator(request, slug: str) -> Event:
    event = get_object_or_404(Event, slug=slug)
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


def event_view(*, participant_required: bool = True, facilitator_required: bool = False):
    """Load `event` and `viewer` for a view under /e/<slug>/.

    The wrapped view is called as view(request, event=..., viewer=..., **kwargs).
    Without a participant (and not a facilitator) a GET is redirected to the
    join page; any other method gets 403, so no write slips through.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, slug, *args, **kwargs):
            event = get_object_or_404(Event, slug=slug)
            viewer = get_viewer(request, event)
            if facilitator_required and not viewer.is_facilitator:
                if not request.user.is_authenticated and request.method in ("GET", "HEAD"):
                    return redirect_to_login(request.get_full_path())
                raise PermissionDenied
            if participant_required and not viewer.can_view:
                if request.method in ("GET", "HEAD"):
                    return redirect(join_url(event, request.get_full_path()))
                raise PermissionDenied
            return view(request, *args, event=event, viewer=viewer, **kwargs)

        return wrapper

    return decorator
