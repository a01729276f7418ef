import pytest
from django.urls import reverse

from agenda.models import SignUp, Topic
from events.models import Phase
from tests.conftest import login_participant
from tests.factories import ParticipantFactory, SignUpFactory, TopicFactory

from .conftest import build_grid

pytestmark = pytest.mark.django_db


def url(name, event, **kwargs):
    return reverse(f"agenda:{name}", kwargs={"slug": event.slug, **kwargs})


# -- who may see what -------------------------------------------------------


def test_anonymous_visitors_are_sent_to_join(client, event):
    response = client.get(url("home", event))
    assert response.status_code == 302
    assert reverse("events:join-event", kwargs={"slug": event.slug}) in response["Location"]


@pytest.mark.parametrize("name", ["home", "wall", "topic-new"])
def test_participants_and_facilitators_see_the_pages(
    client, event, participant, facilitator, name, rooms, slots
):
    login_participant(client, participant)
    assert client.get(url(name, event)).status_code == 200
    client.cookies.clear()
    client.force_login(facilitator)
    assert client.get(url(name, event)).status_code == 200


def test_a_participant_of_another_event_is_not_a_participant_here(client, event, other_event):
    login_participant(client, ParticipantFactory(event=other_event))
    assert client.get(url("home", event)).status_code == 302


def test_a_facilitator_of_another_event_cannot_arrange(
    client, other_facilitator, placed_topic, event, rooms, slots
):
    client.force_login(other_facilitator)
    response = client.post(url("topic-arrange", event, pk=placed_topic.pk), {"action": "unlock"})
    assert response.status_code == 403


def test_participants_cannot_arrange(participant_client, placed_topic, event):
    response = participant_client.post(
        url("topic-arrange", event, pk=placed_topic.pk), {"action": "lock"}
    )
    assert response.status_code == 403


def test_a_topic_of_another_event_is_not_found(participant_client, event, other_event):
    foreign = TopicFactory(event=other_event)
    assert participant_client.get(url("topic", event, pk=foreign.pk)).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("home", "post"),
        ("wall", "post"),
        ("signup", "get"),
        ("topic-withdraw", "get"),
        ("topic-arrange", "get"),
    ],
)
def test_wrong_methods_are_refused(participant_client, placed_topic, event, name, method):
    kwargs = {"pk": placed_topic.pk} if name not in ("home", "wall") else {}
    response = getattr(participant_client, method)(url(name, event, **kwargs))
    assert response.status_code == 405


def test_editing_someone_elses_topic_is_forbidden(client, placed_topic, other_participant, event):
    login_participant(client, other_participant)
    assert client.get(url("topic-edit", event, pk=placed_topic.pk)).status_code == 403
    response = client.post(url("topic-withdraw", event, pk=placed_topic.pk))
    assert response.status_code == 403
    placed_topic.refresh_from_db()
    assert placed_topic.withdrawn_at is None


def test_the_convener_edits_their_topic(participant_client, placed_topic, event):
    response = participant_client.post(
        url("topic-edit", event, pk=placed_topic.pk),
        {"title": "Tillit på riktigt", "description": "", "co_convener": "Bo"},
    )
    assert response.status_code == 302
    placed_topic.refresh_from_db()
    assert placed_topic.title == "Tillit på riktigt"


# -- posting -----------------------------------------------------------------


def post_form(client, event, **data):
    payload = {
        "title": "Ett ämne",
        "description": "",
        "co_convener": "",
        "cell": "",
        "idempotency_key": "abc",
    }
    payload.update(data)
    return client.post(url("topic-new", event), payload)


def test_posting_into_a_free_cell(participant_client, event, rooms, slots):
    response = post_form(participant_client, event, cell=f"{rooms[1].pk}-{slots[0].pk}")
    topic = Topic.objects.get()
    assert response.status_code == 302
    assert topic.code == "B1"


@pytest.mark.parametrize("title", ["", "   ", "x" * 10_000])
def test_bad_titles_are_refused_and_the_text_is_kept(
    participant_client, event, title, rooms, slots
):
    response = post_form(participant_client, event, title=title, description="Min beskrivning")
    assert response.status_code == 200
    assert not Topic.objects.exists()
    assert "Min beskrivning" in response.content.decode()


def test_html_emoji_and_rtl_titles_are_escaped_and_kept(participant_client, event, rooms, slots):
    title = '<script>alert("x")</script> 🎉 مرحبا'
    post_form(participant_client, event, title=title)
    topic = Topic.objects.get()
    assert topic.title == title
    page = participant_client.get(url("home", event)).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page
    assert "🎉 مرحبا" in page


def test_a_taken_cell_gives_a_clear_message_and_keeps_the_text(
    participant_client, placed_topic, event, rooms, slots
):
    response = post_form(
        participant_client, event, title="Min fråga", cell=f"{rooms[0].pk}-{slots[0].pk}"
    )
    assert response.status_code == 200
    assert Topic.objects.count() == 1
    body = response.content.decode()
    assert "Min fråga" in body
    assert f'value="{rooms[1].pk}-{slots[0].pk}"' in body  # the free cells are offered


def test_a_cell_of_another_event_is_refused(participant_client, event, other_event, rooms, slots):
    foreign_rooms, foreign_slots = build_grid(other_event, rooms=1, rounds=1)
    response = post_form(
        participant_client, event, cell=f"{foreign_rooms[0].pk}-{foreign_slots[0].pk}"
    )
    assert response.status_code == 200
    assert not Topic.objects.exists()


def test_a_nonexistent_cell_is_refused(participant_client, event, rooms, slots):
    response = post_form(participant_client, event, cell="999999-888888")
    assert response.status_code == 200
    assert not Topic.objects.exists()


def test_a_double_tapped_submit_makes_one_topic(participant_client, event, rooms, slots):
    post_form(participant_client, event, idempotency_key="same")
    post_form(participant_client, event, idempotency_key="same")
    assert Topic.objects.count() == 1


def test_posting_when_the_marketplace_is_closed_says_so(participant_client, event):
    event.phase = Phase.ROUNDS
    event.save()
    response = post_form(participant_client, event)
    assert response.status_code == 302
    assert not Topic.objects.exists()


# -- sign-ups ----------------------------------------------------------------


def test_one_tap_sign_up_and_leave_without_js(participant_client, placed_topic, participant, event):
    participant_client.post(url("signup", event, pk=placed_topic.pk), {"action": "join"})
    assert SignUp.objects.filter(participant=participant).exists()
    participant_client.post(url("signup", event, pk=placed_topic.pk), {"action": "leave"})
    assert not SignUp.objects.filter(participant=participant).exists()


def test_sign_up_with_htmx_returns_the_button(participant_client, placed_topic, event):
    response = participant_client.post(
        url("signup", event, pk=placed_topic.pk), {"action": "join"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert "You are signed up" in body or "anmäld" in body


def test_a_clash_note_never_blocks(participant_client, participant, event, rooms, slots):
    first = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    second = TopicFactory(event=event, room=rooms[1], time_slot=slots[0])
    for topic in (first, second):
        participant_client.post(url("signup", event, pk=topic.pk), {"action": "join"})
    assert SignUp.objects.filter(participant=participant).count() == 2
    page = participant_client.get(url("home", event)).content.decode()
    assert "session__clash" in page


# -- live updates --------------------------------------------------------------


def test_unchanged_polls_get_304_with_one_cheap_check(
    participant_client, event, rooms, slots, django_assert_max_num_queries
):
    first = participant_client.get(url("wall", event), headers={"HX-Request": "true"})
    etag = first["ETag"]
    with django_assert_max_num_queries(3):
        again = participant_client.get(
            url("wall", event), headers={"HX-Request": "true", "If-None-Match": etag}
        )
    assert again.status_code == 304
    assert again.content == b""


def test_a_change_makes_the_poll_answer_200(participant_client, event, rooms, slots, participant):
    first = participant_client.get(url("home", event), headers={"HX-Request": "true"})
    TopicFactory(event=event)
    event.touch()
    again = participant_client.get(
        url("home", event), headers={"HX-Request": "true", "If-None-Match": first["ETag"]}
    )
    assert again.status_code == 200
    assert 'id="agenda"' in again.content.decode()
    assert "<html" not in again.content.decode()


# -- query budgets -------------------------------------------------------------


def populate(event, rooms, slots, people):
    participants = [ParticipantFactory(event=event) for _ in range(people)]
    for i, (room, slot) in enumerate((r, s) for r in rooms for s in slots):
        topic = TopicFactory(
            event=event, room=room, time_slot=slot, convener=participants[i % people]
        )
        for participant in participants[: 1 + i % people]:
            SignUpFactory(topic=topic, participant=participant)
    return participants


def count_queries(client, django_assert_num_queries, path, expected=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # The first request of a test also looks up the event's language, which is then
    # cached: warm up so both counted requests start from the same cache state.
    client.get(path)
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["home", "wall"])
def test_agenda_and_wall_query_counts_do_not_grow(
    client, event, facilitator, name, django_assert_num_queries
):
    small_rooms, small_slots = build_grid(event, rooms=1, rounds=1)
    people = populate(event, small_rooms, small_slots, 1)
    login_participant(client, people[0])
    small = count_queries(client, django_assert_num_queries, url(name, event))
    more_rooms, _ = build_grid(event, rooms=0, rounds=0)
    from tests.factories import RoomFactory, TimeSlotFactory

    rooms = small_rooms + [
        RoomFactory(event=event, code=c, position=i + 5) for i, c in enumerate("XYZW")
    ]
    slots = small_slots + [TimeSlotFactory(event=event, number=n) for n in (7, 8)]
    populate(event, rooms[1:], slots[1:], 5)
    event.touch()  # as every real write does: the page is rendered afresh, not cached
    with django_assert_num_queries(small):
        response = client.get(url(name, event))
    assert "X7" in response.content.decode()  # the bigger grid, not a stale copy


def test_session_page_query_count_does_not_grow(
    client, event, placed_topic, participant, django_assert_num_queries
):
    login_participant(client, participant)
    path = url("topic", event, pk=placed_topic.pk)
    small = count_queries(client, django_assert_num_queries, path)
    for _ in range(5):
        SignUpFactory(topic=placed_topic, participant=ParticipantFactory(event=event))
    with django_assert_num_queries(small):
        client.get(path)
