"""Who is this participant? A signed cookie holds their secret token per event.

No account, no password: the token is the identity. The personal resume link
(/e/<slug>/resume/<token>/) carries the same token to another device.
"""

from django.conf import settings

from openspace.prepared import Prepared

from .models import Event, Participant

SALT = "openspace.participant"

# On nearly every request of a participant (openspace.prepared: why prepared).
_PARTICIPANT_BY_TOKEN = Prepared(
    lambda event_id, token: Participant.objects.active().filter(event_id=event_id, token=token),
    event_id=int,
    token=str,
)
_PARTICIPANT_WITH_EVENT = Prepared(
    lambda slug, token: (
        Participant.objects.active().select_related("event").filter(event__slug=slug, token=token)
    ),
    slug=str,
    token=str,
)


def _cookie_name(event_pk: int) -> str:
    return f"{settings.PARTICIPANT_COOKIE_NAME}_{event_pk}"


def participant_token(request, event_pk: int) -> str | None:
    """The token in this browser's cookie for the event, if its signature holds; not
    looked up, so it may belong to nobody (any longer)."""
    return request.get_signed_cookie(_cookie_name(event_pk), default=None, salt=SALT)


def get_participant(request, event: Event) -> Participant | None:
    """The active participant of `event` this browser belongs to, or None.

    Cached on the request, so views, templates and helpers can all ask.
    """
    cache = request.__dict__.get("_participants", {})
    if event.pk in cache:
        return cache[event.pk]
    participant = None
    token = participant_token(request, event.pk)
    if token:
        participant = _PARTICIPANT_BY_TOKEN.first(event_id=event.pk, token=token)
        if participant is not None:
            participant.event = event
    note_participant(request, event.pk, participant)
    return participant


def participant_with_event(request, slug: str, event_id: int) -> Participant | None:
    """The active participant this browser belongs to at the event `slug`, with the
    event, in one query, if that event's id is `event_id` (a guess: see
    events.access.get_event_and_viewer); else None."""
    token = participant_token(request, event_id)
    if not token:
        return None
    participant = _PARTICIPANT_WITH_EVENT.first(slug=slug, token=token)
    if participant is None or participant.event_id != event_id:
        return None
    note_participant(request, event_id, participant)
    return participant


def note_participant(request, event_pk: int, participant: Participant | None) -> None:
    """What get_participant is to answer for event `event_pk` in this request."""
    request.__dict__.setdefault("_participants", {})[event_pk] = participant


def remember_participant(request, response, participant: Participant) -> None:
    """Set the cookie that makes this browser `participant` at their event."""
    response.set_signed_cookie(
        _cookie_name(participant.event.pk),
        participant.token,
        salt=SALT,
        max_age=settings.PARTICIPANT_COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    note_participant(request, participant.event.pk, participant)


def forget_participant(request, response, event: Event) -> None:
    response.delete_cookie(_cookie_name(event.pk), samesite="Lax")
    note_participant(request, event.pk, None)
