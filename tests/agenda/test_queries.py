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


def test_own_sessions_take_one_query_with_current_counts_and_two_without(
    event, participant, own_setup, django_assert_num_queries
):
    first, second, late, unplaced = own_setup
    counts = {first.pk: (9, 1), second.pk: (1, 0), late.pk: (0, 1), unplaced.pk: (1, 0)}
    with django_assert_num_queries(1):
        own = queries.own_sessions(event, participant, counts)
    assert (own[0][0].seated_count, own[0][0].waiting_count) == (9, 1)  # as given
    del counts[late.pk]  # a topic newer than the counts: counted afresh
    with django_assert_num_queries(2):
        own = queries.own_sessions(event, participant, counts)
    assert (own[0][0].seated_count, own[0][0].waiting_count) == (2, 0)
    with django_assert_num_queries(0):  # the templates need nothing more
        [(topic.code, topic.room.name, topic.convener.display_name) for topic, *_ in own[:3]]


def test_no_sign_ups_no_own_sessions(event, participant, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert queries.own_sessions(event, participant) == []
