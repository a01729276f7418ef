import pytest
from django.utils import timezone

from agenda import queries
from tests.factories import ParticipantFactory, SignUpFactory, TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_setup(event, rooms, slots, participant):
    """The participant in two sessions of one round (a clash), waiting in a later one,
    in an unplaced topic, and once in a withdrawn topic."""
    late = TopicFactory(event=event, room=rooms[0], time_slot=slots[2], title="Sent")
    second = TopicFactory(event=event, room=rooms[2], time_slot=slots[0], title="Andra")
    first = TopicFactory(event=event, room=rooms[1], time_slot=slots[0], title="Första")
    unplaced = TopicFactory(event=event, title="Utan plats")
    withdrawn = TopicFactory(
        event=event, room=rooms[1], time_slot=slots[1], withdrawn_at=timezone.now()
    )
    for topic in (late, second, first, unplaced, withdrawn):
        SignUpFactory(topic=topic, participant=participant, waiting=topic is late)
    SignUpFactory(topic=first, participant=ParticipantFactory(event=event))
    return first, second, late, unplaced


def test_own_sessions_in_grid_order_with_clashes_and_counts(event, participant, own_setup):
    first, second, late, unplaced = own_setup
    own = queries.own_sessions(event, participant)
    assert [topic for topic, _signup, _clash in own] == [first, second, late, unplaced]
    assert [(signup.waiting, clash) for _topic, signup, clash in own] == [
        (False, True),
        (False, True),
        (True, False),
        (False, False),
    ]
    assert [(topic.seated_count, topic.waiting_count) for topic, _s, _c in own] == [
        (2, 0),
        (1, 0),
        (0, 1),
        (1, 0),
    ]


def test_own_sessions_take_three_queries(event, participant, own_setup, django_assert_num_queries):
    with django_assert_num_queries(3):  # sign-ups, topics, counts
        own = queries.own_sessions(event, participant)
    with django_assert_num_queries(0):  # the templates need nothing more
        [(topic.code, topic.room.name, topic.convener.display_name) for topic, *_ in own[:3]]


def test_no_sign_ups_no_own_sessions(event, participant, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert queries.own_sessions(event, participant) == []


def test_a_grid_with_unplaced_shown_loads_the_newest_and_those_with_sign_ups(
    event, rooms, slots, participant, django_assert_num_queries
):
    placed = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    taken_out = TopicFactory(event=event, title="Once in the grid")  # oldest, with a sign-up
    SignUpFactory(topic=taken_out, participant=participant)
    unplaced = [TopicFactory(event=event, title=f"T{i}") for i in range(5)]
    TopicFactory(event=event, withdrawn_at=timezone.now())

    with django_assert_num_queries(5):  # rooms, slots, topics, the unplaced counted, mine
        grid = queries.grid(event, participant, unplaced_shown=2)
    assert grid.unplaced == [taken_out, *unplaced[-2:]]
    assert grid.unplaced_total == 6
    assert grid.topics == [placed, taken_out, *unplaced[-2:]]
    assert [topic for topic, _signup, _clash in grid.own()] == [taken_out]

    none_shown = queries.grid(event, unplaced_shown=0)
    assert none_shown.unplaced == [taken_out] and none_shown.unplaced_total == 6
    every = queries.grid(event)
    assert every.unplaced == [taken_out, *unplaced] and every.unplaced_total == 6
