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
