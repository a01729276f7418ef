import datetime

import pytest

from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory, TopicFactory


def build_grid(event, rooms=3, rounds=3):
    room_list = [
        RoomFactory(event=event, name=f"Rum {i}", code=chr(ord("A") + i), position=i)
        for i in range(rooms)
    ]
    slot_list = [
        TimeSlotFactory(
            event=event,
            number=n + 1,
            label=f"Pass {n + 1}",
            starts_at=datetime.time(13 + n, 0),
            ends_at=datetime.time(13 + n, 45),
        )
        for n in range(rounds)
    ]
    return room_list, slot_list


@pytest.fixture
def grid_setup(event):
    return build_grid(event)


@pytest.fixture
def rooms(grid_setup):
    return grid_setup[0]


@pytest.fixture
def slots(grid_setup):
    return grid_setup[1]


@pytest.fixture
def placed_topic(event, rooms, slots, participant):
    return TopicFactory(
        event=event, convener=participant, room=rooms[0], time_slot=slots[0], title="Tillit"
    )


@pytest.fixture
def other_participant(event):
    return ParticipantFactory(event=event, name="Bertil Berg")
