"""Every URL pattern of the project, for every role, GET and POST: each role gets what
it should (the page; a redirect to joining or logging in; 403; 404; 405), never a 500,
and object ids of another event answer exactly as ids that do not exist (404 for the
event's own facilitators), so nothing leaks. A new view cannot escape this walk: every
URL name must be in ACCESS below.

The roles: anonymous, a participant of this event, a participant of another event
(stranger), the convener of the session, a facilitator of this event, a facilitator
of another event, a superuser.

Each request runs on a fresh client inside a savepoint that is rolled back, so a
withdraw, a hide or a logout in the walk changes nothing for the next request.
"""

import io
import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from PIL import Image

from events import services as event_services
from events.models import Phase, Series
from openspace import live
from reports import action_plan, documentation
from reports import services as report_services
from reports.models import DocumentationSettings
from tests.conftest import login_participant
from tests.factories import (
    EventFactory,
    ParticipantFactory,
    RoomFactory,
    TimeSlotFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Pages anyone may open without joining or logging in.
PUBLIC = {
    "healthz",
    "livez",
    "home",
    "login",
    "logout",
    "set_language",
    "events:join",
    "events:join-event",
    "events:qr",
    "events:privacy",
    "events:resume",
    "events:invite-accept",
}
# Who may use each page: any logged-in account; participants of the event (and its
# facilitators); the convener of the session or the initiator of the initiative (and
# the facilitators); the facilitators of the event (and superusers).
ACCOUNT = {"events:dashboard", "events:event-new", "reports:event-import"}
PARTICIPANT = {
    "events:me",
    "events:my-data",
    "events:my-data-download",
    "events:my-data-delete",
    "agenda:home",
    "agenda:wall",
    "agenda:ics",
    "agenda:topic",
    "agenda:topic-new",
    "agenda:signup",
    "reports:wall",
    "reports:vernissage",
    "reports:report",
    "reports:comment-add",
    "reports:documentation-preview",
    "reports:documentation-pdf",
    "reports:documentation-status",
    "reports:documentation-photo",
    "reports:agenda-csv",
    "reports:action-plan-csv",
    "reports:actions",
    "reports:action-new",
    "reports:ladder",
    "reports:action-join",
    "reports:action-leave",
    "reports:actions-wall",
    "reports:closing",
}
CONVENER = {
    "agenda:topic-edit",
    "agenda:topic-withdraw",
    "agenda:topic-sheet",
    "reports:report-edit",
    "reports:report-autosave",
    "reports:photo-upload",
    "reports:photo-edit",
    "reports:action-edit",
    "reports:action-withdraw",
    "reports:action-state",
    "reports:ladder-move",
}
FACILITATOR = {
    "events:privacy-settings",
    "events:event-anonymise",
    "events:event-delete",
    "events:facilitate",
    "events:event-details",
    "events:event-phase",
    "events:event-lock",
    "events:event-duplicate",
    "events:poster",
    "events:room-add",
    "events:rooms-renumber",
    "events:room-edit",
    "events:slot-add",
    "events:slots-renumber",
    "events:slot-edit",
    "events:run-sheet-add",
    "events:run-sheet-edit",
    "events:run-sheet-delete",
    "events:participant-remove",
    "events:invite-create",
    "agenda:topic-sheets",
    "agenda:agenda-poster",
    "agenda:schedule",
    "agenda:topic-arrange",
    "reports:missing",
    "reports:comment-moderate",
    "reports:moderation",
    "reports:moderate",
    "reports:documentation-settings",
    "reports:event-json",
    "reports:action-merge",
    "reports:follow-up-state",
    "reports:closing-summary",
    "reports:reflection-hide",
}
ACCESS = {
    **dict.fromkeys(PUBLIC, "public"),
    **dict.fromkeys(ACCOUNT, "account"),
    **dict.fromkeys(PARTICIPANT, "participant"),
    **dict.fromkeys(CONVENER, "convener"),
    **dict.fromkeys(FACILITATOR, "facilitator"),
}
ROLES = [
    "anonymous",
    "participant",
    "stranger",
    "convener",
    "facilitator",
    "other_facilitator",
    "superuser",
]
ALLOWED = {
    "public": set(ROLES),
    "account": {"facilitator", "other_facilitator", "superuser"},
    "participant": {"participant", "convener", "facilitator", "superuser"},
    "convener": {"convener", "facilitator", "superuser"},
    "facilitator": {"facilitator", "superuser"},
}
# Writes that need a participant's own identity: a facilitator who has not joined
# the event as a participant gets 403 there (nothing to sign up, comment or say as).
PARTICIPANT_ONLY_POST = {
    "agenda:signup",
    "reports:comment-add",
    "reports:action-join",
    "reports:action-leave",
    "reports:closing",
}
# A participant's own pages: a facilitator without a participant is sent to join.
OWN_DATA = {"events:me", "events:my-data", "events:my-data-download", "events:my-data-delete"}


def patterns(resolvers=None, prefix="", namespace=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def concrete(route: str, values: dict) -> str | None:
    path = route.lstrip("^").rstrip("$")
    for name, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    if "<" in path or "(" in path:
        return None
    return "/" + path


# -- the world --------------------------------------------------------------------------


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def build(event, convener, facilitator) -> dict:
    """One of everything at `event`: the ids each URL needs."""
    event.phase = Phase.ACTION_PLANNING  # every kind of content can be made
    event.save()
    room = RoomFactory(event=event, code="A")
    slot = TimeSlotFactory(event=event, number=1)
    topic = TopicFactory(event=event, convener=convener, room=room, time_slot=slot)
    report = report_services.report_for(topic)
    report_services.save_report(
        report=report, base_version=1, fields={"discussion": "Vi talade"}, publish=True
    )
    photo = report_services.add_photo(report=report, upload=SimpleUploadedFile("p.jpg", jpeg()))
    comment = report_services.add_comment(report=report, participant=convener, text="Bra")
    bystander = ParticipantFactory(event=event)
    initiative = action_plan.raise_initiative(
        event=event, participant=convener, what="Ett nätverk", levels="F", as_facilitator=True
    )
    reflection = action_plan.leave_reflection(event=event, participant=bystander, text="Tack")
    item = event_services.add_run_sheet_item(
        event=event, phase=Phase.OPENING, label="", starts_at=slot.starts_at, ends_at=slot.ends_at
    )
    invite = event_services.create_invite(event=event, user=facilitator)
    DocumentationSettings.objects.update_or_create(event=event, defaults={"published": True})
    print_photo = documentation.prepare_print_photo(photo.image).rsplit("/", 1)[-1]
    return {
        "event": event,
        "topic": topic.pk,
        "room": room.pk,
        "slot": slot.pk,
        "item": item.pk,
        "bystander": bystander.pk,
        "bystander_token": bystander.token,
        "photo": photo.pk,
        "comment": comment.pk,
        "initiative": initiative.pk,
        "reflection": reflection.pk,
        "invite_token": invite.token,
        "print_photo": print_photo,
    }


# Which object each URL's id is, by URL name (else the session's topic).
PK_OF = {
    "events:room-edit": "room",
    "events:slot-edit": "slot",
    "events:run-sheet-edit": "item",
    "events:run-sheet-delete": "item",
    "events:participant-remove": "bystander",
    "reports:comment-moderate": "comment",
    "reports:moderate": "comment",
    "reports:reflection-hide": "reflection",
    "reports:follow-up-state": "follow_up",
    **{
        name: "initiative"
        for name in ACCESS
        if name.startswith(("reports:action-", "reports:ladder-")) and name != "reports:action-new"
    },
}


def values_for(name: str, objects: dict) -> dict:
    return {
        "slug": objects["event"].slug,
        "pk": objects[PK_OF.get(name, "topic")],
        "photo_pk": objects["photo"],
        "token": objects["invite_token" if name == "events:invite-accept" else "bystander_token"],
        "name": objects["print_photo"],
        "kind": "comment",
        "path": "nothing.jpg",
    }


@pytest.fixture
def world(event, participant, facilitator, other_event, other_facilitator):
    """This event (the participant convenes its session), a meeting before it in the
    series with an initiative to follow up, and one of everything at another event."""
    event.series = Series.objects.create(name="Nätverket")
    event.save()
    previous = EventFactory(
        series=event.series, date=event.date - timedelta(days=90), facilitators=[facilitator]
    )
    follow_up = action_plan.raise_initiative(
        event=previous,
        participant=ParticipantFactory(event=previous),
        what="Förra gången",
        levels="G",
        as_facilitator=True,
    )
    here = build(event, participant, facilitator) | {"follow_up": follow_up.pk}
    there = build(other_event, ParticipantFactory(event=other_event), other_facilitator)
    there["follow_up"] = action_plan.raise_initiative(
        event=other_event, participant=None, what="x", who="F", levels="U", as_facilitator=True
    ).pk
    return {"here": here, "there": there}


def sign_in(client, role: str, convener, reader, stranger, facilitator, other, superuser):
    client.cookies.clear()
    if role == "participant":
        login_participant(client, reader)
    elif role == "convener":
        login_participant(client, convener)
    elif role == "stranger":
        login_participant(client, stranger)
    elif role == "facilitator":
        client.force_login(facilitator)
    elif role == "other_facilitator":
        client.force_login(other)
    elif role == "superuser":
        client.force_login(superuser)


@pytest.fixture
def clients(event, participant, facilitator, other_event, other_facilitator):
    """clients(role): a client that signs in as `role` again before each request (one
    Client per role: each new one loads the middleware, whitenoise's file scan too)."""
    people = {
        "convener": participant,
        "reader": ParticipantFactory(event=event, name="Läsare"),
        "stranger": ParticipantFactory(event=other_event),
        "facilitator": facilitator,
        "other": other_facilitator,
        "superuser": UserFactory(username="root", is_superuser=True, is_staff=True),
    }

    def make(role):
        client = Client()
        client.role = role
        client.sign_in = lambda: sign_in(client, role, **people)
        return client

    return make


@contextmanager
def rolled_back():
    """Whatever the request changes is undone, cached renders included."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
    cache.clear()
    live.forget_shared_renders()


def fetch(client, method: str, path: str):
    with rolled_back():
        client.sign_in()
        return getattr(client, method)(path)


# -- the walk ---------------------------------------------------------------------------


def test_every_url_name_says_who_may_use_it():
    names = {name for name, _route in patterns()}
    assert names - set(ACCESS) == set(), "add the new URL names to ACCESS"
    assert set(ACCESS) - names == set(), "remove URL names that are gone"


def test_every_url_reaches_its_own_view():
    """The apps' patterns are tried in order, the agenda's first (openspace/urls.py):
    no pattern may catch another's URL."""
    samples = {"int": "7", "slug": "abc-def", "str": "x.jpg"}
    for name, route in patterns():
        kwargs = {
            key: samples[converter or "str"]
            for converter, key in re.findall(r"<(?:(\w+):)?(\w+)>", route)
        }
        assert resolve(reverse(name, kwargs=kwargs)).view_name == name


def is_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def is_join(response) -> bool:
    return response.status_code == 302 and "/join/" in response["Location"]


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_it_should(world, clients, role):
    objects = world["here"]
    client = clients(role)
    checked = 0
    for name, route in patterns():
        path = concrete(route, values_for(name, objects))
        assert path is not None, f"no values for {route}"
        access = ACCESS[name]
        allowed = role in ALLOWED[access]
        for method in ("get", "post"):
            response = fetch(client, method, path)
            status, where = response.status_code, f"{role} {method.upper()} {path} ({name})"
            checked += 1
            assert status < 500, where
            if status == 405:
                continue
            if allowed:
                refused_identity = (
                    method == "post"
                    and name in PARTICIPANT_ONLY_POST
                    and role in ("facilitator", "superuser")
                )
                assert status != 403 or refused_identity, f"{where}: {status}"
                assert status != 404, f"{where}: 404"
                if access != "public":
                    own_data = name in OWN_DATA and role in ("facilitator", "superuser")
                    assert not is_login(response), where
                    assert own_data or not is_join(response), where
            else:
                assert status in (302, 403, 404), f"{where}: {status}"
                if status == 302:
                    assert is_login(response) or is_join(response), (
                        f"{where} -> {response['Location']}"
                    )
                if role == "anonymous" and method == "get":
                    expected = is_join if access in ("participant", "convener") else is_login
                    assert expected(response), f"{where} -> {status}"
    assert checked == 2 * len(ACCESS)


# -- another event's ids ----------------------------------------------------------------

# The URL parameters that name an object (the slug names the event, always this one).
ID_PARAMETERS = ("pk", "photo_pk", "name", "token")


@pytest.mark.parametrize("role", ROLES)
def test_another_events_ids_answer_as_ids_that_do_not_exist(world, clients, role):
    """With this event's address and another event's object, every role gets what it
    gets for an id that exists nowhere: existence elsewhere never shows. The event's
    own facilitators (who may see everything here) get 404."""
    here, there = world["here"], world["there"]
    missing = {
        key: 987654321 if isinstance(value, int) else "not-there"
        for key, value in there.items()
        if key != "event"
    }
    client = clients(role)
    checked = 0
    for name, route in patterns():
        if not any(
            f":{parameter}>" in route or f"<{parameter}>" in route for parameter in ID_PARAMETERS
        ):
            continue
        if name == "events:invite-accept":  # not under an event: the token is the event
            continue
        if "<slug:slug>" not in route:
            continue
        for method in ("get", "post"):
            answers = []
            for objects in ({**there, "event": here["event"]}, {**missing, "event": here["event"]}):
                if name == "reports:photo-edit":  # this event's session, another's photo
                    objects = {**objects, "topic": here["topic"]}
                path = concrete(route, values_for(name, objects))
                response = fetch(client, method, path)
                location = response.get("Location", "").split("?", 1)[0]  # ?next= names the id
                answers.append((response.status_code, location))
            checked += 1
            where = f"{role} {method.upper()} {name}"
            assert answers[0] == answers[1], f"{where}: {answers[0]} vs missing {answers[1]}"
            if (
                role in ("facilitator", "superuser")
                and name != "events:resume"
                and not (method == "post" and name in PARTICIPANT_ONLY_POST)
            ):
                assert answers[0][0] in (404, 405), f"{where}: {answers[0]}"
    assert checked > 40
