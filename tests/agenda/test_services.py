import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction

from agenda import services
from agenda.models import SignUp, Topic
from events.models import Event, Phase
from tests.factories import ParticipantFactory, RoomFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_posting_a_topic_into_a_free_cell_gives_it_a_code(event, participant, rooms, slots):
    topic = services.post_topic(
        event=event, participant=participant, title="Klarspråk", room=rooms[1], time_slot=slots[2]
    )
    assert topic.code == "B3"
    assert topic.convener == participant


def test_posting_bumps_the_event_version(event, participant):
    before = event.version
    services.post_topic(event=event, participant=participant, title="Ett ämne")
    event.refresh_from_db()
    assert event.version == before + 1


def test_posting_is_refused_when_the_marketplace_is_closed(event, participant):
    event.phase = Phase.ROUNDS
    event.save()
    with pytest.raises(services.AgendaError):
        services.post_topic(event=event, participant=participant, title="Sent ämne")
    assert not Topic.objects.exists()


def test_facilitators_may_post_when_the_marketplace_is_closed(event):
    event.phase = Phase.ROUNDS
    event.save()
    topic = services.post_topic(event=event, participant=None, title="Ämne", by_facilitator=True)
    assert topic.pk


def test_posting_into_a_cell_of_another_event_is_refused(event, participant, slots, other_event):
    foreign_room = RoomFactory(event=other_event)
    with pytest.raises(services.AgendaError):
        services.post_topic(
            event=event, participant=participant, title="X", room=foreign_room, time_slot=slots[0]
        )


def test_a_taken_cell_is_refused_and_nothing_is_saved(
    placed_topic, other_participant, rooms, slots
):
    with pytest.raises(services.CellTaken):
        services.post_topic(
            event=placed_topic.event,
            participant=other_participant,
            title="Samma plats",
            room=rooms[0],
            time_slot=slots[0],
        )
    assert Topic.objects.count() == 1


def test_the_same_idempotency_key_makes_one_topic(event, participant):
    first = services.post_topic(
        event=event, participant=participant, title="A", idempotency_key="k1"
    )
    second = services.post_topic(
        event=event, participant=participant, title="A", idempotency_key="k1"
    )
    assert first.pk == second.pk
    assert Topic.objects.count() == 1


def test_swap_exchanges_two_cells(event, rooms, slots, participant):
    first = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    second = TopicFactory(event=event, room=rooms[1], time_slot=slots[1])
    services.swap_topics(first=first, second=second)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.code, second.code) == ("B2", "A1")


def test_swap_with_an_unplaced_topic(event, rooms, slots):
    placed = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    loose = TopicFactory(event=event)
    services.swap_topics(first=placed, second=loose)
    placed.refresh_from_db()
    loose.refresh_from_db()
    assert not placed.is_placed and loose.code == "A1"


def test_move_and_unplace(placed_topic, rooms, slots):
    services.move_topic(topic=placed_topic, room=rooms[2], time_slot=slots[1])
    assert placed_topic.code == "C2"
    services.move_topic(topic=placed_topic, room=None, time_slot=None)
    placed_topic.refresh_from_db()
    assert not placed_topic.is_placed


def test_merge_carries_signups_and_convener_over(event, rooms, slots):
    keep = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    duplicate = TopicFactory(event=event)
    shared, only_duplicate = ParticipantFactory(event=event), ParticipantFactory(event=event)
    SignUp.objects.create(topic=keep, participant=shared)
    SignUp.objects.create(topic=duplicate, participant=shared)
    SignUp.objects.create(topic=duplicate, participant=only_duplicate)
    services.merge_topics(keep=keep, duplicate=duplicate)
    duplicate.refresh_from_db()
    keep.refresh_from_db()
    assert duplicate.withdrawn_at is not None
    people = set(keep.signups.values_list("participant_id", flat=True))
    assert {shared.pk, only_duplicate.pk, duplicate.convener_id} <= people
    assert duplicate.convener.name in keep.co_convener


def test_merge_keeps_the_duplicates_co_convener(event):
    keep = TopicFactory(event=event, co_convener="Göran Öberg")
    duplicate = TopicFactory(event=event, co_convener="Maria Lindqvist")
    services.merge_topics(keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert keep.co_convener == (f"Göran Öberg, {duplicate.convener.display_name}, Maria Lindqvist")


def test_merge_does_not_repeat_a_name_the_topic_already_shows(event):
    """The same person posted the same topic twice, from two phones: one name, not two."""
    first = ParticipantFactory(event=event, name="Birgitta Ståhl", organisation="PRO Sjöbo")
    again = ParticipantFactory(event=event, name="Birgitta Ståhl", organisation="PRO Sjöbo")
    keep = TopicFactory(event=event, convener=first, co_convener="Göran Öberg")
    duplicate = TopicFactory(event=event, convener=again, co_convener="göran öberg")
    services.merge_topics(keep=keep, duplicate=duplicate)
    keep.refresh_from_db()
    assert keep.co_convener == "Göran Öberg"


def test_signing_up_twice_gives_one_signup(placed_topic, other_participant):
    services.sign_up(topic=placed_topic, participant=other_participant)
    services.sign_up(topic=placed_topic, participant=other_participant)
    assert placed_topic.signups.count() == 1


def test_a_sign_up_returns_the_row_it_stored_with_the_counts_after_it(placed_topic, event):
    """On PostgreSQL the seats, the row and the version come from one statement; on
    SQLite from three. Either way the answer is what the database now holds."""
    placed_topic.room.capacity = 1
    placed_topic.room.save()
    version = Event.objects.get(pk=event.pk).version
    first, second = ParticipantFactory(event=event), ParticipantFactory(event=event)
    seated = services.sign_up(topic=placed_topic.pk, participant=first)
    waiting = services.sign_up(topic=placed_topic.pk, participant=second)
    for made in (seated, waiting):
        stored = SignUp.objects.get(pk=made.pk)
        assert (made.participant_id, made.waiting, made.created_at, made._state.adding) == (
            stored.participant_id,
            stored.waiting,
            stored.created_at,
            False,
        )
    assert (waiting.waiting, waiting.topic.seated_count, waiting.topic.waiting_count) == (
        True,
        1,
        1,
    )
    assert waiting.topic.capacity == 1
    assert Event.objects.get(pk=event.pk).version == version + 2
    again = services.sign_up(topic=placed_topic.pk, participant=second)
    assert again.pk == waiting.pk and Event.objects.get(pk=event.pk).version == version + 2


def test_the_one_statement_sign_up_names_every_column_of_a_sign_up():
    """agenda/services.py's _take_seat_sql() writes SignUp's columns by name: a new
    field must be added there too."""
    columns = [field.column for field in SignUp._meta.concrete_fields]
    assert columns == ["id", "topic_id", "participant_id", "waiting", "created_at"]


def test_a_full_session_puts_people_on_the_waiting_list(placed_topic, event):
    placed_topic.room.capacity = 1
    placed_topic.room.save()
    first, second = ParticipantFactory(event=event), ParticipantFactory(event=event)
    assert services.sign_up(topic=placed_topic, participant=first).waiting is False
    assert services.sign_up(topic=placed_topic, participant=second).waiting is True
    services.leave(topic=placed_topic, participant=first)
    assert SignUp.objects.get(participant=second).waiting is False


def test_signing_up_for_another_events_session_is_refused(placed_topic, other_event):
    stranger = ParticipantFactory(event=other_event)
    with pytest.raises(services.AgendaError):
        services.sign_up(topic=placed_topic, participant=stranger)


def test_signups_are_refused_when_closed(placed_topic, other_participant, event):
    event.phase = Phase.CLOSED
    event.save()
    with pytest.raises(services.AgendaError):
        services.sign_up(topic=placed_topic, participant=other_participant)


def test_withdraw_frees_the_cell(placed_topic, other_participant, rooms, slots):
    services.withdraw_topic(topic=placed_topic)
    topic = services.post_topic(
        event=placed_topic.event,
        participant=other_participant,
        title="Ny",
        room=rooms[0],
        time_slot=slots[0],
    )
    assert topic.code == "A1"


def _run_concurrently(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def runner(index):
        try:
            barrier.wait()
            results.append(work(index))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_many_people_tapping_the_last_seat_get_one_seat(event, rooms, slots):
    if (
        connection.vendor == "sqlite"
        and connection.settings_dict["NAME"] in ("", ":memory:")
        or (
            connection.vendor == "sqlite" and "mode=memory" in str(connection.settings_dict["NAME"])
        )
    ):
        pytest.skip("needs a file database shared between threads; bench/last_seat.py covers it")
    rooms[0].capacity = 1
    rooms[0].save()
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    people = [ParticipantFactory(event=event) for _ in range(20)]
    results, errors = _run_concurrently(
        len(people), lambda i: services.sign_up(topic=topic, participant=people[i])
    )
    assert not errors
    assert SignUp.objects.filter(topic=topic, waiting=False).count() == 1
    assert SignUp.objects.filter(topic=topic, waiting=True).count() == 19


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks that wait")
def test_a_sign_up_waiting_on_a_topic_being_moved_counts_the_new_rooms_seats(event, rooms, slots):
    """A tap that waits for the topic's lock while a facilitator moves it gets the
    topic as moved, with the room it moved to: the room is read after the lock."""
    rooms[0].capacity, rooms[1].capacity = 1, 5
    rooms[0].save()
    rooms[1].save()
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    SignUp.objects.create(topic=topic, participant=ParticipantFactory(event=event))  # room 0 full
    person = ParticipantFactory(event=event)
    moving, found = threading.Event(), {}

    def move():
        try:
            with transaction.atomic():
                Topic.objects.filter(pk=topic.pk).update(room=rooms[1])
                moving.set()
                time.sleep(0.5)  # the tap below waits for this lock meanwhile
        finally:
            close_old_connections()

    def tap():
        moving.wait()
        try:
            found["signup"] = services.sign_up(topic=topic.pk, participant=person)
        except Exception as error:  # noqa: BLE001 - the test reports it
            found["error"] = error
        finally:
            close_old_connections()

    threads = [threading.Thread(target=move), threading.Thread(target=tap)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert "error" not in found, found
    assert found["signup"].topic.room == rooms[1]
    assert found["signup"].waiting is False  # a seat of the new room's 5


@pytest.mark.django_db(transaction=True)
def test_two_people_taking_the_last_free_cell_one_gets_it(event, rooms, slots):
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("needs a file database shared between threads")
    people = [ParticipantFactory(event=event) for _ in range(5)]

    def post(i):
        return services.post_topic(
            event=event, participant=people[i], title=f"T{i}", room=rooms[0], time_slot=slots[0]
        )

    results, errors = _run_concurrently(len(people), post)
    assert len(results) == 1
    assert all(isinstance(error, services.CellTaken) for error in errors)
    assert Topic.objects.filter(room=rooms[0], time_slot=slots[0]).count() == 1
