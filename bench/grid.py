"""The event of the benchmarks: an event in the marketplace phase with rooms x rounds.

Imported after Django is set up (each script sets up its own database first).
"""

import collections
import datetime


def marketplace_event(slug: str, title: str, rooms: int, rounds: int, capacity=None):
    """An event of `rooms` rooms ("Rum 0"…, codes R0…) and `rounds` one-hour time slots.

    `capacity` is a number for every room, or a function of the room's index.
    Returns (event, rooms, time slots).
    """
    from agenda.models import Room, TimeSlot
    from events.models import Event, Phase

    event = Event.objects.create(
        slug=slug,
        title=title,
        date=datetime.date.today(),
        phase=Phase.MARKETPLACE,
        start_time=datetime.time(8),
        end_time=datetime.time(18),
        language="sv",
    )
    room_objs = Room.objects.bulk_create(
        Room(
            event=event,
            name=f"Rum {i}",
            code=f"R{i}",
            position=i,
            capacity=capacity(i) if callable(capacity) else capacity,
        )
        for i in range(rooms)
    )
    slot_objs = TimeSlot.objects.bulk_create(
        TimeSlot(
            event=event,
            label=f"Pass {n + 1}",
            number=n + 1,
            starts_at=datetime.time(9 + n),
            ends_at=datetime.time(9 + n, 50),
        )
        for n in range(rounds)
    )
    return event, room_objs, slot_objs


def sign_up(pairs, capacity: int) -> None:
    """Write the sign-ups (topic pk, participant pk) as the app would: the first
    `capacity` of a session get its seats, the rest wait for one."""
    from agenda.models import SignUp

    taken = collections.Counter()
    rows = []
    for topic_id, participant_id in sorted(pairs):
        taken[topic_id] += 1
        rows.append(
            SignUp(
                topic_id=topic_id,
                participant_id=participant_id,
                waiting=taken[topic_id] > capacity,
            )
        )
    SignUp.objects.bulk_create(rows)
