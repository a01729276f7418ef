import datetime

import pytest
from django.utils import translation

from agenda.models import Room
from events import services
from events.models import Event, Phase, RunSheetItem
from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory, TopicFactory

pytestmark = pytest.mark.django_db
T = datetime.time


def test_room_codes_are_the_next_free_letters(event):
    codes = [services.add_room(event=event, name=f"Rum {i}").code for i in range(3)]
    assert codes == ["A", "B", "C"]


def test_room_codes_go_on_past_z():
    assert [services.room_code(i) for i in (0, 25, 26, 27, 51, 52)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
    ]


def test_two_rooms_with_the_same_name_are_refused(event):
    services.add_room(event=event, name="Biblioteket")
    with pytest.raises(services.SetupError):
        services.add_room(event=event, name="biblioteket")
    assert event.rooms.count() == 1


def test_reordering_keeps_codes_and_renumbering_changes_them(event):
    a, b = (services.add_room(event=event, name=n) for n in ("Ett", "Två"))
    services.move_room(room=b, offset=-1)
    assert [r.code for r in event.rooms.all()] == ["B", "A"]
    services.renumber_rooms(event=event)
    assert [(r.name, r.code) for r in event.rooms.all()] == [("Två", "A"), ("Ett", "B")]


def test_renumbering_works_for_rooms_whose_ids_have_many_digits(event):
    """The codes are moved out of the way first; a code has at most 4 characters, so the
    temporary one cannot be made of an id that a busy server's rooms reach."""
    RoomFactory(event=event, code="Q", id=1_234_567)
    RoomFactory(event=event, code="P", id=1_234_568)
    services.renumber_rooms(event=event)
    assert sorted(event.rooms.values_list("code", flat=True)) == ["A", "B"]


def test_deleting_a_room_unplaces_its_sessions(event):
    room = services.add_room(event=event, name="Ett")
    slot = services.add_time_slot(event=event, label="Pass 1", starts_at=T(13), ends_at=T(14))
    topic = TopicFactory(event=event, room=room, time_slot=slot)
    services.delete_room(room=room)
    topic.refresh_from_db()
    assert not topic.is_placed and topic.withdrawn_at is None


def test_a_time_slot_that_ends_before_it_starts_is_refused(event):
    with pytest.raises(services.SetupError):
        services.add_time_slot(event=event, label="Pass 1", starts_at=T(14), ends_at=T(13))


def test_overlapping_time_slots_are_refused(event):
    services.add_time_slot(event=event, label="Pass 1", starts_at=T(13), ends_at=T(14))
    with pytest.raises(services.SetupError, match="Pass 1"):
        services.add_time_slot(event=event, label="Pass 2", starts_at=T(13, 30), ends_at=T(15))
    services.add_time_slot(event=event, label="Pass 2", starts_at=T(14), ends_at=T(15))


def test_renumbering_rounds_follows_start_time(event):
    late = services.add_time_slot(event=event, label="Sen", starts_at=T(15), ends_at=T(16))
    early = services.add_time_slot(event=event, label="Tidig", starts_at=T(9), ends_at=T(10))
    services.renumber_time_slots(event=event)
    late.refresh_from_db()
    early.refresh_from_db()
    assert (early.number, late.number) == (1, 2)


def test_principles_are_prefilled_in_the_event_language(facilitator):
    event = services.create_event(
        user=facilitator,
        slug="x",
        title="X",
        date=datetime.date(2027, 1, 1),
        start_time=T(9),
        end_time=T(12),
        language="en",
    )
    assert "law of two feet" in event.principles.lower()
    assert event.facilitators.filter(pk=facilitator.pk).exists()


def test_default_principles_are_written_in_the_asked_language(monkeypatch):
    # Whatever the translations say, every line is looked up with the event's language active.
    monkeypatch.setattr(services, "_", lambda text: f"[{translation.get_language()}] {text}")
    lines = services.default_principles("da").splitlines()
    assert len(lines) == 5
    assert all(line.startswith("[da] ") for line in lines)


def test_untouched_principles_of_another_language_become_the_event_language(
    facilitator, monkeypatch
):
    monkeypatch.setattr(services, "_", lambda text: f"[{translation.get_language()}] {text}")
    common = {"slug": "x", "date": datetime.date(2027, 1, 1), "start_time": T(9)}
    event = services.create_event(
        user=facilitator,
        title="Pre-filled in Swedish, then Danish chosen",
        end_time=T(12),
        language="da",
        principles=services.default_principles("sv"),
        **common,
    )
    assert event.principles == services.default_principles("da")
    own = services.create_event(
        user=facilitator,
        title="Own words are kept",
        end_time=T(12),
        language="da",
        principles="Vores egne principper",
        **{**common, "slug": "y"},
    )
    assert own.principles == "Vores egne principper"


def test_untouched_principles_follow_a_language_change(facilitator):
    event = services.create_event(
        user=facilitator,
        slug="x",
        title="X",
        date=datetime.date(2027, 1, 1),
        start_time=T(9),
        end_time=T(12),
        language="en",
    )
    english = event.principles
    services.update_event(event=event, fields={"language": "sv"})
    assert event.principles == services.default_principles("sv")
    event.principles = "Våra egna principer"
    event.save()
    services.update_event(event=event, fields={"language": "da"})
    assert event.principles == "Våra egna principer"
    assert english != "Våra egna principer"


def test_phase_switch_bumps_the_version(event):
    before = event.version
    services.set_phase(event=event, phase=Phase.ROUNDS)
    event.refresh_from_db()
    assert event.phase == Phase.ROUNDS and event.version > before


def test_duplicate_copies_setup_but_not_people(event, facilitator):
    RoomFactory(event=event, name="A-rum", code="A")
    TimeSlotFactory(event=event, number=1)
    TopicFactory(event=event)
    copy = services.duplicate_event(
        event=event,
        user=facilitator,
        slug="traff-5",
        title="Träff 5",
        date=datetime.date(2027, 3, 1),
    )
    assert copy.series == Event.objects.get(pk=event.pk).series is not None
    assert list(copy.rooms.values_list("name", "code")) == [("A-rum", "A")]
    assert copy.time_slots.count() == 1
    assert copy.participants.count() == 0 and copy.topics.count() == 0
    assert copy.join_code != event.join_code
    assert copy.phase == Phase.PREPARATION
    assert facilitator in copy.facilitators.all()


def test_a_break_on_the_run_sheet_needs_no_phase_and_is_copied_to_the_next_meeting(
    event, facilitator
):
    lunch = services.add_run_sheet_item(
        event=event,
        phase="",
        label="Lunch",
        starts_at=datetime.time(12, 0),
        ends_at=datetime.time(12, 45),
    )
    assert str(lunch) == lunch.display_label == "Lunch"
    with pytest.raises(services.SetupError, match="label, or choose its phase"):
        services.add_run_sheet_item(
            event=event,
            phase="",
            label="  ",
            starts_at=datetime.time(13, 0),
            ends_at=datetime.time(13, 15),
        )
    copy = services.duplicate_event(
        event=event, user=facilitator, slug="traff-6", title="Träff 6", date=event.date
    )
    assert list(copy.run_sheet.values_list("phase", "label")) == [("", "Lunch")]


def test_the_database_refuses_a_run_sheet_item_with_neither_phase_nor_label(event):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        RunSheetItem.objects.create(
            event=event, starts_at=datetime.time(12, 0), ends_at=datetime.time(12, 45)
        )


def test_joining_a_closed_event_is_refused(event):
    event.phase = Phase.CLOSED
    event.save()
    with pytest.raises(services.SetupError):
        services.join_event(event=event, name="Anna")


def test_removed_participants_lose_their_identity(event):
    participant = ParticipantFactory(event=event)
    services.remove_participant(participant=participant)
    assert not event.participants.active().filter(pk=participant.pk).exists()


def test_rooms_with_same_name_in_other_events_are_fine(event, other_event):
    services.add_room(event=event, name="Rum")
    services.add_room(event=other_event, name="Rum")
    assert Room.objects.filter(name="Rum").count() == 2
