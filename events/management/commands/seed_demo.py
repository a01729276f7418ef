"""Load a realistic Swedish demo event ("demo"), idempotently.

Re-running leaves the same state: everything is found by a natural key (slug,
room code, round number, participant name, topic title) and updated in place.
"""

import datetime
import importlib
import random
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from agenda.models import Room, TimeSlot, Topic
from agenda.services import sign_up
from events.models import Event, Participant, Phase, RunSheetItem, Series

SLUG = "demo"
FACILITATOR = "facilitator"

PRINCIPLES = """Den som kommer är rätt person.
Det som händer är det enda som kunde ha hänt.
När det börjar är rätt tid.
När det är över är det över.
Lagen om två fötter: om du varken lär dig något eller bidrar där du är, gå någon annanstans."""

ROOMS = [
    ("A", "Stora salen", "Plan 2, till vänster efter trappan", 40),
    ("B", "Biblioteket", "Plan 2, glasdörren", 20),
    ("C", "Soffhörnan", "Vid fönstren i foajén", 8),
    ("D", "Ateljén", "Plan 1, bakom receptionen", 15),
]

SLOTS = [
    (1, "Pass 1", datetime.time(13, 15), datetime.time(14, 0)),
    (2, "Pass 2", datetime.time(14, 10), datetime.time(14, 55)),
    (3, "Pass 3", datetime.time(15, 5), datetime.time(15, 50)),
]

RUN_SHEET = [
    (Phase.OPENING, "Incheckning och öppningscirkel", (12, 30), (12, 50)),
    (Phase.MARKETPLACE, "Vi skapar agendan", (12, 50), (13, 15)),
    (Phase.ROUNDS, "Dialogpass 1–3", (13, 15), (15, 50)),
    (Phase.VERNISSAGE, "Vernissage: vi läser rapporterna", (15, 50), (16, 5)),
    (Phase.ACTION_PLANNING, "Handlingsplan", (16, 5), (16, 20)),
    (Phase.CLOSING, "Avslutningscirkel", (16, 20), (16, 30)),
]

PEOPLE = [
    ("Anna Lindqvist", "Västerås stad"),
    ("Erik Johansson", "Region Västmanland"),
    ("Fatima Al-Hassan", "Västerås stad"),
    ("Lars Öberg", "Köpings kommun"),
    ("Maria Svensson", "Försäkringskassan"),
    ("Johan Bergström", "Arbetsförmedlingen"),
    ("Sofia Nyström", "Sala kommun"),
    ("Ahmed Yusuf", "Region Västmanland"),
    ("Karin Åkesson", "Fagersta kommun"),
    ("Per Holm", "Västerås stad"),
    ("Elin Forsberg", "Hallstahammars kommun"),
    ("Mikael Sandberg", "Länsstyrelsen Västmanland"),
    ("Ingrid Dahl", "Surahammars kommun"),
    ("Oskar Lund", "Köpings kommun"),
    ("Linnea Ek", "Studieförbundet Vuxenskolan"),
    ("Hanna Persson", "Västerås stad"),
    ("Tomas Wallin", "Region Västmanland"),
    ("Zeynep Kaya", "Arboga kommun"),
    ("Gustav Håkansson", "Norbergs kommun"),
    ("Emma Lindgren", "Skinnskattebergs kommun"),
    ("David Nilsson", "Försäkringskassan"),
    ("Sara Björk", "Västerås stad"),
    ("Nils Engström", "Mälardalens universitet"),
    ("Amira Haddad", "Region Västmanland"),
    ("Jonas Falk", "Kungsörs kommun"),
    ("Ulrika Strand", "Sala kommun"),
    ("Viktor Sjöberg", "Arbetsförmedlingen"),
    ("Malin Hedlund", "Västerås stad"),
    ("Björn Axelsson", "Fagersta kommun"),
    ("Ida Moberg", ""),
]

# (title, description, convener index, room code, round) — room None: unplaced.
TOPICS = [
    (
        "Hur minskar vi dubbeldokumentationen i hemtjänsten?",
        "Vi dokumenterar samma besök i tre system.",
        0,
        "A",
        1,
    ),
    ("Tillit i praktiken: vad slutar vi kontrollera?", "", 3, "B", 1),
    ("Gemensam blankett för försörjningsstöd i länet", "", 4, "C", 1),
    ("Unga som varken arbetar eller studerar – vem äger frågan?", "", 5, "D", 1),
    (
        "Automatisering utan att tappa människan",
        "Erfarenheter av RPA i ekonomiadministrationen.",
        9,
        "A",
        2,
    ),
    ("Chefens roll när medarbetarna får mer mandat", "", 6, "B", 2),
    ("Samverkan kring psykisk ohälsa hos äldre", "", 7, "C", 2),
    ("Mätetal som betyder något för brukaren", "", 11, "A", 3),
    ("Hur får vi med de små kommunerna?", "", 18, "B", 3),
    ("Språket i våra beslut – klarspråk på riktigt", "", 14, "D", 3),
    ("Digitala möten med medborgare", "Kan vi ha videomöten som standard?", 21, None, None),
]


class Command(BaseCommand):
    help = "Create or refresh the Swedish demo event and a facilitator account."

    def add_arguments(self, parser):
        parser.add_argument("--quiet", action="store_true", help="Print nothing.")

    def handle(self, *args, quiet=False, **options):
        password = demo_password()
        with transaction.atomic():
            user = ensure_facilitator(password)
            event = seed_event(user)
            rooms = seed_rooms(event)
            slots = seed_slots(event)
            seed_run_sheet(event)
            participants = seed_participants(event)
            topics = seed_topics(event, participants, rooms, slots)
            seed_signups(topics, participants)
            run_optional_hooks(event, participants, topics)
            event.touch()
        if not quiet:
            self.print_summary(event, password)

    def print_summary(self, event, password):
        site = settings.SITE_URL or "http://127.0.0.1:8000"
        lines = [
            "",
            f"Demo event:        {event.title}",
            f"Facilitator login: {site}{reverse('login')}",
            f"  username:        {FACILITATOR}",
            f"  password:        {password}",
            f"Participant join:  {site}{reverse('events:join-event', kwargs={'slug': event.slug})}",
            f"  or at {site}{reverse('events:join')} with the code {event.join_code}",
            f"Projector wall:    {site}{reverse('agenda:wall', kwargs={'slug': event.slug})}",
            "",
        ]
        self.stdout.write("\n".join(lines))


def demo_password() -> str:
    """A password made once per checkout and kept in var/ so it stays the same."""
    path = settings.BASE_DIR / "var" / "demo_facilitator_password"
    if path.exists() and path.read_text().strip():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(9)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


def ensure_facilitator(password: str):
    user, _created = get_user_model().objects.get_or_create(username=FACILITATOR)
    user.first_name, user.last_name = "Demo", "Facilitator"
    user.is_staff = True
    if not user.check_password(password):
        user.set_password(password)
    user.save()
    return user


def seed_event(user) -> Event:
    series, _ = Series.objects.get_or_create(name="Nätverket Tillitsbaserad styrning Västmanland")
    defaults = {
        "title": "Nätverksträff 4 – Tillitsbaserad styrning i praktiken",
        "theme_question": (
            "Hur kan vi tillsammans minska den administrativa bördan så att tiden "
            "går till verklig nytta för människor?"
        ),
        "purpose": (
            "Att dela erfarenheter mellan kommuner, region och myndigheter och hitta "
            "två–tre initiativ som vi driver vidare till nästa träff."
        ),
        "description": "Träff 4 av 4 i nätverkets lärprogram. Fika finns från 12.00.",
        "date": timezone.localdate(),
        "start_time": datetime.time(12, 30),
        "end_time": datetime.time(16, 30),
        "venue": "Västerås Konserthus, Kungsgatan 6",
        "language": "sv",
        "principles": PRINCIPLES,
        "series": series,
    }
    event, created = Event.objects.get_or_create(
        slug=SLUG, defaults={**defaults, "phase": Phase.MARKETPLACE}
    )
    if not created:
        for field, value in defaults.items():
            setattr(event, field, value)
        event.save()
    event.facilitators.add(user)
    return event


def seed_rooms(event) -> dict[str, Room]:
    rooms = {}
    for position, (code, name, hint, capacity) in enumerate(ROOMS):
        room, _ = Room.objects.update_or_create(
            event=event,
            code=code,
            defaults={
                "name": name,
                "location_hint": hint,
                "capacity": capacity,
                "position": position,
            },
        )
        rooms[code] = room
    return rooms


def seed_slots(event) -> dict[int, TimeSlot]:
    slots = {}
    for number, label, starts_at, ends_at in SLOTS:
        slot, _ = TimeSlot.objects.update_or_create(
            event=event,
            number=number,
            defaults={"label": label, "starts_at": starts_at, "ends_at": ends_at},
        )
        slots[number] = slot
    return slots


def seed_run_sheet(event) -> None:
    event.run_sheet.all().delete()
    RunSheetItem.objects.bulk_create(
        RunSheetItem(
            event=event,
            phase=phase,
            label=label,
            starts_at=datetime.time(*start),
            ends_at=datetime.time(*end),
            position=position,
        )
        for position, (phase, label, start, end) in enumerate(RUN_SHEET)
    )


def seed_participants(event) -> list[Participant]:
    participants = []
    for name, organisation in PEOPLE:
        participant, _ = Participant.objects.update_or_create(
            event=event, name=name, defaults={"organisation": organisation, "removed_at": None}
        )
        participants.append(participant)
    return participants


def seed_topics(event, participants, rooms, slots) -> list[Topic]:
    topics = []
    for title, description, convener, room_code, number in TOPICS:
        topic, _ = Topic.objects.update_or_create(
            event=event,
            title=title,
            defaults={
                "description": description,
                "convener": participants[convener],
                "room": rooms[room_code] if room_code else None,
                "time_slot": slots[number] if number else None,
                "withdrawn_at": None,
            },
        )
        topics.append(topic)
    return topics


def seed_signups(topics, participants) -> None:
    rng = random.Random(4)  # the same sign-ups on every run
    by_round: dict[int, list[Topic]] = {}
    for topic in topics:
        if topic.is_placed:
            by_round.setdefault(topic.time_slot.number, []).append(topic)
    for participant in participants:
        for number in sorted(by_round):
            if rng.random() < 0.85:
                topic = rng.choice(by_round[number])
                # Through the service, so a full room puts people on its waiting list.
                sign_up(topic=topic, participant=participant, by_facilitator=True)


def run_optional_hooks(event, participants, topics) -> None:
    """Reports and the action plan add their demo data when those features exist."""
    for module_name, function_name in [
        ("reports.demo", "seed"),
        ("reports.action_demo", "seed_actions"),
    ]:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        getattr(module, function_name)(event, participants, topics)
