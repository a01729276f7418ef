"""Demo data for the action plan: realistic Swedish initiatives, who joins, the ladder, reflections.

`seed_actions(event, participants, topics)` is idempotent: running it again
leaves the same initiatives, members and reflections (matched by their text).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction

from agenda.models import Topic
from events.models import Event, Participant

from .models import ClosingSummary, Initiative, InitiativeMember, Reflection

# what, levels, when, ladder step, what it takes to climb, state, guests
INITIATIVES = [
    (
        "Bjuda in socialtjänst och skola till en gemensam workshop om tidiga insatser",
        "F",
        "Före sommaren",
        2,
        "En gemensam målbild som båda förvaltningarna ställer sig bakom.",
        "open",
        "",
    ),
    (
        "Testa en gemensam digital blankett för ansökan om bostadsanpassning",
        "G",
        "Hösten",
        3,
        "Avtal om vem som förvaltar blanketten efter pilotperioden.",
        "in_progress",
        "Karin från IT-enheten",
    ),
    (
        "Undersöka hur andra regioner minskat dubbeldokumentation i hemtjänsten",
        "U",
        "Till nästa träff",
        1,
        "Att fler verksamheter berättar hur de arbetar i dag.",
        "open",
        "",
    ),
    (
        "Starta ett lärnätverk för innovationsledare i länets kommuner",
        "FU",
        "Augusti",
        2,
        "Att kommunerna avsätter tid för deltagarna.",
        "open",
        "Olle Nilsson\nMaria Berg",
    ),
    (
        "Ta fram en gemensam checklista för tillgängliga e-tjänster",
        "FG",
        "Nästa vecka",
        None,
        "",
        "open",
        "",
    ),
    (
        "Prova samverkansmöten varannan månad mellan region och kommuner om psykisk hälsa",
        "G",
        "Från september",
        4,
        "",
        "open",
        "",
    ),
]

REFLECTIONS = [
    ("Så mycket energi i rummet – tack!", False),
    ("Jag tar med mig att vi inte behöver vänta på ett beslut för att börja.", False),
    ("Lagen om de två fötterna befriade mig.", True),
    ("Nya kontakter i grannkommunen.", False),
    ("Mer tid till handlingsplanen nästa gång.", True),
]

SUMMARY = (
    "Dagen samlade deltagare från kommuner, region och civilsamhälle kring frågan om hur vi "
    "tillsammans kan minska den administrativa bördan. Sex initiativ togs, från att utforska "
    "andra regioners erfarenheter till att redan i höst testa en gemensam digital blankett. "
    "Vi följer upp initiativen på nästa nätverksträff."
)


@transaction.atomic
def seed_actions(
    event: Event, participants: Sequence[Participant], topics: Sequence[Topic] = ()
) -> list[Initiative]:
    """Add the demo action plan to `event` (participants and topics of that event)."""
    people = [p for p in participants if p.event_id == event.pk]
    sessions = [t for t in topics if t.event_id == event.pk]
    initiatives = []
    for n, (what, levels, when, step, next_step, state, guests) in enumerate(INITIATIVES):
        initiator = people[n % len(people)] if people else None
        initiative, _created = Initiative.objects.get_or_create(
            event=event,
            what=what,
            defaults={
                "created_by": initiator,
                "who": initiator.display_name if initiator else "Nätverket",
                "levels": levels,
                "when": when,
                "topic": sessions[n % len(sessions)] if sessions else None,
                "guests": guests,
                "ladder_step": step,
                "ladder_position": n,
                "next_step": next_step,
                "state": state,
            },
        )
        initiatives.append(initiative)
        # Two to four others join each initiative.
        for offset in range(1, 2 + n % 3 + 1):
            if len(people) > offset:
                member = people[(n + offset) % len(people)]
                if member.pk != getattr(initiator, "pk", None):
                    InitiativeMember.objects.get_or_create(
                        initiative=initiative, participant=member
                    )
    for n, (text, anonymous) in enumerate(REFLECTIONS):
        if n < len(people):
            Reflection.objects.get_or_create(
                event=event,
                participant=people[-(n + 1)],
                defaults={"text": text, "anonymous": anonymous},
            )
    ClosingSummary.objects.get_or_create(event=event, defaults={"text": SUMMARY})
    event.touch()
    return initiatives
