"""Writes of the marketplace: topics, their place in the grid, and sign-ups.

Each function is one transaction and bumps the event's version so walls and
phones see the change. Rules of the day raise AgendaError, which views turn
into a message for the person.
"""

import functools

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from events.models import Event, Participant
from openspace import live
from openspace.concurrency import check_base, fingerprint
from openspace.prepared import Prepared, insert

from .models import Room, SignUp, TimeSlot, Topic


class AgendaError(Exception):
    """A rule of the marketplace stopped the change; the message is for the person."""


class CellTaken(AgendaError):
    def __init__(self):
        super().__init__(_("Someone else just took that place. Choose another free place."))


def _check_cell(event: Event, room: Room | None, time_slot: TimeSlot | None) -> None:
    if (room is None) != (time_slot is None):
        raise AgendaError(_("Choose both a room and a time slot, or neither."))
    if room is not None and (room.event_id != event.pk or time_slot.event_id != event.pk):
        raise AgendaError(_("That place is not part of this event."))


def _place(topic: Topic, room: Room | None, time_slot: TimeSlot | None) -> None:
    """Save the topic's cell; the database's one-topic-per-cell rule settles races."""
    topic.room, topic.time_slot = room, time_slot
    try:
        with transaction.atomic():
            topic.save(update_fields=["room", "time_slot", "updated_at"])
    except IntegrityError:
        raise CellTaken from None


def post_topic(
    *,
    event: Event,
    participant: Participant | None,
    title: str,
    description: str = "",
    co_convener: str = "",
    room: Room | None = None,
    time_slot: TimeSlot | None = None,
    idempotency_key: str = "",
    by_facilitator: bool = False,
) -> Topic:
    """Post a topic, in a free cell or unplaced. A repeated key returns the first topic."""
    if not (event.marketplace_open or by_facilitator):
        raise AgendaError(_("The marketplace is closed: new topics cannot be posted now."))
    _check_cell(event, room, time_slot)
    # A repeated key is found by the unique index, below, not looked up first: nearly
    # every post is new, and the lookup cost as much as the insert.
    topic = Topic(
        event=event,
        title=title,
        description=description,
        co_convener=co_convener,
        convener=participant,
        room=room,
        time_slot=time_slot,
        idempotency_key=idempotency_key,
    )
    # The topic and the event's version commit together. Inside a caller's transaction
    # (openspace.idempotency's) no savepoint is needed: an insert that a unique rule
    # refuses is skipped, not an error that spoils the transaction.
    with transaction.atomic(savepoint=False):
        if insert(topic, skip_conflict=True):
            event.touch()
            return topic
    # The same form twice at the same moment, or the cell taken meanwhile (the
    # database's one-topic-per-cell rule).
    existing = Topic.objects.filter(event=event, idempotency_key=idempotency_key).first()
    if idempotency_key and existing is not None:
        return existing
    if room is not None:
        raise CellTaken
    raise IntegrityError("The topic broke a unique rule it has no place or key for.")


# What the edit form changes, and so what a concurrent edit is checked on.
TOPIC_EDITED = ("title", "description", "co_convener")


def topic_base(topic: Topic) -> str:
    """The fingerprint of the topic's editable fields, for the edit form's `base`."""
    return fingerprint(getattr(topic, name) for name in TOPIC_EDITED)


def topics_changeable(event: Event, *, by_facilitator: bool = False) -> bool:
    """Whether a convener may still edit or withdraw their topic: until the event is
    closed (then the agenda is the documentation's, and a withdrawal would take a
    session and its report out of it); facilitators may always."""
    return by_facilitator or not event.is_closed


def closed_topic_message() -> str:
    return _("The event is closed: its topics can no longer be changed.")


def _check_changeable(event: Event, by_facilitator: bool) -> None:
    if not topics_changeable(event, by_facilitator=by_facilitator):
        raise AgendaError(closed_topic_message())


@transaction.atomic
def edit_topic(
    *,
    topic: Topic,
    title: str,
    description: str,
    co_convener: str,
    base: str = "",
    by_facilitator: bool = False,
) -> Topic:
    """Save the edit, unless someone else changed the topic since `base` (the form's
    fingerprint): then EditConflict, with the topic as stored now. AgendaError once
    the event is closed, unless `by_facilitator`."""
    _check_changeable(topic.event, by_facilitator)
    stored = Topic.objects.select_for_update().get(pk=topic.pk)
    check_base(
        stored,
        base,
        [getattr(stored, name) for name in TOPIC_EDITED],
        [title, description, co_convener],
    )
    topic.title, topic.description, topic.co_convener = title, description, co_convener
    topic.save(update_fields=["title", "description", "co_convener", "updated_at"])
    topic.event.touch()
    return topic


@transaction.atomic
def withdraw_topic(*, topic: Topic, by_facilitator: bool = False) -> None:
    """Withdraw a topic: it leaves the grid and frees its cell; sign-ups go with it.
    AgendaError once the event is closed, unless `by_facilitator`."""
    _check_changeable(topic.event, by_facilitator)
    topic.withdrawn_at = timezone.now()
    topic.room = topic.time_slot = None
    topic.save(update_fields=["withdrawn_at", "room", "time_slot", "updated_at"])
    topic.signups.all().delete()
    topic.event.touch()


@transaction.atomic
def move_topic(*, topic: Topic, room: Room | None, time_slot: TimeSlot | None) -> Topic:
    """Move a topic to a free cell, or unplace it (room and time_slot None)."""
    _check_cell(topic.event, room, time_slot)
    _place(topic, room, time_slot)
    topic.event.touch()
    return topic


@transaction.atomic
def swap_topics(*, first: Topic, second: Topic) -> None:
    """Swap two topics' places (either may be unplaced)."""
    if first.event_id != second.event_id:
        raise AgendaError(_("Both topics must belong to the same event."))
    first_cell, second_cell = (first.room, first.time_slot), (second.room, second.time_slot)
    # Free the first cell before filling it, so the one-topic-per-cell rule holds throughout.
    _place(first, None, None)
    _place(second, *first_cell)
    _place(first, *second_cell)
    first.event.touch()


def _merged_co_conveners(keep: Topic, duplicate: Topic) -> str:
    """`keep`'s co-conveners, then the duplicate's convener and co-conveners, none twice.

    The same person often posts the same topic twice (a second join on a new phone, a
    double tap), so a name `keep` already shows, as convener or co-convener, is not added.
    """
    co_convener = keep.co_convener
    shown = [keep.convener.display_name] if keep.convener else []
    additions = [duplicate.co_convener]
    if duplicate.convener and duplicate.convener_id != keep.convener_id:
        additions.insert(0, duplicate.convener.display_name)
    for name in filter(None, additions):
        if not any(name.casefold() in text.casefold() for text in [*shown, co_convener] if text):
            co_convener = ", ".join(filter(None, [co_convener, name]))
    return co_convener[:120]


@transaction.atomic
def merge_topics(*, keep: Topic, duplicate: Topic) -> Topic:
    """Merge a duplicate into `keep`: its sign-ups and convener move over, it is withdrawn."""
    if keep.pk == duplicate.pk or keep.event_id != duplicate.event_id:
        raise AgendaError(_("Choose another topic of this event to merge with."))
    already = set(keep.signups.values_list("participant_id", flat=True))
    for signup in duplicate.signups.exclude(participant_id__in=already):
        signup.topic = keep
        signup.save(update_fields=["topic"])
    duplicate_convener = duplicate.convener
    if (
        duplicate_convener
        and duplicate_convener.pk != keep.convener_id
        and duplicate_convener.pk not in already
    ):
        SignUp.objects.get_or_create(topic=keep, participant=duplicate_convener)
    keep.co_convener = _merged_co_conveners(keep, duplicate)
    if duplicate.description and duplicate.description not in keep.description:
        keep.description = "\n\n".join(filter(None, [keep.description, duplicate.description]))[
            :2000
        ]
    keep.save(update_fields=["co_convener", "description", "updated_at"])
    withdraw_topic(topic=duplicate, by_facilitator=True)
    _rebalance_waiting(keep)
    keep.event.touch()
    return keep


@transaction.atomic
def set_locked(*, topic: Topic, locked: bool) -> None:
    """Lock a topic in place (the scheduler leaves it) or unlock it. The facilitators'
    grid marks it "Locked", so their shared render must be made afresh."""
    topic.locked = locked
    topic.save(update_fields=["locked", "updated_at"])
    topic.event.touch()


# Every tap of "Sign up" runs this (openspace.prepared: why prepared). The room is not
# joined to it: a topic row that changed while the tap waited for its lock is read
# again by PostgreSQL, but a room joined to it is not, so a room read with the topic
# could be the one before a move (or before its capacity changed). The room's capacity
# comes with the seats, counted after the lock (_seats).
_TOPIC_FOR_UPDATE = Prepared(
    lambda pk, event_id: Topic.objects.select_for_update().filter(pk=pk, event_id=event_id),
    pk=int,
    event_id=int,
)


def _locked_topic(topic: Topic | int, participant: Participant) -> tuple[Event, Topic]:
    """The topic, row-locked: from a Topic, or from an id looked up in the participant's
    own event (Topic.DoesNotExist if there is none there: the view's 404). Its room is
    read when asked for (Topic.capacity), after the lock.

    The lock (SELECT ... FOR UPDATE on PostgreSQL; on SQLite the IMMEDIATE transaction
    already holds the write lock) makes counting the seats and taking one a single step.
    """
    if isinstance(topic, Topic):
        event = topic.event
        if participant.event_id != topic.event_id:
            raise AgendaError(_("You can only sign up for sessions of your own event."))
        pk = topic.pk
    else:
        event, pk = participant.event, topic
    locked = _TOPIC_FOR_UPDATE.first(pk=pk, event_id=participant.event_id)
    if locked is None:
        raise Topic.DoesNotExist
    locked.event = event
    return event, locked


@functools.cache
def _seats_sql() -> str:
    """The seats of a topic: seated, waiting, the participant's own sign-ups (named
    value `participant`), and the capacity of its room (`room`), for `topic`. Built once:
    every tap of "Sign up" runs it, alone (_seats) or in _take_seat_sql()."""
    quote = connection.ops.quote_name
    signups, rooms = quote(SignUp._meta.db_table), quote(Room._meta.db_table)
    return (
        "SELECT COALESCE(SUM(CASE WHEN waiting THEN 0 ELSE 1 END), 0) AS seated, "  # noqa: S608
        "COALESCE(SUM(CASE WHEN waiting THEN 1 ELSE 0 END), 0) AS waiting, "
        "COALESCE(SUM(CASE WHEN participant_id = %(participant)s THEN 1 ELSE 0 END), 0) AS mine, "
        f"(SELECT capacity FROM {rooms} WHERE id = %(room)s) AS capacity "
        f"FROM {signups} WHERE topic_id = %(topic)s"
    )


def _seats(topic: Topic, participant_id: int) -> tuple[int, int, int]:
    """(seated, waiting, this participant's sign-ups) of a locked topic, in one
    statement that also reads its room's capacity into topic.capacity.

    Plain SQL, as every tap of "Sign up" runs it: on the 2-core machine of
    docs/performance.md the ORM took 0.47 ms to build this aggregate, which the
    database answers in a few hundredths of a millisecond. Run after the topic's lock,
    it reads the room the topic is in now, with its capacity as it is now: on
    PostgreSQL each statement sees what was committed before it began.
    """
    values = {"participant": participant_id, "room": topic.room_id, "topic": topic.pk}
    with connection.cursor() as cursor:
        cursor.execute(_seats_sql(), values)
        seated_now, waiting_now, mine_now, capacity_now = cursor.fetchone()
    if topic.room_id is not None:  # else no limit, and no room to read
        topic.capacity = capacity_now
    return seated_now, waiting_now, mine_now


@transaction.atomic
def sign_up(
    *, topic: Topic | int, participant: Participant, by_facilitator: bool = False
) -> SignUp:
    """Sign up for a session; past the room's capacity the sign-up waits for a seat.

    `topic` is a Topic or the id of one in the participant's event. The topic row
    is locked before the seats are counted, so 200 people tapping the last seat at
    once give one seat and 199 waiting places. The sign-up's topic carries
    seated_count and waiting_count as they are after it (as queries.with_counts
    gives them), so the answer needs no further query.
    """
    event, locked = _locked_topic(topic, participant)
    if not (event.signups_open or by_facilitator):
        raise AgendaError(_("Sign-ups are not open right now."))
    if locked.withdrawn_at is not None:
        raise AgendaError(_("This topic has been withdrawn."))
    if connection.vendor == "postgresql":
        return _take_seat_in_one_statement(event, locked, participant)
    seated, waiting_now, mine = _seats(locked, participant.pk)
    locked.seated_count, locked.waiting_count = seated, waiting_now
    if mine:  # tapped twice, or a retry: the first one stands
        return _signed_up_before(locked, participant)
    capacity = locked.capacity
    waiting = capacity is not None and seated >= capacity
    signup = SignUp(topic=locked, participant=participant, waiting=waiting)
    insert(signup)
    _count_in(locked, signup)
    event.touch()
    return signup


def _signed_up_before(topic: Topic, participant: Participant) -> SignUp:
    existing = SignUp.objects.get(topic=topic, participant=participant)
    existing.topic = topic
    return existing


def _count_in(topic: Topic, signup: SignUp) -> None:
    if signup.waiting:
        topic.waiting_count += 1
    else:
        topic.seated_count += 1


@functools.cache
def _take_seat_sql() -> str:
    """_seats()' count, the sign-up's INSERT (unless the participant has one) and the
    event's version, in one statement: PostgreSQL runs a WITH's INSERT and UPDATE as
    parts of the statement. Its one snapshot is taken after the topic's lock (a
    statement before), so it counts every sign-up committed by whoever held the lock.
    SignUp's columns are named here: tests/agenda/test_services.py checks the list."""
    quote = connection.ops.quote_name
    signups, events = quote(SignUp._meta.db_table), quote(Event._meta.db_table)
    return (
        f"WITH seats AS ({_seats_sql()}), "  # noqa: S608
        f"new AS (INSERT INTO {signups} (topic_id, participant_id, waiting, created_at) "
        "SELECT %(topic)s, %(participant)s, capacity IS NOT NULL AND seated >= capacity, "
        "%(now)s FROM seats WHERE mine = 0 RETURNING id, waiting), "
        f"bump AS (UPDATE {events} SET version = version + 1 "
        "WHERE id = %(event)s AND EXISTS (SELECT FROM new) RETURNING version) "
        "SELECT seats.seated, seats.waiting, seats.capacity, new.id, new.waiting, "
        "bump.version FROM seats LEFT JOIN new ON TRUE LEFT JOIN bump ON TRUE"
    )


def _take_seat_in_one_statement(event: Event, locked: Topic, participant: Participant) -> SignUp:
    """sign_up() after the lock, on PostgreSQL: one round trip instead of three."""
    now = timezone.now()
    values = {
        "participant": participant.pk,
        "room": locked.room_id,
        "topic": locked.pk,
        "now": now,
        "event": event.pk,
    }
    with connection.cursor() as cursor:
        cursor.execute(_take_seat_sql(), values)
        seated, waiting_now, capacity, new_id, waiting, version = cursor.fetchone()
    locked.seated_count, locked.waiting_count = seated, waiting_now
    if locked.room_id is not None:  # else no limit, and no room to read
        locked.capacity = capacity
    if new_id is None:  # tapped twice, or a retry: the first one stands
        return _signed_up_before(locked, participant)
    signup = SignUp(
        pk=new_id, topic=locked, participant=participant, waiting=waiting, created_at=now
    )
    signup._state.adding, signup._state.db = False, connection.alias
    _count_in(locked, signup)
    event.touched(version)
    return signup


@transaction.atomic
def leave(*, topic: Topic | int, participant: Participant) -> Topic:
    """Leave a session; the first person waiting gets the seat. Returns the topic."""
    event, locked = _locked_topic(topic, participant)
    deleted, _rows = SignUp.objects.filter(topic=locked, participant=participant).delete()
    if deleted:
        _rebalance_waiting(locked)
        event.touch()
        # The leaver's next agenda page cannot be a render of before with their own
        # sessions put in: this one is no longer among them, and the render's counts
        # still seat them.
        live.note_unpatchable(event.pk)
    return locked


def _rebalance_waiting(topic: Topic) -> None:
    """Give free seats to those waiting longest (after a leave, a merge or a room change)."""
    topic = Topic.objects.select_related("room").get(pk=topic.pk)
    capacity = topic.capacity
    waiting = SignUp.objects.filter(topic=topic, waiting=True).order_by("created_at", "pk")
    if capacity is None:
        waiting.update(waiting=False)
        return
    free = capacity - SignUp.objects.filter(topic=topic, waiting=False).count()
    if free > 0:
        ids = list(waiting.values_list("pk", flat=True)[:free])
        SignUp.objects.filter(pk__in=ids).update(waiting=False)


class StaleSuggestion(AgendaError):
    pass


@transaction.atomic
def apply_schedule(*, event: Event, fingerprint: str) -> int:
    """Apply the scheduler's suggestion for the grid as it is now.

    The suggestion is recomputed (it is deterministic) and applied only if the
    grid and sign-ups are still what the facilitator saw (the fingerprint), so a
    change made meanwhile is never overwritten. Returns the number of moves.
    """
    from . import queries, scheduler

    Event.objects.select_for_update().filter(pk=event.pk).first()
    problem, _topics, _rooms, _slots = queries.scheduling_problem(event)
    if scheduler.fingerprint(problem) != fingerprint:
        raise StaleSuggestion(
            _("The agenda changed since the suggestion was made. Look at the new suggestion.")
        )
    suggestion = scheduler.suggest(problem)
    moved = [topic_id for topic_id, _old, _new in suggestion.moves]
    # Two steps, so the one-topic-per-cell rule holds at every moment.
    Topic.objects.filter(pk__in=moved).update(room=None, time_slot=None)
    for topic_id, _old, new in suggestion.moves:
        if new is not None:
            Topic.objects.filter(pk=topic_id).update(room_id=new.room, time_slot_id=new.slot)
    event.touch()
    return len(moved)
