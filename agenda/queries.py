"""Reads for the agenda pages, each in a fixed number of queries whatever the size."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from events.models import Event, Participant
from openspace.prepared import Prepared

from .models import Room, SignUp, TimeSlot, Topic


def _signup_count(*, waiting: bool):
    # A correlated subquery per topic walks the (topic, participant) index; a JOIN
    # with GROUP BY over every selected column was three times slower at 10,000 sign-ups.
    counts = (
        SignUp.objects.filter(topic=OuterRef("pk"), waiting=waiting)
        .order_by()
        .values("topic")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counts), Value(0))


def _topics(event: Event):
    return (
        Topic.objects.active()
        .filter(event=event)
        .select_related("convener", "room", "time_slot")
        .order_by("time_slot__starts_at", "room__position", "created_at", "pk")
    )


def topics_with_counts(event: Event):
    return _topics(event).annotate(
        seated_count=_signup_count(waiting=False),
        waiting_count=_signup_count(waiting=True),
    )


def with_counts(topic: Topic) -> Topic:
    """Give one topic its seated_count and waiting_count, as topics_with_counts does."""
    counts = SignUp.objects.filter(topic=topic).aggregate(
        seated=Count("pk", filter=Q(waiting=False)), waiting=Count("pk", filter=Q(waiting=True))
    )
    topic.seated_count, topic.waiting_count = counts["seated"], counts["waiting"]
    return topic


@dataclass(frozen=True)
class MySignUp:
    waiting: bool


@dataclass
class Cell:
    room: Room
    slot: TimeSlot
    topic: Topic | None = None

    @property
    def code(self) -> str:
        return f"{self.room.code}{self.slot.number}"


@dataclass
class Round:
    slot: TimeSlot
    cells: list[Cell]
    state: str = ""  # "now", "next" or ""
    # When the round ends, as an aware datetime: the wall's countdown is right on a
    # projector whatever the time zone of its computer.
    ends: datetime.datetime | None = None

    @property
    def topics(self) -> list[Topic]:
        return [cell.topic for cell in self.cells if cell.topic]


@dataclass
class Places:
    """Rooms and time slots of an event, and the cells (room, slot) one may choose."""

    rooms: list[Room]
    slots: list[TimeSlot]
    cells: list[tuple[Room, TimeSlot]]


@dataclass
class Grid:
    event: Event
    rooms: list[Room]
    rounds: list[Round]
    unplaced: list[Topic]
    # How many topics have no place: more than `unplaced` if only some were loaded.
    unplaced_total: int = 0
    my_signups: dict[int, bool] = field(default_factory=dict)  # topic id -> waiting
    clashes: set[int] = field(default_factory=set)  # topic ids in a round with another sign-up

    @property
    def topics(self) -> list[Topic]:
        placed = [topic for round_ in self.rounds for topic in round_.topics]
        return placed + self.unplaced

    def places(self) -> Places:
        """Every cell, to move a topic to (a taken one swaps)."""
        return Places(
            rooms=self.rooms,
            slots=[round_.slot for round_ in self.rounds],
            cells=[(cell.room, cell.slot) for round_ in self.rounds for cell in round_.cells],
        )

    # Up to this many rooms the wall has a column per room; with more, a row per room
    # (20 columns of 90 px broke every word of every title on a 1920 px projector).
    WALL_ROOM_COLUMNS = 8

    @property
    def rooms_down(self) -> bool:
        return len(self.rooms) > self.WALL_ROOM_COLUMNS

    def by_room(self) -> list[tuple[Room, list[Cell]]]:
        """Each room with its cells, one per round in order: the grid turned on its side."""
        return [
            (room, [round_.cells[index] for round_ in self.rounds])
            for index, room in enumerate(self.rooms)
        ]

    def placed_cells(self) -> list[Cell]:
        return [cell for round_ in self.rounds for cell in round_.cells if cell.topic]

    def own(self) -> list[tuple[Topic, MySignUp, bool]]:
        """The viewer's sessions as (topic, their sign-up, clash?), in grid order."""
        return [
            (topic, MySignUp(waiting=self.my_signups[topic.pk]), topic.pk in self.clashes)
            for topic in self.topics
            if topic.pk in self.my_signups
        ]


def round_states(event: Event, slots: list[TimeSlot], now: datetime.datetime | None = None):
    """Which round is on now and which comes next, by the local clock on the event's day."""
    now = timezone.localtime(now)
    states = {}
    if now.date() != event.date:
        return states
    current_time = now.time()
    upcoming = [slot for slot in slots if slot.starts_at > current_time]
    for slot in slots:
        if slot.starts_at <= current_time < slot.ends_at:
            states[slot.pk] = "now"
    if upcoming:
        states[min(upcoming, key=lambda slot: slot.starts_at).pk] = "next"
    return states


# A topic without a place (a check constraint keeps room and time slot both set or
# both empty).
UNPLACED = Q(time_slot__isnull=True)


def grid(
    event: Event, participant: Participant | None = None, now=None, *, unplaced_shown=None
) -> Grid:
    """The agenda grid in four queries: rooms, slots, topics with counts, my sign-ups.

    With `unplaced_shown` (a number), of the topics without a place only the newest
    that many, and those with sign-ups, are loaded, and one more query counts them
    all: the grid then costs the same with 50 topics posted or 2,000.
    """
    rooms = list(event.rooms.all())
    slots = list(event.time_slots.all())
    # The rooms and slots just read are given to the topics, not read again with each:
    # two model instances fewer per topic, a fifth of a fresh grid's cost.
    topics = topics_with_counts(event).select_related(None).select_related("convener")
    unplaced_total = None
    if unplaced_shown is not None:
        unplaced = Topic.objects.active().filter(UNPLACED, event=event)
        newest = unplaced.order_by("-created_at", "-pk").values("pk")[:unplaced_shown]
        topics = topics.filter(
            ~UNPLACED
            | Q(pk__in=newest)
            # Someone's session, taken out of the grid: it stays in their "My sessions".
            | Exists(SignUp.objects.filter(topic=OuterRef("pk")))
        )
        unplaced_total = unplaced.count()
    topics = list(topics)
    give_places(topics, rooms, slots)
    my_signups = {}
    if participant is not None:
        my_signups = dict(
            SignUp.objects.filter(participant=participant, topic__event=event).values_list(
                "topic_id", "waiting"
            )
        )
    by_cell = {(t.time_slot_id, t.room_id): t for t in topics if t.is_placed}
    states = round_states(event, slots, now)
    rounds = [
        Round(
            slot=slot,
            cells=[Cell(room, slot, by_cell.get((slot.pk, room.pk))) for room in rooms],
            state=states.get(slot.pk, ""),
            ends=timezone.make_aware(datetime.datetime.combine(event.date, slot.ends_at)),
        )
        for slot in slots
    ]
    unplaced_topics = [topic for topic in topics if not topic.is_placed]
    result = Grid(
        event=event,
        rooms=rooms,
        rounds=rounds,
        unplaced=unplaced_topics,
        unplaced_total=len(unplaced_topics) if unplaced_total is None else unplaced_total,
        my_signups=my_signups,
    )
    result.clashes = clashing([topic for topic in topics if topic.pk in my_signups])
    return result


def give_places(topics: list[Topic], rooms: list[Room], slots: list[TimeSlot]) -> None:
    """Set each placed topic's room and time slot to those of `rooms` and `slots`."""
    room_of = {room.pk: room for room in rooms}
    slot_of = {slot.pk: slot for slot in slots}
    room_field, slot_field = Topic.room.field, Topic.time_slot.field
    for topic in topics:
        if topic.room_id in room_of:
            room_field.set_cached_value(topic, room_of[topic.room_id])
        if topic.time_slot_id in slot_of:
            slot_field.set_cached_value(topic, slot_of[topic.time_slot_id])


def places(event: Event) -> Places:
    """The free cells to choose from, in three queries (rooms, slots, taken cells).

    Unlike grid() it loads no topics and no counts, so posting a topic costs the same
    with 50 topics or 2,000.
    """
    rooms = list(event.rooms.all())
    slots = list(event.time_slots.all())
    taken = set(  # from the one-topic-per-cell index alone
        Topic.objects.active()
        .filter(room__in=rooms, time_slot__isnull=False)
        .order_by()
        .values_list("time_slot_id", "room_id")
    )
    free = [(room, slot) for slot in slots for room in rooms if (slot.pk, room.pk) not in taken]
    return Places(rooms=rooms, slots=slots, cells=free)


def clashing(topics: list[Topic]) -> set[int]:
    """Ids of the placed topics that share their round with another of `topics`."""
    by_round: dict[int, list[int]] = {}
    for topic in topics:
        if topic.is_placed:
            by_round.setdefault(topic.time_slot_id, []).append(topic.pk)
    return {pk for pks in by_round.values() if len(pks) > 1 for pk in pks}


def my_signups(participant: Participant) -> dict[int, bool]:
    """The participant's sign-ups, withdrawn sessions' too, as topic id -> waiting, in
    one query of the participant index (a participant belongs to one event).

    Plain SQL for two columns: every agenda page of a participant reads these, and
    making SignUp instances of the rows took longer than the query.
    """
    table = connection.ops.quote_name(SignUp._meta.db_table)
    sql = f"SELECT topic_id, waiting FROM {table} WHERE participant_id = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [participant.pk])
        return {topic: bool(waiting) for topic, waiting in cursor.fetchall()}


def own_sessions(event: Event, participant: Participant) -> list[tuple[Topic, MySignUp, bool]]:
    """The participant's sessions as Grid.own() gives them, without the grid.

    First their sign-ups (my_signups): someone who has none (everyone who has just
    joined) costs no more. Then their topics, without an ORDER BY (building the query
    took twenty times as long as running it, and most of that was resolving the
    ordering across the joins; a handful of rows sort in Python), and their counts.
    """
    waiting = my_signups(participant)
    if not waiting:
        return []
    topics = list(
        Topic.objects.active()
        .filter(pk__in=list(waiting))
        .select_related("convener", "room", "time_slot")
        .order_by()
    )
    counts = _counts([topic.pk for topic in topics]) if topics else {}
    for topic in topics:
        topic.event = event
        topic.seated_count, topic.waiting_count = counts.get(topic.pk, (0, 0))
    clashes = clashing(topics)
    return [
        (topic, MySignUp(waiting=waiting[topic.pk]), topic.pk in clashes)
        for topic in sorted(topics, key=_grid_order)
    ]


_CONVENED_BY = Prepared(
    lambda participant: Topic.objects.filter(convener_id=participant).order_by(),
    participant=int,
)


def convened(participant: Participant) -> list[Topic]:
    """Every topic the participant convenes, withdrawn ones too, in one query of the
    convener index: the topics alone (no counts, rooms or time slots)."""
    return _CONVENED_BY.all(participant=participant.pk)


def _counts(topic_ids: list[int]) -> dict[int, tuple[int, int]]:
    rows = (
        SignUp.objects.filter(topic_id__in=topic_ids)
        .order_by()
        .values("topic")
        .annotate(
            seated=Count("pk", filter=Q(waiting=False)), waiting=Count("pk", filter=Q(waiting=True))
        )
        .values_list("topic", "seated", "waiting")
    )
    return {topic: (seated, waiting) for topic, seated, waiting in rows}


def _grid_order(topic: Topic):
    """The order of _topics(), placed sessions first."""
    slot = topic.time_slot
    return (
        slot is None,
        slot.starts_at if slot else datetime.time.min,
        topic.room.position if topic.room else 0,
        topic.created_at,
        topic.pk,
    )


# The session page's two queries, prepared (openspace.prepared): every new topic's
# convener lands on its page, 2,000 of them in a marketplace burst.
_TOPIC_PAGE = Prepared(
    lambda pk, event_id: (
        Topic.objects.active()
        .filter(pk=pk, event_id=event_id)
        # With its report, if any, so the page knows whether there is one to read.
        .select_related("convener", "room", "time_slot", "report")
        .order_by()[:1]
    ),
    pk=int,
    event_id=int,
)
_SIGNUP_LIST = Prepared(
    lambda topic_id: (
        SignUp.objects.filter(topic_id=topic_id)
        .select_related("participant")
        .order_by("created_at", "pk")
    ),
    topic_id=int,
)


def topic_page(event: Event, pk: int) -> Topic:
    """One session with its counts and sign-ups (names with organisations), in two queries.

    The counts are those of the sign-ups read: the same moment, and no counting
    subqueries for the ORM to build (they were half the page's cost).
    """
    topic = _TOPIC_PAGE.first(pk=pk, event_id=event.pk)
    if topic is None:
        raise Topic.DoesNotExist
    topic.event = event
    topic.signup_list = _SIGNUP_LIST.all(topic_id=topic.pk)
    for signup in topic.signup_list:
        signup.topic = topic
    topic.waiting_count = sum(signup.waiting for signup in topic.signup_list)
    topic.seated_count = len(topic.signup_list) - topic.waiting_count
    return topic


def scheduling_problem(event: Event):
    """The scheduler's input from the database, in four queries.

    Returns (problem, topics by id, rooms by id, slots by id).
    """
    from .scheduler import Cell, Problem

    rooms = list(event.rooms.all())
    slots = list(event.time_slots.all())
    topics = list(Topic.objects.active().filter(event=event).order_by("created_at", "pk"))
    people: dict[int, set[int]] = {topic.pk: set() for topic in topics}
    for topic_id, participant_id in SignUp.objects.filter(topic__event=event).values_list(
        "topic_id", "participant_id"
    ):
        if topic_id in people:
            people[topic_id].add(participant_id)
    problem = Problem(
        rooms=[room.pk for room in rooms],
        slots=[slot.pk for slot in slots],
        capacity={room.pk: room.capacity for room in rooms},
        topics=[topic.pk for topic in topics],
        people={pk: frozenset(ids) for pk, ids in people.items()},
        conveners={topic.pk: topic.convener_id for topic in topics},
        placement={
            topic.pk: Cell(topic.room_id, topic.time_slot_id) if topic.is_placed else None
            for topic in topics
        },
        locked=frozenset(topic.pk for topic in topics if topic.locked),
    )
    return (
        problem,
        {topic.pk: topic for topic in topics},
        {room.pk: room for room in rooms},
        {slot.pk: slot for slot in slots},
    )
