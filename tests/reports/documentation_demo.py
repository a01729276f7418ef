"""A small, complete Swedish event for the documentation tests: every section has content."""

import datetime
import io

from django.core.files.base import ContentFile
from django.utils import timezone

from agenda.models import Room, TimeSlot, Topic
from events.models import Event, Participant, Phase, Series
from reports.models import (
    ClosingSummary,
    Initiative,
    InitiativeMember,
    Reflection,
    Report,
    ReportComment,
    ReportPhoto,
)
from tests.factories import EventFactory

SESSIONS = [
    # (room code, round, title, convener name, organisation)
    ("A", 1, "Hur minskar vi dubbelarbetet i ärendehanteringen?", "Åsa Öberg", "Malmö stad"),
    ("A", 2, "Gemensam blankett för bygglov – går det?", "Märta Ängström", "Region Skåne"),
    ("B", 1, "Digitala kvitton och e-fakturor", "Örjan Lindqvist", "Skatteverket"),
    ("B", 2, "Klarspråk i beslut", "Ebba Åkesson", "Lunds kommun"),
    ("C", 1, "Tid för det som ger värde för människor", "Jörgen Näslund", "Försäkringskassan"),
    # C2 stays empty: the agenda shows an empty cell.
]


def make_demo_event(*, facilitators=(), language="en") -> Event:
    series = Series.objects.create(name="Nätverket för enklare förvaltning")
    EventFactory(
        slug="traff-1",
        title="Nätverksträff 1: Uppstart",
        series=series,
        date=datetime.date(2026, 3, 12),
        theme_question="Vad behöver vi göra tillsammans?",
        phase=Phase.CLOSED,
    )
    event = EventFactory(
        slug="natverkstraff-2",
        title="Nätverksträff 2: Minska den administrativa bördan",
        theme_question=(
            "Hur kan vi tillsammans minska den administrativa bördan så att tiden "
            "går till verkligt värde för människor?"
        ),
        purpose="Att hitta konkreta steg som gör vardagen enklare för medarbetare och invånare.",
        date=datetime.date(2026, 11, 19),
        venue="Stadshuset, Malmö",
        series=series,
        language=language,
        phase=Phase.CLOSING,
        facilitators=list(facilitators),
    )
    rooms = {
        code: Room.objects.create(event=event, name=name, code=code, position=index)
        for index, (code, name) in enumerate(
            [("A", "Stora salen"), ("B", "Fönsterrummet"), ("C", "Soffhörnan")]
        )
    }
    slots = {
        number: TimeSlot.objects.create(
            event=event,
            number=number,
            label=f"Pass {number}",
            starts_at=datetime.time(13 + number, 0),
            ends_at=datetime.time(13 + number, 45),
        )
        for number in (1, 2)
    }
    for room_code, number, title, name, organisation in SESSIONS:
        convener = Participant.objects.create(event=event, name=name, organisation=organisation)
        Topic.objects.create(
            event=event,
            title=title,
            convener=convener,
            room=rooms[room_code],
            time_slot=slots[number],
        )
    ake = Participant.objects.create(event=event, name="Åke Östlund", organisation="Malmö stad")
    add_reports(event, ake)
    add_action_plan(event, ake)
    return event


# Sessions with a published report (B2 has only a draft, C1 none).
REPORTED = ["A1", "A2", "B1"]
COMMENT = "Vi på regionen vill gärna vara med – hör av er!"


def phone_jpeg(colour=(230, 226, 215), size=(4000, 3000)) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((400, 300, 3600, 2700), outline=(20, 40, 120), width=40)
    draw.line((600, 600, 3400, 2400), fill=(160, 20, 20), width=30)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def add_reports(event: Event, commenter: Participant) -> None:
    topics = {topic.code: topic for topic in Topic.objects.filter(event=event)}
    photo = phone_jpeg()
    for code in [*REPORTED, "B2"]:
        report = Report.objects.create(
            topic=topics[code],
            event=event,
            participant_count=7,
            participant_names="Åsa Öberg\nMärta Ängström\nÖrjan Lindqvist",
            discussion=f"Vi diskuterade {topics[code].title.lower()} Många exempel.",
            insights="Det går att förenkla mycket om vi gör det tillsammans.",
            proposals="Träffas igen i mars och ta med ekonomerna.",
            published_at=None if code == "B2" else timezone.now(),
        )
        for number in (1, 2):
            item = ReportPhoto(report=report, caption=f"Blädderblock {number} från {code}")
            item.image.save(f"{code}-{number}.jpg", ContentFile(photo), save=False)
            item.thumbnail = item.image.name
            item.width, item.height = 4000, 3000
            item.save()
        ReportComment.objects.create(report=report, participant=commenter, text=COMMENT)


INITIATIVES = [
    # (who, what, levels, when, ladder step, next step)
    ("Åsa Öberg", "Gemensam e-tjänst för bygglov i Skåne", "FG", "i augusti", 3, "En projektägare"),
    ("Örjan Lindqvist", "Kartlägg dubbelarbetet i fakturaflödet", "U", "nästa vecka", 1, "Samsyn"),
    ("Ebba Åkesson", "Klarspråksverkstad för beslutsbrev", "G", "hösten 2027", None, ""),
]
REFLECTIONS = ["Äntligen pratar vi med varandra!", "Energi och hopp."]


def add_action_plan(event: Event, member: Participant) -> None:
    people = list(Participant.objects.filter(event=event).order_by("pk"))
    for index, (who, what, levels, when, step, next_step) in enumerate(INITIATIVES):
        initiative = Initiative.objects.create(
            event=event,
            created_by=people[index],
            who=who,
            what=what,
            levels=levels,
            when=when,
            ladder_step=step,
            next_step=next_step,
        )
        InitiativeMember.objects.create(initiative=initiative, participant=member)
    Reflection.objects.create(event=event, participant=people[0], text=REFLECTIONS[0])
    Reflection.objects.create(
        event=event, participant=people[1], text=REFLECTIONS[1], anonymous=True
    )
    ClosingSummary.objects.create(event=event, text="En dag full av idéer om enklare förvaltning.")
