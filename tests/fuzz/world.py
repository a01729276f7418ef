"""One event with one of everything, so that every URL pattern has a real object behind it."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from PIL import Image

from agenda.models import Room, TimeSlot, Topic
from events import services as event_services
from events.models import Event, FacilitatorInvite, Participant, Phase, RunSheetItem, Series
from reports import action_plan
from reports import services as report_services
from reports.models import Initiative, Reflection, Report, ReportComment, ReportPhoto
from tests.conftest import login_participant
from tests.factories import (
    EventFactory,
    ParticipantFactory,
    RoomFactory,
    TimeSlotFactory,
    TopicFactory,
    UserFactory,
)

ROLES = ("anonymous", "participant", "facilitator")
_CLIENTS: dict[str, Client] = {}


@dataclass
class World:
    event: Event
    previous: Event
    facilitator: object
    participant: Participant
    other_participant: Participant
    room: Room
    slot: TimeSlot
    run_sheet_item: RunSheetItem
    topic: Topic
    other_topic: Topic
    report: Report
    photo: ReportPhoto
    comment: ReportComment
    initiative: Initiative
    other_initiative: Initiative
    follow_up: Initiative
    reflection: Reflection
    invite: FacilitatorInvite
    cookies: dict[str, SimpleCookie] = field(default_factory=dict)

    def client(self, role: str) -> Client:
        """The role's client with its cookies as set up: no logout or forget leaks into the
        next example. (Clients are shared: a new one loads every middleware again.)"""
        client = _CLIENTS.setdefault(role, Client())
        client.cookies = SimpleCookie()
        for key, morsel in self.cookies[role].items():
            client.cookies[key] = morsel.value
        return client


def small_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "green").save(buffer, "JPEG")
    return buffer.getvalue()


def build_world() -> World:
    facilitator = UserFactory(username="fuzz-facilitator")
    series = Series.objects.create(name="Nätverket")
    today = datetime.date.today()
    event = EventFactory(
        slug="fuzz", series=series, date=today, phase=Phase.ROUNDS, facilitators=[facilitator]
    )
    previous = EventFactory(
        slug="fuzz-before",
        series=series,
        date=today - datetime.timedelta(days=90),
        facilitators=[facilitator],
    )
    participant = ParticipantFactory(event=event, name="Anna Andersson")
    other = ParticipantFactory(event=event, name="Bo Berg")
    room = RoomFactory(event=event, code="A", position=0)
    RoomFactory(event=event, code="B", position=1)
    slot = TimeSlotFactory(event=event, number=1)
    TimeSlotFactory(event=event, number=2)
    item = RunSheetItem.objects.create(
        event=event,
        phase=Phase.OPENING,
        label="Välkommen",
        starts_at=datetime.time(9),
        ends_at=datetime.time(9, 30),
    )
    topic = TopicFactory(event=event, convener=participant, room=room, time_slot=slot)
    other_topic = TopicFactory(event=event, convener=other)
    report = report_services.report_for(topic)
    report = report_services.save_report(
        report=report,
        base_version=report.version,
        fields={"discussion": "Vi pratade."},
        publish=True,
    )
    photo = report_services.add_photo(
        report=report, upload=SimpleUploadedFile("p.jpg", small_jpeg()), caption="Blädderblock"
    )
    comment = report_services.add_comment(report=report, participant=other, text="Bra!")
    initiative = action_plan.raise_initiative(
        event=event, participant=participant, what="Kompetensdag", levels="FG", as_facilitator=True
    )
    other_initiative = action_plan.raise_initiative(
        event=event, participant=other, what="Nätverkslista", levels="U", as_facilitator=True
    )
    follow_up = Initiative.objects.create(event=previous, who="Cilla", what="Enkät", levels="G")
    reflection = Reflection.objects.create(event=event, participant=participant, text="Energi")
    invite = event_services.create_invite(event=event, user=facilitator)

    world = World(
        event=event,
        previous=previous,
        facilitator=facilitator,
        participant=participant,
        other_participant=other,
        room=room,
        slot=slot,
        run_sheet_item=item,
        topic=topic,
        other_topic=other_topic,
        report=report,
        photo=photo,
        comment=comment,
        initiative=initiative,
        other_initiative=other_initiative,
        follow_up=follow_up,
        reflection=reflection,
        invite=invite,
    )
    anonymous = Client()
    as_participant = login_participant(Client(), participant)
    as_facilitator = Client()
    as_facilitator.force_login(facilitator)
    world.cookies = {
        "anonymous": anonymous.cookies,
        "participant": as_participant.cookies,
        "facilitator": as_facilitator.cookies,
    }
    return world


# -- what is stored -------------------------------------------------------------------------

STORED_APPS = ("events", "agenda", "reports", "auth")


def _text_fields(model) -> list[str]:
    return [
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField | models.FileField)
    ]


def bad_stored_text() -> list[str]:
    """Stored text with a NUL byte or a lone surrogate: PostgreSQL refuses the first, the
    UTF-8 encoders of both databases the second, so neither may ever get stored."""
    found = []
    for app in STORED_APPS:
        for model in apps.get_app_config(app).get_models():
            names = _text_fields(model)
            if not names:
                continue
            for row in model.objects.values_list("pk", *names):
                for name, value in zip(names, row[1:], strict=True):
                    if isinstance(value, str) and _bad(value):
                        found.append(f"{model.__name__}#{row[0]}.{name} = {value[:60]!r}")
    return found


def _bad(value: str) -> bool:
    if "\x00" in value:
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
