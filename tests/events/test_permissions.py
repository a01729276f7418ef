"""Who may do what: every events view against every kind of visitor."""

import datetime

import pytest
from django.urls import reverse

from events.models import Event, Participant, RunSheetItem
from tests.conftest import login_participant
from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(event):
    """One of everything a facilitator can change, so every URL resolves."""
    return {
        "room": RoomFactory(event=event, name="Biblioteket", code="A"),
        "slot": TimeSlotFactory(event=event, number=1),
        "item": RunSheetItem.objects.create(
            event=event,
            phase="opening",
            starts_at=datetime.time(9),
            ends_at=datetime.time(9, 30),
        ),
        "someone": ParticipantFactory(event=event, name="Bertil"),
    }


# (url name, pk key in `setup` or None, POST data that would change something; "{pk}" in
# a field's name is the object's id, as in its form's prefix)
FACILITATOR_POSTS = [
    (
        "event-details",
        None,
        {
            "title": "Kaprat",
            "date": "2027-01-01",
            "start_time": "09:00",
            "end_time": "12:00",
            "language": "sv",
            "participant_visibility": "names",
        },
    ),
    ("event-phase", None, {"phase": "closed"}),
    ("event-duplicate", None, {"title": "Kopia", "date": "2027-01-01"}),
    ("room-add", None, {"room-name": "Nytt rum"}),
    ("rooms-renumber", None, {}),
    ("room-edit", "room", {"action": "delete"}),
    ("slot-add", None, {"slot-starts_at": "20:00", "slot-ends_at": "21:00"}),
    ("slots-renumber", None, {}),
    ("slot-edit", "slot", {"action": "delete"}),
    (
        "run-sheet-add",
        None,
        {"item-phase": "closing", "item-starts_at": "15:00", "item-ends_at": "16:00"},
    ),
    (
        "run-sheet-edit",
        "item",
        {"item-{pk}-label": "Fika", "item-{pk}-starts_at": "10:00", "item-{pk}-ends_at": "10:15"},
    ),
    ("run-sheet-delete", "item", {}),
    ("participant-remove", "someone", {}),
    ("invite-create", None, {}),
]


def _url(name, event, setup, key):
    kwargs = {"slug": event.slug}
    if key:
        kwargs["pk"] = setup[key].pk
    return reverse(f"events:{name}", kwargs=kwargs)


def _data(data, setup, key) -> dict:
    return {
        name.replace("{pk}", str(setup[key].pk)) if key else name: value
        for name, value in data.items()
    }


def _unchanged(event, setup):
    event.refresh_from_db()
    return (
        event.title != "Kaprat"
        and event.phase != "closed"
        and event.rooms.count() == 1
        and event.time_slots.count() == 1
        and event.run_sheet.count() == 1
        and Participant.objects.active().filter(pk=setup["someone"].pk).exists()
        and not event.invites.exists()
        and Event.objects.count() == 2  # event and other_event
    )


@pytest.mark.parametrize(("name", "key", "data"), FACILITATOR_POSTS)
def test_facilitator_writes_permission_matrix(
    client, event, other_event, setup, participant, other_facilitator, name, key, data
):
    data = _data(data, setup, key)
    url = _url(name, event, setup, key)
    response = client.post(url, data)  # anonymous
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    login_participant(client, participant)  # a participant has no account
    assert client.post(url, data).status_code in (302, 403)
    other = ParticipantFactory(event=other_event)
    client.cookies.clear()
    login_participant(client, other)
    assert client.post(url, data).status_code in (302, 403)
    client.cookies.clear()
    client.force_login(other_facilitator)  # facilitator of another event
    assert client.post(url, data).status_code == 403
    assert _unchanged(event, setup)


@pytest.mark.parametrize(("name", "key", "data"), FACILITATOR_POSTS)
def test_facilitator_writes_work_for_the_facilitator(
    facilitator_client, event, other_event, setup, name, key, data
):
    data = _data(data, setup, key)
    version = event.version
    response = facilitator_client.post(_url(name, event, setup, key), data)
    assert response.status_code == 302
    assert not _unchanged(event, setup) or event.version > version


@pytest.mark.parametrize(("name", "key", "data"), FACILITATOR_POSTS)
def test_facilitator_writes_refuse_get_and_unknown_events(
    facilitator_client, event, setup, name, key, data
):
    data = _data(data, setup, key)
    if name != "event-duplicate":  # the duplicate form is shown by GET
        assert facilitator_client.get(_url(name, event, setup, key)).status_code == 405
    kwargs = {"slug": "no-such-event"}
    if key:
        kwargs["pk"] = setup[key].pk
    assert (
        facilitator_client.post(reverse(f"events:{name}", kwargs=kwargs), data).status_code == 404
    )


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("room-edit", "room"),
        ("slot-edit", "slot"),
        ("run-sheet-edit", "item"),
        ("run-sheet-delete", "item"),
        ("participant-remove", "someone"),
    ],
)
def test_objects_of_another_event_are_not_found(
    client, event, other_event, other_facilitator, setup, name, key
):
    client.force_login(other_facilitator)  # facilitates other_event, names this event's object
    url = reverse(f"events:{name}", kwargs={"slug": other_event.slug, "pk": setup[key].pk})
    assert client.post(url, {"action": "delete"}).status_code == 404
    assert _unchanged(event, setup)


def test_dashboard_and_new_event_need_a_login(client, facilitator):
    for name in ("dashboard", "event-new"):
        response = client.get(reverse(f"events:{name}"))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(facilitator)
    for name in ("dashboard", "event-new"):
        assert client.get(reverse(f"events:{name}")).status_code == 200
    assert client.delete(reverse("events:dashboard")).status_code == 405
    assert client.put(reverse("events:event-new")).status_code == 405


def test_me_permission_matrix(
    client, event, other_event, participant, facilitator, other_facilitator
):
    url = reverse("events:me", kwargs={"slug": event.slug})
    response = client.get(url)  # anonymous -> asked to join
    assert response.status_code == 302 and "/join/" in response["Location"]
    assert client.post(url, {"name": "X"}).status_code == 403
    login_participant(client, ParticipantFactory(event=other_event))
    assert client.get(url).status_code == 302
    assert client.post(url, {"name": "X"}).status_code == 403
    login_participant(client, participant)
    assert client.get(url).status_code == 200
    assert client.delete(url).status_code == 405
    client.cookies.clear()
    client.force_login(facilitator)  # no participant of their own: sent to join
    assert client.get(url).status_code == 302
    assert client.get(reverse("events:me", kwargs={"slug": "no-such-event"})).status_code == 404
    participant.refresh_from_db()
    assert participant.name == "Anna Andersson"


def test_public_participant_pages(client, event):
    slug = {"slug": event.slug}
    assert client.get(reverse("events:join")).status_code == 200
    assert client.get(reverse("events:join-event", kwargs=slug)).status_code == 200
    assert client.get(reverse("events:qr", kwargs=slug)).status_code == 200
    assert client.post(reverse("events:qr", kwargs=slug)).status_code == 405
    assert client.delete(reverse("events:join-event", kwargs=slug)).status_code == 405
    for name in ("join-event", "qr"):
        assert client.get(reverse(f"events:{name}", kwargs={"slug": "nope"})).status_code == 404


# -- the participant looked up with the event (events.access.get_event_and_viewer) -----


def _request_of(participant):
    """A GET with `participant`'s signed cookie, as their phone sends it."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import Client, RequestFactory

    cookies = login_participant(Client(), participant).cookies
    request = RequestFactory().get("/")
    request.COOKIES = {key: morsel.value for key, morsel in cookies.items()}
    request.user = AnonymousUser()
    return request


def test_a_participant_is_looked_up_with_their_event_once_the_event_is_known(
    event, participant, django_assert_num_queries
):
    from events.access import get_event_and_viewer

    with django_assert_num_queries(2):  # the event, then the participant
        first_event, first = get_event_and_viewer(_request_of(participant), event.slug)
    with django_assert_num_queries(1):  # both at once
        again_event, again = get_event_and_viewer(_request_of(participant), event.slug)
    assert first_event == again_event == event
    assert first.participant == again.participant == participant
    assert again.participant.event is again_event


def test_a_wrong_guess_of_an_events_id_makes_nobody_a_participant_of_another_event(
    event, other_event, participant
):
    """The event's id is a guess of the process (a slug may go to another event): the
    guess decides which cookie is read, never who the browser is."""
    from events.access import get_event_and_viewer
    from openspace.live import note_event_id

    note_event_id(other_event.slug, event.pk)  # as if the slug had been `event`'s
    seen_event, viewer = get_event_and_viewer(_request_of(participant), other_event.slug)
    assert seen_event == other_event
    assert viewer.participant is None

    theirs = ParticipantFactory(event=other_event, name="Bo")
    note_event_id(other_event.slug, event.pk)
    seen_event, viewer = get_event_and_viewer(_request_of(theirs), other_event.slug)
    assert seen_event == other_event
    assert viewer.participant == theirs


def test_a_removed_participant_is_nobody_and_costs_no_third_query(
    event, participant, django_assert_num_queries
):
    from django.utils import timezone

    from events.access import get_event_and_viewer

    get_event_and_viewer(_request_of(participant), event.slug)  # the event's id known
    Participant.objects.filter(pk=participant.pk).update(removed_at=timezone.now())
    with django_assert_num_queries(2):  # the participant with the event, then the event
        seen_event, viewer = get_event_and_viewer(_request_of(participant), event.slug)
    assert seen_event == event
    assert viewer.participant is None
    assert viewer.can_view is False
