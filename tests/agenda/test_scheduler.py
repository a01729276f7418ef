from collections import Counter

import pytest
from django.urls import reverse

from agenda.models import SignUp, Topic
from agenda.scheduler import Cell, Problem, clash_count, convener_conflicts, suggest
from tests.factories import ParticipantFactory, TopicFactory

from .conftest import build_grid


def problem(**overrides) -> Problem:
    base = dict(
        rooms=[1, 2],
        slots=[10, 20],
        capacity={1: 30, 2: 5},
        topics=[100, 101, 102, 103],
        people={
            100: frozenset({1, 2, 3}),
            101: frozenset({1, 2, 3}),
            102: frozenset({4}),
            103: frozenset({5}),
        },
        conveners={100: 50, 101: 51, 102: 50, 103: 52},
        placement={100: None, 101: None, 102: None, 103: None},
        locked=frozenset(),
    )
    base.update(overrides)
    return Problem(**base)


def test_sessions_wanted_by_the_same_people_go_to_different_rounds():
    result = suggest(problem())
    assert result.clashes_after == 0
    assert result.placement[100].slot != result.placement[101].slot


def test_a_convener_is_never_in_two_places_at_once():
    result = suggest(problem())
    assert convener_conflicts(problem(), result.placement) == 0
    assert result.placement[100].slot != result.placement[102].slot


def test_bigger_interest_gets_the_bigger_room():
    p = problem(people={**problem().people, 100: frozenset(range(20))})
    result = suggest(p)
    assert result.placement[100].room == 1


def test_locked_topics_never_move():
    p = problem(
        placement={100: Cell(2, 10), 101: Cell(1, 10), 102: None, 103: None},
        locked=frozenset({100, 101}),
    )
    result = suggest(p)
    assert result.placement[100] == Cell(2, 10) and result.placement[101] == Cell(1, 10)


def test_it_improves_a_grid_with_clashes():
    p = problem(placement={100: Cell(1, 10), 101: Cell(2, 10), 102: Cell(1, 20), 103: Cell(2, 20)})
    assert clash_count(p, p.placement) == 3
    result = suggest(p)
    assert result.clashes_before == 3 and result.clashes_after == 0


def test_it_is_deterministic():
    assert suggest(problem()).placement == suggest(problem()).placement


def test_more_topics_than_cells_leaves_the_rest_unplaced():
    p = problem(rooms=[1], capacity={1: None})
    result = suggest(p)
    assert sum(cell is not None for cell in result.placement.values()) == 2


def no_capacities(topics: int, *, people=None, rooms=3, slots=3, **overrides) -> Problem:
    """`topics` unplaced topics in a grid whose rooms have no capacity set."""
    ids = list(range(100, 100 + topics))
    room_ids = list(range(1, rooms + 1))
    base = dict(
        rooms=room_ids,
        slots=[10 * (n + 1) for n in range(slots)],
        capacity=dict.fromkeys(room_ids),
        topics=ids,
        people={t: frozenset((people or {}).get(t, ())) for t in ids},
        conveners=dict.fromkeys(ids),
        placement=dict.fromkeys(ids),
    )
    base.update(overrides)
    return Problem(**base)


def test_without_capacities_sessions_kept_apart_do_not_all_go_to_the_first_room():
    """One person wants all three: they go to three rounds, and not all into room A."""
    result = suggest(no_capacities(3, people={t: {1} for t in (100, 101, 102)}))
    assert result.clashes_after == 0
    assert {cell.room for cell in result.placement.values()} == {1, 2, 3}


def test_without_capacities_or_sign_ups_sessions_spread_over_rounds_and_rooms():
    """Six topics in 3 rooms × 3 rounds: two in each round and two in each room, not a
    full round 1 and round 3 empty."""
    result = suggest(no_capacities(6))
    cells = list(result.placement.values())
    assert all(cell is not None for cell in cells)
    assert Counter(cell.slot for cell in cells) == {10: 2, 20: 2, 30: 2}
    assert Counter(cell.room for cell in cells) == {1: 2, 2: 2, 3: 2}


def test_spreading_keeps_topics_already_placed_and_balances_around_them():
    """Three locked sessions fill round 1; the three new ones share rounds 2 and 3."""
    locked = {100: Cell(1, 10), 101: Cell(2, 10), 102: Cell(3, 10)}
    p = no_capacities(6, placement={**locked, 103: None, 104: None, 105: None})
    p.locked = frozenset(locked)
    result = suggest(p)
    assert all(result.placement[t] == cell for t, cell in locked.items())
    new = [result.placement[t] for t in (103, 104, 105)]
    assert sorted(Counter(cell.slot for cell in new).values()) == [1, 2]
    assert len({cell.room for cell in new}) == 3


def test_a_session_moved_off_a_clash_goes_to_an_emptier_room_without_capacities():
    """A and B are wanted by the same people in round 1: the one that moves takes a
    round and a room with room to spare, not A2 beside the other in room A."""
    p = no_capacities(
        2,
        people={100: {1, 2}, 101: {1, 2}},
        placement={100: Cell(1, 10), 101: Cell(2, 10)},
    )
    result = suggest(p)
    assert result.clashes_after == 0
    moved = [cell for t, cell in result.placement.items() if cell != p.placement[t]]
    assert len(moved) == 1 and moved[0].room != 1


def test_capacities_still_decide_the_room_when_they_are_set():
    """Balancing only breaks ties: the popular topic keeps the big room."""
    p = no_capacities(
        3,
        people={100: set(range(20)), 101: {30}, 102: {31}},
        capacity={1: 5, 2: 30, 3: 5},
    )
    result = suggest(p)
    assert result.placement[100].room == 2


def test_no_rooms_no_crash():
    result = suggest(problem(rooms=[], capacity={}))
    assert all(cell is None for cell in result.placement.values())
    assert result.moves == []


@pytest.mark.django_db
def test_facilitator_sees_and_applies_the_suggestion(client, event, facilitator, participant):
    rooms, slots = build_grid(event, rooms=2, rounds=2)
    a = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    b = TopicFactory(event=event, room=rooms[1], time_slot=slots[0])
    for person in [ParticipantFactory(event=event) for _ in range(3)]:
        SignUp.objects.create(topic=a, participant=person)
        SignUp.objects.create(topic=b, participant=person)
    client.force_login(facilitator)
    url = reverse("agenda:schedule", kwargs={"slug": event.slug})
    page = client.get(url)
    assert page.status_code == 200
    fingerprint = page.context["fingerprint"]
    assert page.context["suggestion"].clashes_after == 0
    # A change meanwhile makes the suggestion stale: nothing is applied.
    TopicFactory(event=event)
    client.post(url, {"fingerprint": fingerprint})
    assert Topic.objects.get(pk=b.pk).time_slot == slots[0]
    fingerprint = client.get(url).context["fingerprint"]
    client.post(url, {"fingerprint": fingerprint})
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.time_slot != b.time_slot


@pytest.mark.django_db
def test_schedule_permissions(client, event, participant, other_facilitator):
    url = reverse("agenda:schedule", kwargs={"slug": event.slug})
    assert client.get(url).status_code == 302
    from tests.conftest import login_participant

    login_participant(client, participant)
    assert client.post(url, {"fingerprint": "x"}).status_code == 403
    client.cookies.clear()
    client.force_login(other_facilitator)
    assert client.get(url).status_code == 403
    assert client.put(url).status_code in (403, 405)
