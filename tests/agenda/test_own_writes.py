"""A participant's own writes on their next agenda page, when that page comes from a
render made before the write (agenda/rendering.py, _patch): the write is put in, and
nothing else of the render changes."""

import re

import pytest
from django.urls import reverse

from agenda import services
from agenda.models import Topic
from events import services as events_services
from tests.factories import ParticipantFactory, SignUpFactory, TopicFactory

from .test_views import card


def url(name, event, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"slug": event.slug, **kwargs})


@pytest.fixture(autouse=True)
def coalesce(settings):
    settings.POLL_COALESCE_SECONDS = 60


def _wrote(client, event):
    """What WritesMiddleware does after a write: the event's version in a cookie."""
    event.refresh_from_db()
    client.cookies[f"wrote_{event.pk}"] = str(event.version)


def _others_write(event, rooms, slots):
    """A topic posted by someone else after the render: not on a page of a moment ago."""
    TopicFactory(event=event, title="Någon annans", room=rooms[2], time_slot=slots[2])
    event.touch()


def _page(client, event, query="") -> str:
    response = client.get(url("home", event) + query)
    assert response.status_code == 200
    return response.content.decode()


def test_a_new_topic_without_a_place_goes_to_the_end_of_its_list(
    participant_client, event, rooms, slots
):
    TopicFactory(event=event, title="Äldre ämne")  # so the render has the list
    _page(participant_client, event)
    _others_write(event, rooms, slots)

    response = participant_client.post(
        url("topic-new", event),
        {"title": "Mitt <nya> ämne", "cell": "", "idempotency_key": "k1"},
    )
    assert response.status_code == 302
    page = _page(participant_client, event)

    assert "Någon annans" not in page  # the render of a moment ago …
    unplaced = page[page.index('class="unplaced__list"') :]
    assert unplaced.index("Äldre ämne") < unplaced.index("Mitt &lt;nya&gt; ämne")
    assert "<nya>" not in page
    assert page.count("Mitt &lt;nya&gt; ämne") == 1


def test_a_new_topic_in_a_cell_takes_the_free_cells_place(participant_client, event, rooms, slots):
    _page(participant_client, event)
    _others_write(event, rooms, slots)

    participant_client.post(
        url("topic-new", event),
        {"title": "Mitt ämne", "cell": f"{rooms[1].pk}-{slots[0].pk}", "idempotency_key": "k1"},
    )
    page = _page(participant_client, event)

    topic = event.topics.get(title="Mitt ämne")
    assert "Någon annans" not in page
    assert "Mitt ämne" in card(page, topic)
    # One item for the cell: the card, not the card and "free".
    assert page.count(f'data-cell="{rooms[1].pk}-{slots[0].pk}"') == 1
    assert page.count('class="cell cell--empty"') == 3 * 3 - 1


def test_an_edit_and_a_new_name_show_on_the_card(
    participant_client, event, rooms, slots, participant
):
    topic = TopicFactory(
        event=event, title="Före", convener=participant, room=rooms[0], time_slot=slots[0]
    )
    event.touch()
    _page(participant_client, event)
    _others_write(event, rooms, slots)

    services.edit_topic(topic=topic, title="Efter", description="", co_convener="Bo")
    events_services.rename_participant(participant=participant, name="Anna Nyman", organisation="")
    _wrote(participant_client, event)
    page = _page(participant_client, event)

    assert "Någon annans" not in page
    assert "Efter" in card(page, topic) and "Före" not in page
    assert "Anna Nyman, Bo" in card(page, topic)


def test_a_withdrawn_topic_without_a_place_leaves_the_page(
    participant_client, event, rooms, slots, participant
):
    topic = TopicFactory(event=event, title="Tillbakadraget", convener=participant)
    TopicFactory(event=event, title="Kvar")
    _page(participant_client, event)
    _others_write(event, rooms, slots)

    participant_client.post(url("topic-withdraw", event, pk=topic.pk))
    page = _page(participant_client, event)

    assert "Någon annans" not in page
    assert f'data-topic="{topic.pk}"' not in page and "Kvar" in page


def test_a_topic_that_left_its_cell_or_has_nowhere_to_go_gets_a_new_render(
    participant_client, event, rooms, slots, participant
):
    placed = TopicFactory(event=event, title="Placerat", convener=participant)
    services.move_topic(topic=placed, room=rooms[0], time_slot=slots[0])
    _page(participant_client, event)  # no topic without a place: no list to add to
    _others_write(event, rooms, slots)

    participant_client.post(url("topic-new", event), {"title": "Nytt", "idempotency_key": "k1"})
    page = _page(participant_client, event)
    assert "Nytt" in page and "Någon annans" in page  # rendered afresh

    TopicFactory(event=event, title="En tredje", room=rooms[2], time_slot=slots[1])
    event.touch()
    participant_client.post(url("topic-withdraw", event, pk=placed.pk))
    page = _page(participant_client, event)
    assert f'data-topic="{placed.pk}"' not in page and "En tredje" in page
    assert f'data-cell="{rooms[0].pk}-{slots[0].pk}"' in page  # free again


def test_a_session_signed_up_for_elsewhere_shows_under_my_sessions(
    participant_client, event, rooms, slots, participant
):
    _page(participant_client, event, "?show=mine")
    new = TopicFactory(event=event, title="Nytt pass", room=rooms[1], time_slot=slots[1])
    event.touch()

    # From the new session's own page (rendered afresh), not from the agenda.
    participant_client.post(url("signup", event, pk=new.pk), {"action": "join"})
    page = _page(participant_client, event, "?show=mine")

    assert "Leave" in card(page, new)
    assert len(re.findall(r"<article ", page)) == 1


def test_my_topics_and_without_a_place_hold_the_new_topic(
    participant_client, event, rooms, slots, participant
):
    TopicFactory(event=event, title="Annans utan plats")
    for show in ("my-topics", "unplaced", "mine"):
        _page(participant_client, event, f"?show={show}")
    _others_write(event, rooms, slots)

    participant_client.post(url("topic-new", event), {"title": "Mitt", "idempotency_key": "k1"})

    page = _page(participant_client, event, "?show=my-topics")
    assert "Mitt" in page and "Annans utan plats" not in page
    assert "You have not posted a topic yet." not in page
    page = _page(participant_client, event, "?show=unplaced")
    assert "Mitt" in page and "Annans utan plats" in page
    assert "Mitt" not in _page(participant_client, event, "?show=mine")


def test_a_poll_keeps_the_page_with_the_viewers_write(participant_client, event, rooms, slots):
    TopicFactory(event=event, title="Äldre ämne")
    _page(participant_client, event)
    _others_write(event, rooms, slots)
    before = participant_client.get(url("home", event))  # the browser's cached page
    participant_client.post(url("topic-new", event), {"title": "Mitt", "idempotency_key": "k1"})

    # The browser revalidates its page of before the write: it gets the new one.
    page = participant_client.get(url("home", event), headers={"If-None-Match": before["ETag"]})
    assert page.status_code == 200 and "Mitt" in page.content.decode()
    assert page["ETag"] != before["ETag"]

    # A poll from that page, while the render is still the one of a moment ago: 304.
    poll = participant_client.get(
        url("home", event), headers={"HX-Request": "true", "If-None-Match": page["ETag"]}
    )
    assert poll.status_code == 304
    # Without the page's ETag, the poll gets the agenda with the write put in too.
    poll = participant_client.get(url("home", event), headers={"HX-Request": "true"})
    assert "Mitt" in poll.content.decode() and "Någon annans" not in poll.content.decode()


def test_someone_elses_page_is_not_patched(client, event, rooms, slots, participant):
    from tests.conftest import login_participant

    TopicFactory(event=event, title="Äldre ämne")
    other = ParticipantFactory(event=event)
    login_participant(client, other)
    _page(client, event)
    services.post_topic(
        event=event, participant=participant, title="Annas", description="", co_convener=""
    )
    _wrote(client, event)  # even with a `wrote` cookie: only their own topics go in

    assert "Annas" not in _page(client, event)


def test_a_patched_page_costs_a_few_small_queries(
    participant_client, event, rooms, slots, participant, django_assert_num_queries
):
    for i in range(8):
        topic = TopicFactory(event=event, room=rooms[i % 3], time_slot=slots[i // 3 % 3])
        SignUpFactory(topic=topic, participant=ParticipantFactory(event=event))
    TopicFactory(event=event, title="Äldre ämne")
    event.touch()
    _page(participant_client, event)
    _others_write(event, rooms, slots)
    participant_client.post(url("topic-new", event), {"title": "Mitt", "idempotency_key": "k1"})

    # The participant with the event, their sign-ups, the topics they convene.
    with django_assert_num_queries(3):
        assert "Mitt" in _page(participant_client, event)


def test_an_older_topic_the_render_leaves_out_stays_out(
    participant_client, event, rooms, slots, participant, monkeypatch
):
    import datetime

    from django.utils import timezone

    from agenda import rendering

    monkeypatch.setattr(rendering, "UNPLACED_SHOWN", 2)
    old = TopicFactory(event=event, title="Mitt gamla", convener=participant)
    Topic.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    TopicFactory(event=event, title="Nyare 1")
    TopicFactory(event=event, title="Nyare 2")
    session = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    event.touch()
    assert "Mitt gamla" not in _page(participant_client, event)  # the newest 2 only
    _others_write(event, rooms, slots)

    participant_client.post(url("signup", event, pk=session.pk), {"action": "join"})
    page = _page(participant_client, event)

    assert "Leave" in card(page, session) and "Någon annans" not in page  # patched
    assert "Mitt gamla" not in page
    assert "Mitt gamla" in _page(participant_client, event, "?show=my-topics")


@pytest.mark.parametrize("poll", [False, True])
def test_a_session_left_shows_its_new_counts_on_the_next_page_or_poll(
    participant_client, event, rooms, slots, participant, poll
):
    """The patch puts in the sessions a participant has; one they left since the render
    is not among them, so the page is rendered afresh rather than show the render's
    counts, with them still in a seat."""
    rooms[1].capacity = 2
    rooms[1].save()
    session = TopicFactory(event=event, title="Fullt pass", room=rooms[1], time_slot=slots[1])
    services.sign_up(topic=session, participant=ParticipantFactory(event=event))
    participant_client.post(url("signup", event, pk=session.pk), {"action": "join"})
    services.sign_up(topic=session, participant=ParticipantFactory(event=event))  # waits
    event.touch()
    assert "1 waiting" in card(_page(participant_client, event), session)  # the render

    participant_client.post(url("signup", event, pk=session.pk), {"action": "leave"})

    headers = {"HX-Request": "true"} if poll else {}
    page = participant_client.get(url("home", event), headers=headers).content.decode()
    assert "2 of 2 places taken" in card(page, session)
    assert "1 waiting" not in card(page, session)  # the one waiting has their seat
