import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from agenda.models import SignUp, Topic
from events.models import Event, Phase
from openspace import live
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


def form_base(response) -> str:
    return re.search(r'name="base" value="([0-9a-f]+)"', response.content.decode()).group(1)


def test_two_edits_of_one_topic_do_not_overwrite_each_other(
    participant_client, placed_topic, event, facilitator
):
    """The convener and a facilitator edit the same topic at once: the later save does
    not silently replace the earlier one; it shows what is stored now, keeps what was
    typed, and a second save is deliberate."""
    path = url("topic-edit", event, pk=placed_topic.pk)
    convener_base = form_base(participant_client.get(path))
    facilitator_client = Client()
    facilitator_client.force_login(facilitator)
    facilitators = {"title": "Tillit (rättat)", "description": "", "co_convener": "Bo"}
    facilitators["base"] = form_base(facilitator_client.get(path))
    assert facilitator_client.post(path, facilitators).status_code == 302

    mine = {"title": "Tillit på riktigt", "description": "Min text", "co_convener": ""}
    response = participant_client.post(path, {**mine, "base": convener_base})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone else changed this topic while you were editing it." in page
    assert "Tillit (rättat)" in page  # what is stored now
    assert 'value="Tillit på riktigt"' in page and "Min text</textarea>" in page  # kept
    placed_topic.refresh_from_db()
    assert placed_topic.title == "Tillit (rättat)"

    again = participant_client.post(path, {**mine, "base": form_base(response)})
    assert again.status_code == 302
    placed_topic.refresh_from_db()
    assert (placed_topic.title, placed_topic.co_convener) == ("Tillit på riktigt", "")
    # The same save sent twice (a retry) is no conflict: it changes nothing more.
    assert participant_client.post(path, {**mine, "base": convener_base}).status_code == 302


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


def test_direction_controls_are_taken_out_of_the_title_and_co_convener(participant_client, event):
    post_form(participant_client, event, title="\u202eTillit", co_convener="Eva\u2066 Ek")
    topic = Topic.objects.get()
    assert (topic.title, topic.co_convener) == ("Tillit", "Eva Ek")


@pytest.mark.parametrize("title", ["", "   ", "\u200b\u2060", "\x01\x1b", "x" * 10_000])
def test_bad_titles_are_refused_and_the_text_is_kept(
    participant_client, event, title, rooms, slots
):
    response = post_form(participant_client, event, title=title, description="Min beskrivning")
    assert response.status_code == 200
    assert not Topic.objects.exists()
    assert "Min beskrivning" in response.content.decode()


def test_a_refused_topic_says_so_at_the_top_of_the_form(participant_client, event, rooms, slots):
    """A screen reader hears that the form came back: the summary, not only the field."""
    response = post_form(participant_client, event, title="  ")
    page = response.content.decode()
    assert '<div class="form-errors" role="alert"' in page
    assert "Please correct the marked fields." in page


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
    # Says what happened in the marketplace's words, not the form's internal values.
    assert "Someone else just took that place. Choose another free place." in body
    assert "available choices" not in body
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
    assert "That place does not exist in this event." in response.content.decode()


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


# -- the shared grid: rendered once per version, language and role, marks per viewer --


def card(page: str, topic) -> str:
    """The session card of `topic` in an agenda page."""
    match = re.search(rf'<article [^>]*data-topic="{topic.pk}".*?</article>', page, re.S)
    assert match, f"no card for topic {topic.pk}"
    return match.group(0)


def test_people_with_the_same_role_share_the_grid_but_see_only_their_own_marks(
    client, event, rooms, slots, participant, other_participant
):
    mine = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    theirs = TopicFactory(event=event, room=rooms[1], time_slot=slots[0])
    SignUpFactory(topic=mine, participant=participant)
    SignUpFactory(topic=theirs, participant=other_participant, waiting=True)
    event.touch()
    pages = {}
    for person in (participant, other_participant, participant):  # the last one from the cache
        client.cookies.clear()
        login_participant(client, person)
        pages[person.pk] = client.get(url("home", event)).content.decode()
    anna, bertil = pages[participant.pk], pages[other_participant.pk]
    assert "session--mine" in card(anna, mine) and 'value="leave"' in card(anna, mine)
    assert "badge--ok" in card(anna, mine)
    assert "session--mine" not in card(anna, theirs) and 'value="join"' in card(anna, theirs)
    assert "session--mine" in card(bertil, theirs) and "badge--warn" in card(bertil, theirs)
    assert "session--mine" not in card(bertil, mine) and 'value="join"' in card(bertil, mine)
    assert anna.count("session--mine") == 1 and bertil.count("session--mine") == 1


def test_each_card_carries_the_viewers_own_csrf_token(event, rooms, slots, participant):
    from django.test import Client

    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    for person in (ParticipantFactory(event=event), participant):  # the second from the cache
        browser = login_participant(Client(enforce_csrf_checks=True), person)
        page = browser.get(url("home", event)).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card(page, topic))[1]
        response = browser.post(
            url("signup", event, pk=topic.pk),
            {"csrfmiddlewaretoken": token, "action": "join", "next": "agenda"},
        )
        assert response.status_code == 302  # 403 if the token were someone else's
    assert SignUp.objects.filter(topic=topic).count() == 2


def _without_tokens(page: str) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[A-Za-z0-9]+', r"\1-", page)


@pytest.mark.parametrize("show", ["", "?show=mine", "?show=my-topics"])
def test_a_page_from_the_shared_frame_and_cards_is_the_page_made_for_its_viewer(
    client, event, rooms, slots, show
):
    """The page around the grid and each state of each own session are rendered once
    per version and shared. What a viewer gets from them is what a render for them
    alone gives: their own marks, ETag and token, none of the first viewer's."""
    anna, bertil, cecilia = (ParticipantFactory(event=event) for _ in range(3))
    first = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], convener=cecilia)
    second = TopicFactory(event=event, room=rooms[1], time_slot=slots[0])
    for person in (anna, bertil):  # the same two sessions in one round: a clash
        SignUpFactory(topic=first, participant=person)
        SignUpFactory(topic=second, participant=person, waiting=True)
    SignUpFactory(topic=first, participant=cecilia, waiting=True)
    event.touch()

    def page(person):
        client.cookies.clear()
        login_participant(client, person)
        response = client.get(url("home", event) + show)
        html = response.content.decode()
        assert f'data-etag="{escape(response["ETag"])}"' in html
        return _without_tokens(html)

    shared = {person.pk: page(person) for person in (anna, bertil, cecilia)}
    for person in (anna, bertil, cecilia):
        live.forget_shared_renders()
        assert page(person) == shared[person.pk]
    assert shared[anna.pk] == shared[bertil.pk].replace(
        _etag_of(shared[bertil.pk]), _etag_of(shared[anna.pk])
    )
    if not show:
        assert "session__clash" in card(shared[bertil.pk], first)
        assert "session__clash" not in card(shared[cecilia.pk], first)
        assert "badge--warn" in card(shared[cecilia.pk], first)
        assert "session--mine" not in card(shared[cecilia.pk], second)


def _changed(field, value):
    """Another value for `field` than `value`, valid for its column (None: leave it)."""
    import datetime

    from django.db import models

    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(field, (models.CharField, models.TextField)):
        return ("Z" + (value or "") + " ändrad")[: field.max_length or 50]
    if isinstance(field, models.PositiveSmallIntegerField | models.PositiveIntegerField):
        return (value or 0) + 7
    if isinstance(field, models.TimeField):
        moment = datetime.datetime.combine(datetime.date.today(), value)
        return (moment + datetime.timedelta(minutes=1)).time()
    return None


def test_a_kept_card_is_never_stale_whatever_field_changes(client, event, rooms, slots, settings):
    """Cards are kept by every column of their session, room, time slot and convener.
    After a change to any one of them the page from the kept cards must be the page
    rendered from nothing: a card that depends on something else would show stale."""
    settings.POLL_COALESCE_SECONDS = 0  # every page current: the kept cards are tested
    from agenda.models import Room, TimeSlot
    from events.models import Participant

    viewer, convener = ParticipantFactory(event=event), ParticipantFactory(event=event)
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], convener=convener)
    TopicFactory(event=event, room=rooms[1], time_slot=slots[0])
    login_participant(client, viewer)
    home = url("home", event)
    rows = [(Topic, topic.pk), (Room, rooms[0].pk), (TimeSlot, slots[0].pk)]
    rows.append((Participant, convener.pk))
    changed = 0
    for model, pk in rows:
        for field in model._meta.concrete_fields:
            if field.primary_key or field.is_relation or field.name in ("token", "position"):
                continue
            value = _changed(field, getattr(model.objects.get(pk=pk), field.attname))
            if value is None:
                continue
            client.get(home)  # the cards as they are, kept
            model.objects.filter(pk=pk).update(**{field.attname: value})
            event.touch()
            kept = _without_tokens(client.get(home).content.decode())
            live.forget_shared_renders()
            fresh = _without_tokens(client.get(home).content.decode())
            assert kept == fresh, f"{model.__name__}.{field.name}"
            changed += 1
    assert changed >= 12
    SignUpFactory(topic=topic, participant=convener)  # and the counts
    event.touch()
    assert re.search(
        r"\b1 (of \d+ places taken|signed up)", card(client.get(home).content.decode(), topic)
    )


def _etag_of(page: str) -> str:
    return re.search(r'data-etag="([^"]*)"', page)[1]


def test_a_message_is_shown_once_on_the_agenda(participant_client, event, participant):
    topic = TopicFactory(event=event, convener=participant)
    response = participant_client.post(url("topic-withdraw", event, pk=topic.pk), follow=True)
    assert response.redirect_chain[-1][0] == url("home", event)
    assert 'class="messages"' in response.content.decode()
    assert "withdrawn" in response.content.decode()
    assert 'class="messages"' not in participant_client.get(url("home", event)).content.decode()


def test_a_message_goes_into_the_shared_page_of_its_viewer_only(
    participant_client, event, settings
):
    """The agenda page is one frame for every viewer of a render (live.render_framed);
    the welcome after joining is put into the joiner's page, escaped, once."""
    settings.POLL_COALESCE_SECONDS = 60  # every page below comes from one render
    home = url("home", event)
    assert 'class="messages"' not in participant_client.get(home).content.decode()
    join = reverse("events:join-event", kwargs={"slug": event.slug})
    client = Client()
    response = client.post(join, {"name": "Anna <b>"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == home
    assert 'class="messages"' in page and "Welcome, Anna &lt;b&gt;!" in page
    assert page.count('class="messages"') == 1
    assert 'class="messages"' not in client.get(home).content.decode()  # once
    assert "Anna" not in participant_client.get(home).content.decode()  # the same frame


def test_a_sign_up_elsewhere_shows_on_the_next_request(
    participant_client, event, rooms, slots, other_participant
):
    from agenda import services

    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    before = card(participant_client.get(url("home", event)).content.decode(), topic)
    services.sign_up(topic=topic, participant=other_participant)
    after = card(participant_client.get(url("home", event)).content.decode(), topic)
    assert before != after
    assert re.search(r">\D*0\D", before) and re.search(r">\D*1\D", after)


def test_lock_badges_are_for_facilitators_only(client, event, facilitator, rooms, slots):
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], locked=True)
    login_participant(client, ParticipantFactory(event=event))
    as_participant = card(client.get(url("home", event)).content.decode(), topic)
    client.force_login(facilitator)
    as_both = card(client.get(url("home", event)).content.decode(), topic)
    client.cookies.clear()
    client.force_login(facilitator)
    as_facilitator = card(client.get(url("home", event)).content.decode(), topic)
    assert as_participant.count("badge") == 0
    assert as_both.count('<span class="badge">') == 1 and 'value="join"' in as_both
    assert as_facilitator.count('<span class="badge">') == 1 and "<button" not in as_facilitator


def test_the_round_on_now_follows_the_clock_without_any_write(
    participant_client, event, rooms, slots, monkeypatch
):
    import datetime

    from django.utils import timezone

    event.date = datetime.date.today()
    event.save()
    real_localtime = timezone.localtime

    def at(hour, minute):
        moment = datetime.datetime.combine(event.date, datetime.time(hour, minute))
        aware = timezone.make_aware(moment)
        monkeypatch.setattr(
            timezone, "localtime", lambda value=None, tz=None: real_localtime(value or aware, tz)
        )
        return participant_client.get(url("home", event)).content.decode()

    before = at(12, 30)
    during = at(13, 10)
    assert f'round--next" aria-labelledby="round-{slots[0].pk}"' in before
    assert f'round--now" aria-labelledby="round-{slots[0].pk}"' in during
    assert f'round--next" aria-labelledby="round-{slots[1].pk}"' in during


def test_the_filters_show_only_my_sessions_and_my_topics(
    participant_client, event, rooms, slots, participant, other_participant
):
    joined = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    posted = TopicFactory(event=event, room=rooms[1], time_slot=slots[0], convener=participant)
    other = TopicFactory(event=event, room=rooms[2], time_slot=slots[0])
    SignUpFactory(topic=joined, participant=participant)
    event.touch()
    everything = participant_client.get(url("home", event)).content.decode()
    mine = participant_client.get(url("home", event) + "?show=mine").content.decode()
    topics = participant_client.get(url("home", event) + "?show=my-topics").content.decode()
    assert all(f'data-topic="{t.pk}"' in everything for t in (joined, posted, other))
    assert f'data-topic="{joined.pk}"' in mine and "session--mine" in mine
    assert f'data-topic="{posted.pk}"' not in mine and f'data-topic="{other.pk}"' not in mine
    assert f'data-topic="{posted.pk}"' in topics and f'data-topic="{joined.pk}"' not in topics
    assert "cell--empty" in everything and "cell--empty" not in mine


def test_titles_cannot_break_the_shared_grid_apart(participant_client, event, rooms, slots):
    tricky = TopicFactory(
        event=event, room=rooms[0], time_slot=slots[0], title="a|b <!--x--> 123| {{ mark }}"
    )
    page = participant_client.get(url("home", event)).content.decode()
    assert "a|b &lt;!--x--&gt; 123| {{ mark }}" in card(page, tricky)
    assert page.count("<article ") == 1


@pytest.mark.parametrize(("room_count", "rooms_down"), [(8, False), (9, True)])
def test_the_wall_turns_the_grid_on_its_side_past_eight_rooms(
    participant_client, event, room_count, rooms_down
):
    rooms, slots = build_grid(event, rooms=room_count, rounds=2)
    TopicFactory(event=event, room=rooms[-1], time_slot=slots[1], title="Sista rummet")
    page = participant_client.get(url("wall", event)).content.decode()
    assert ("wall__grid--rooms-down" in page) is rooms_down
    body = page[page.index("<tbody data-wall-rows>") :]
    rows = body[: body.index("</tbody>")].split("<tr")[1:]
    if rooms_down:  # a row per room, its cells round by round
        assert len(rows) == room_count
        assert rows[-1].count("<td") == 2 and "Sista rummet" in rows[-1].split("<td")[2]
    else:  # a row per round, its cells room by room
        assert len(rows) == 2
        assert rows[1].count("<td") == room_count and "Sista rummet" in rows[1].split("<td")[-1]


def test_the_wall_shows_where_to_type_the_join_code(participant_client, event, settings):
    """Whoever cannot scan the QR code needs the address, as on the poster: SITE_URL and
    the join page, without "https://"."""
    settings.SITE_URL = "https://openspace.example.org"

    page = participant_client.get(url("wall", event)).content.decode()

    join = page[page.index('<div class="wall__join">') :]
    join = join[: join.index("</div>")]
    assert event.join_code in join
    assert '<span class="wall__address">openspace.example.org/join/</span>' in join
    assert "https://" not in join


def test_the_opening_circle_wall_shows_the_principles_and_the_run_sheet(
    participant_client, event, rooms, slots
):
    """The facilitator opens with the principles and the plan for the day; the setup page
    promised the principles "at the opening", and the run sheet was shown nowhere."""
    import datetime

    from events.models import RunSheetItem

    event.phase = Phase.OPENING
    event.principles = "De som kommer är rätt personer.\nLagen om två fötter."
    event.save(update_fields=["phase", "principles"])
    RunSheetItem.objects.create(
        event=event,
        label="Lunch i matsalen",
        starts_at=datetime.time(12),
        ends_at=datetime.time(13),
    )
    RunSheetItem.objects.create(
        event=event,
        phase=Phase.ROUNDS,
        starts_at=datetime.time(9, 45),
        ends_at=datetime.time(10, 45),
    )

    page = participant_client.get(url("wall", event)).content.decode()

    opening = page[page.index('<div class="wall__opening">') :]
    assert "The principles and the law" in opening
    assert '<li dir="auto">De som kommer är rätt personer.</li>' in opening
    assert '<li dir="auto">Lagen om två fötter.</li>' in opening
    # In time order, a break by its label and a phase by its name, in 24-hour time.
    assert (
        opening.index("09:45–10:45")
        < opening.index("Dialogue rounds")
        < opening.index("12:00–13:00")
        < opening.index("Lunch i matsalen")
    )
    assert "wall__grid" not in page


def test_after_the_opening_the_wall_shows_the_grid_again(participant_client, event, rooms, slots):
    event.principles = "De som kommer är rätt personer."
    event.save(update_fields=["principles"])
    for phase in (Phase.MARKETPLACE, Phase.ROUNDS, Phase.PREPARATION):
        event.phase = phase
        event.save(update_fields=["phase"])
        event.touch()
        page = participant_client.get(url("wall", event)).content.decode()
        assert "wall__grid" in page
        assert "De som kommer" not in page


def test_a_closed_events_walls_show_no_join_code(participant_client, event, rooms, slots):
    """After the closing the event takes no one new: the walls stop inviting people to
    join with a QR code that leads to "This event is closed"."""
    walls = [url("wall", event), reverse("reports:actions-wall", kwargs={"slug": event.slug})]
    for address in walls:
        assert event.join_code in participant_client.get(address).content.decode()
    event.phase = Phase.CLOSED
    event.save(update_fields=["phase"])
    event.touch()
    for address in walls:
        page = participant_client.get(address).content.decode()
        assert "wall__join" not in page
        assert event.join_code not in page


def test_the_wall_shows_a_change_on_the_next_request(participant_client, event, rooms, slots):
    from agenda import services

    first = participant_client.get(url("wall", event), headers={"HX-Request": "true"})
    services.post_topic(
        event=event,
        participant=None,
        title="Nytt ämne",
        room=rooms[0],
        time_slot=slots[0],
        by_facilitator=True,
    )
    again = participant_client.get(url("wall", event), headers={"HX-Request": "true"})
    assert "Nytt ämne" not in first.content.decode()
    assert "Nytt ämne" in again.content.decode()
    assert first["ETag"] != again["ETag"]


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


def test_a_participants_unchanged_poll_is_answered_from_one_query(
    participant_client, event, rooms, slots, django_assert_max_num_queries
):
    for show in ("", "?show=mine"):
        first = participant_client.get(url("home", event) + show, headers={"HX-Request": "true"})
        headers = {"HX-Request": "true", "If-None-Match": first["ETag"]}
        # One for the event's version; none when it was read a moment ago (the second).
        with django_assert_max_num_queries(1):
            again = participant_client.get(url("home", event) + show, headers=headers)
        assert again.status_code == 304 and again["ETag"] == first["ETag"]
    # Another filter, or another person's ETag, is not answered from the quick check.
    assert (
        participant_client.get(url("home", event) + "?show=my-topics", headers=headers).status_code
        == 200
    )


def test_the_quick_poll_check_answers_nobody_else(client, event, rooms, slots, participant):
    login_participant(client, participant)
    etag = client.get(url("home", event), headers={"HX-Request": "true"})["ETag"]
    poll = {"HX-Request": "true", "If-None-Match": etag}
    other = ParticipantFactory(event=event)
    login_participant(client, other)
    assert client.get(url("home", event), headers=poll).status_code == 200
    client.cookies.clear()
    response = client.get(url("home", event), headers=poll)
    assert response.status_code == 302  # to the join page, as without the check


def test_a_change_makes_the_poll_answer_200(
    participant_client, event, rooms, slots, participant, settings
):
    settings.POLL_COALESCE_SECONDS = 0
    first = participant_client.get(url("home", event), headers={"HX-Request": "true"})
    TopicFactory(event=event)
    event.touch()
    again = participant_client.get(
        url("home", event), headers={"HX-Request": "true", "If-None-Match": first["ETag"]}
    )
    assert again.status_code == 200
    assert 'id="agenda"' in again.content.decode()
    assert "<html" not in again.content.decode()


def _poll(client, event, etag=None):
    headers = {"HX-Request": "true"} | ({"If-None-Match": etag} if etag else {})
    return client.get(url("home", event), headers=headers)


def test_polls_in_a_burst_of_writes_share_a_render_of_a_moment_ago(
    participant_client, event, rooms, slots, settings
):
    settings.POLL_COALESCE_SECONDS = 60
    first = _poll(participant_client, event)
    TopicFactory(event=event, title="Nytt ämne", room=rooms[0], time_slot=slots[0])
    event.touch()

    # The client holds what the shared render holds: nothing new to send yet.
    assert _poll(participant_client, event, first["ETag"]).status_code == 304
    # A client without that render gets it, labelled with its own (older) version.
    older = _poll(participant_client, event, '"v0-en-p0"')
    assert older.status_code == 200 and older["ETag"] == first["ETag"]
    assert "Nytt ämne" not in older.content.decode()
    # A participant's full page may come from it too.
    assert "Nytt ämne" not in participant_client.get(url("home", event)).content.decode()

    settings.POLL_COALESCE_SECONDS = 0
    fresh = _poll(participant_client, event, first["ETag"])
    assert fresh.status_code == 200 and "Nytt ämne" in fresh.content.decode()


def test_a_facilitators_page_is_always_current(
    participant_client, event, rooms, slots, settings, facilitator
):
    settings.POLL_COALESCE_SECONDS = 60
    first = _poll(participant_client, event)
    TopicFactory(event=event, title="Nytt ämne", room=rooms[0], time_slot=slots[0])
    event.touch()
    participant_client.force_login(facilitator)

    page = participant_client.get(url("home", event))

    assert "Nytt ämne" in page.content.decode() and page["ETag"] != first["ETag"]
    # Its later version is not sent back in time.
    assert _poll(participant_client, event, page["ETag"]).status_code == 304


def test_a_participants_page_holds_their_own_write_even_in_a_burst(
    participant_client, event, rooms, slots, settings
):
    settings.POLL_COALESCE_SECONDS = 60
    participant_client.get(url("home", event))  # a render to share
    TopicFactory(event=event, title="Någon annans", room=rooms[1], time_slot=slots[0])
    event.touch()  # another's write: a page may still come from the render before it
    assert "Någon annans" not in participant_client.get(url("home", event)).content.decode()

    response = participant_client.post(
        url("topic-new", event),
        {"title": "Mitt ämne", "cell": f"{rooms[0].pk}-{slots[0].pk}", "idempotency_key": "k1"},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert response.cookies[f"wrote_{event.pk}"].value == str(event.version)

    page = participant_client.get(url("home", event))
    # Their topic is put into the render of a moment ago: the other one comes later.
    assert "Mitt ämne" in page.content.decode() and "Någon annans" not in page.content.decode()
    assert page["ETag"].endswith(f'+{event.version}"')


def test_a_poll_gets_the_viewers_own_sign_ups_even_from_a_render_of_a_moment_ago(
    participant_client, event, rooms, slots, participant, settings
):
    settings.POLL_COALESCE_SECONDS = 60
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    event.touch()
    _poll(participant_client, event)
    SignUpFactory(topic=topic, participant=participant)
    event.touch()

    response = _poll(participant_client, event, '"v0-en-p0"')

    assert response.status_code == 200
    assert reverse("agenda:signup", kwargs={"slug": event.slug, "pk": topic.pk}) in (
        response.content.decode()
    )
    assert "Leave" in response.content.decode()


def test_pages_are_compressed_with_random_padding_and_polls_still_get_304(
    participant_client, event, rooms, slots
):
    import gzip

    for room in rooms:
        TopicFactory(event=event, room=room, time_slot=slots[0])
    plain = participant_client.get(url("home", event))
    headers = {"HX-Request": "true", "Accept-Encoding": "gzip, deflate, br"}
    sizes = set()
    for _ in range(8):
        packed = participant_client.get(url("home", event), headers=headers)
        assert packed["Content-Encoding"] == "gzip"
        assert b'id="agenda"' in gzip.decompress(packed.content)
        assert packed.content[3] & 0x08  # a file name field: Django's random-length padding
        sizes.add(len(packed.content))
    assert len(sizes) > 1  # the length varies from response to response (BREACH mitigation)
    assert len(packed.content) < len(plain.content) / 2
    assert packed["ETag"].startswith('W/"')
    again = participant_client.get(
        url("home", event), headers={**headers, "If-None-Match": packed["ETag"]}
    )
    assert again.status_code == 304


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


def queries_of(client, path) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("name", ["home", "wall"])
def test_agenda_and_wall_query_counts_do_not_grow(
    client, event, facilitator, name, django_assert_num_queries, settings
):
    """Both ways of answering stay flat: rendering the grid afresh after a change, and
    reusing the shared render (then only the viewer's own sessions are read)."""
    settings.POLL_COALESCE_SECONDS = 0  # every page load current: another's write shows
    from tests.factories import RoomFactory, TimeSlotFactory

    path = url(name, event)
    small_rooms, small_slots = build_grid(event, rooms=1, rounds=1)
    people = populate(event, small_rooms, small_slots, 1)
    login_participant(client, people[0])
    client.get(path)  # the event's language is looked up once, then cached
    event.touch()
    afresh = queries_of(client, path)
    shared = queries_of(client, path)
    assert shared < afresh  # the shared render spares the grid's queries

    rooms = small_rooms + [
        RoomFactory(event=event, code=c, position=i + 5) for i, c in enumerate("XYZW")
    ]
    slots = small_slots + [TimeSlotFactory(event=event, number=n) for n in (7, 8)]
    populate(event, rooms[1:], slots[1:], 5)
    for topic in Topic.objects.filter(room__in=rooms[1:]):  # more sessions of one's own, too
        SignUpFactory(topic=topic, participant=people[0])
    TopicFactory.create_batch(40, event=event)  # and more topics without a place
    event.touch()  # as every real write does
    with django_assert_num_queries(afresh):
        response = client.get(path)
    assert "X7" in response.content.decode()  # the bigger grid, not a stale copy
    with django_assert_num_queries(shared):
        again = client.get(path)
    mine = response.content.count(b"session--mine")
    assert again.content.count(b"session--mine") == mine
    assert mine >= 5 or name == "wall"


@pytest.fixture
def no_purges(monkeypatch):
    """Rate-limit counters and idempotency records purge old rows in 1 request of
    100–200, at random: one query more, which a counted request must not meet."""
    from openspace import idempotency, ratelimit

    monkeypatch.setattr(ratelimit, "PURGE_ONE_IN", 10**18)
    monkeypatch.setattr(idempotency, "PURGE_ONE_IN", 10**18)


def queries_of_post(client, path, data, headers=None) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        response = client.post(path, data, headers=headers or {})
    assert response.status_code in (200, 302)
    return len(context.captured_queries)


def test_posting_a_topic_costs_the_same_with_many_topics(
    participant_client, event, rooms, slots, no_purges, settings
):
    """Choosing a place reads the cells, never every topic with its counts."""
    settings.POLL_COALESCE_SECONDS = 0  # every form lists the cells free at this moment
    form = url("topic-new", event)

    def post(title, room):
        cell = f"{room.pk}-{slots[0].pk}"
        data = {"title": title, "cell": cell, "idempotency_key": title}
        return queries_of_post(participant_client, form, data)

    participant_client.get(form)  # the event's language is looked up once, then cached
    post_few = post("Först", rooms[0])
    # A new frame, with the message "Your topic is on the agenda" put in: the cells are read.
    get_few = queries_of(participant_client, form)
    assert queries_of(participant_client, form) < get_few  # the same frame: they are not
    for room in rooms[2:]:
        TopicFactory(event=event, room=room, time_slot=slots[1])
    for _ in range(30):
        SignUpFactory(topic=TopicFactory(event=event))  # unplaced, with a sign-up each
    event.touch()  # as every real write does
    assert queries_of(participant_client, form) == get_few
    assert post("Sen", rooms[1]) == post_few
    assert Topic.objects.get(title="Sen").code == f"{rooms[1].code}{slots[0].number}"
    page = participant_client.get(form).content.decode()
    assert f'value="{rooms[1].pk}-{slots[0].pk}"' not in page  # taken: not offered again
    assert f'value="{rooms[2].pk}-{slots[0].pk}"' in page


def test_a_sign_up_costs_the_same_with_many_sign_ups(
    participant_client, event, placed_topic, participant, no_purges
):
    path = url("signup", event, pk=placed_topic.pk)
    htmx = {"HX-Request": "true"}
    participant_client.get(url("home", event))  # the event's language, then cached
    first = queries_of_post(participant_client, path, {"action": "join"}, htmx)
    queries_of_post(participant_client, path, {"action": "leave"}, htmx)
    for _ in range(25):
        SignUpFactory(topic=placed_topic, participant=ParticipantFactory(event=event))
    response = participant_client.post(path, {"action": "join"}, headers=htmx)
    assert "26" in response.content.decode()  # the counts of the answer are current
    participant_client.post(path, {"action": "leave"}, headers=htmx)
    assert queries_of_post(participant_client, path, {"action": "join"}, htmx) == first


def test_a_sign_up_answer_to_htmx_carries_no_csrf_field_of_its_own(
    participant_client, event, placed_topic
):
    """htmx sends the page's token in a header; the page without JavaScript has the field."""
    path = url("signup", event, pk=placed_topic.pk)
    response = participant_client.post(path, {"action": "join"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'name="action" value="leave"' in response.text
    assert "csrfmiddlewaretoken" not in response.text
    assert "csrftoken" not in response.cookies  # not renewed on every tap either
    page = participant_client.get(url("topic", event, pk=placed_topic.pk)).text
    assert re.search(
        r'<form class="signup"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken"', page
    )


def test_a_sign_up_is_answered_in_eight_queries_or_six_on_postgresql(
    participant_client, event, placed_topic, participant, no_purges
):
    """The busiest write of a marketplace. Pinned, so that a change that adds a query
    to every tap is a decision: the participant with the event (one query, once the
    process has served the event: events.access.get_event_and_viewer), the rate-limit
    counter, the transaction's savepoint, the topic (locked), the seats with the room's
    capacity, the new row, the event's version, the savepoint's release. On PostgreSQL
    the seats, the row and the version are one statement. The answer needs nothing
    more."""
    from django.db import connection

    path = url("signup", event, pk=placed_topic.pk)
    htmx = {"HX-Request": "true"}
    participant_client.get(url("home", event))  # the event's language and id, then known
    expected = 6 if connection.vendor == "postgresql" else 8
    assert queries_of_post(participant_client, path, {"action": "join"}, htmx) == expected


def test_a_topic_and_a_name_are_saved_without_savepoints(
    participant_client, event, rooms, slots, no_purges
):
    """Each savepoint costs two round trips on PostgreSQL. The idempotent form's own
    transaction is the only one (a savepoint here, inside the test's transaction):
    the topic and the participant are single inserts that skip or fail as a whole."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def savepoints(phone, path, data):
        with CaptureQueriesContext(connection) as context:
            assert phone.post(path, data).status_code == 302
        return [q["sql"] for q in context.captured_queries if "SAVEPOINT" in q["sql"]]

    topic = {
        "title": "Ett ämne",
        "cell": f"{rooms[0].pk}-{slots[0].pk}",
        "idempotency_key": "k" * 16,
    }
    assert len(savepoints(participant_client, url("topic-new", event), topic)) == 2
    name = {"name": "Anna", "idempotency_key": "n" * 16}
    join = reverse("events:join-event", args=[event.slug])
    assert len(savepoints(Client(), join, name)) == 2
    assert Topic.objects.filter(title="Ett ämne", room=rooms[0]).count() == 1
    assert event.participants.filter(name="Anna").count() == 1


def test_the_topic_form_comes_from_a_frame_with_each_conveners_name_key_and_token(
    event, rooms, slots
):
    """The form is rendered once and then filled in: each person sees their own name
    (escaped), and posts with a key and CSRF token of their own."""
    names = ["Anna <b>", "Bo & Co"]
    keys = set()
    for name in names:
        phone = Client(enforce_csrf_checks=True)
        person = ParticipantFactory(event=event, name=name)
        login_participant(phone, person)
        page = phone.get(url("topic-new", event)).content.decode()
        assert f"You are the convener: {escape(person.display_name)}." in page
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page)[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        keys.add(key)
        data = {"title": f"Topic of {name}", "cell": "", "idempotency_key": key}
        response = phone.post(url("topic-new", event), {**data, "csrfmiddlewaretoken": token})
        assert response.status_code == 302
    assert len(keys) == 2
    assert Topic.objects.filter(event=event, title__startswith="Topic of").count() == 2


def test_a_taken_cell_leaves_the_form_at_once_for_the_one_who_took_it(
    participant_client, event, rooms, slots
):
    cell = f"{rooms[0].pk}-{slots[0].pk}"
    form = url("topic-new", event)
    assert f'value="{cell}"' in participant_client.get(form).content.decode()
    participant_client.post(form, {"title": "Mitt", "cell": cell, "idempotency_key": "k1"})
    participant_client.get(url("home", event))  # the message is shown there
    assert f'value="{cell}"' not in participant_client.get(form).content.decode()


def test_an_unplaced_topic_is_posted_without_reading_the_cells(
    participant_client, event, rooms, slots, no_purges
):
    """Most topics at a marketplace are posted without a place: the free cells, three
    queries, are read only when one was chosen or the form is shown again."""
    form = url("topic-new", event)
    participant_client.get(form)

    def post(title, cell=""):
        data = {"title": title, "cell": cell, "idempotency_key": title}
        return queries_of_post(participant_client, form, data)

    unplaced = post("Utan plats")
    assert post("Med plats", f"{rooms[0].pk}-{slots[0].pk}") == unplaced + 3
    assert Topic.objects.get(title="Utan plats").room is None
    assert Topic.objects.get(title="Med plats").room == rooms[0]


def test_own_sessions_show_current_counts_from_the_shared_render(
    participant_client, event, rooms, slots, participant
):
    """A viewer's own sessions take their counts from the shared render of the same
    version; after a write the page shows the new count, never the old one."""
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    SignUpFactory(topic=topic, participant=participant)
    home = url("home", event)
    participant_client.get(home)  # renders and shares the grid
    other = ParticipantFactory(event=event)
    SignUpFactory(topic=topic, participant=other)
    event.touch()
    participant_client.get(home)  # a fresh render after the write
    page = participant_client.get(home).content.decode()  # from the shared render
    assert re.search(r"session--mine.*?2 signed up", page, re.S)


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


def test_the_session_page_counts_the_seated_and_the_waiting(
    participant_client, event, placed_topic, participant
):
    placed_topic.room.capacity = 2
    placed_topic.room.save()
    for waiting in (False, False, True):
        SignUpFactory(
            topic=placed_topic, participant=ParticipantFactory(event=event), waiting=waiting
        )
    page = participant_client.get(url("topic", event, pk=placed_topic.pk)).content.decode()
    assert "2 of 2 places taken · 1 waiting" in page
    assert "Full: join the waiting list" in page


def test_a_drop_on_a_taken_cell_sent_twice_swaps_once(facilitator_client, event, rooms, slots):
    """Dragging a session onto another swaps them; the same request again (a retry on a
    flaky network, same key) must not swap them back."""
    first = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    second = TopicFactory(event=event, room=rooms[1], time_slot=slots[0])
    drop = {"action": "move", "cell": f"{rooms[1].pk}-{slots[0].pk}", "idempotency_key": "k" * 32}
    for _ in range(2):
        response = facilitator_client.post(url("topic-arrange", event, pk=first.pk), drop)
        assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.room, second.room) == (rooms[1], rooms[0])
    # A new drop (a new key) is a new swap.
    drop["idempotency_key"] = "n" * 32
    facilitator_client.post(url("topic-arrange", event, pk=first.pk), drop)
    first.refresh_from_db()
    assert first.room == rooms[1]  # dropped on its own cell now: stays
    page = facilitator_client.get(url("topic", event, pk=first.pk)).content.decode()
    assert page.count('name="idempotency_key"') >= 2  # the move and lock forms carry keys


def test_a_drop_on_a_cell_someone_else_filled_meanwhile_moves_nothing(
    facilitator_client, event, rooms, slots
):
    """Two facilitators arrange at once. One drags a session onto B1, which their page
    (polled every few seconds) still shows free; the other has just put a session
    there. A swap would send that session away unseen: nothing moves, and they are told."""
    mine = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], title="Mine")
    theirs = TopicFactory(event=event, title="<b>Theirs</b>")
    facilitator_client.post(
        url("topic-arrange", event, pk=theirs.pk),
        {"action": "move", "cell": f"{rooms[1].pk}-{slots[0].pk}", "idempotency_key": "t" * 32},
    )
    drop = {"action": "move", "cell": f"{rooms[1].pk}-{slots[0].pk}", "occupant": ""}
    response = facilitator_client.post(
        url("topic-arrange", event, pk=mine.pk), drop | {"idempotency_key": "m" * 32}, follow=True
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.code, theirs.code) == ("A1", "B1")
    page = response.content.decode()
    assert "Someone else has just put “&lt;b&gt;Theirs&lt;/b&gt;” in B1. Nothing was moved" in page
    # A drop on the session the page showed there is a deliberate swap.
    drop["occupant"] = str(theirs.pk)
    facilitator_client.post(
        url("topic-arrange", event, pk=mine.pk), drop | {"idempotency_key": "s" * 32}
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.code, theirs.code) == ("B1", "A1")


def test_a_phone_left_open_follows_the_phase_in_its_polls(participant_client, event, placed_topic):
    """The agenda's poll swaps only its region: the phase and "Post a topic" are in it,
    or a phone left open says "Marketplace" and offers to post all through the rounds."""
    from events.services import set_phase

    home = url("home", event)
    poll = participant_client.get(home, headers={"HX-Request": "true"}).content.decode()
    assert ">Marketplace</span>" in poll and ">Post a topic</a>" in poll
    set_phase(event=event, phase=Phase.ROUNDS)
    poll = participant_client.get(home, headers={"HX-Request": "true"}).content.decode()
    assert ">Dialogue rounds</span>" in poll and "Post a topic" not in poll


def test_a_locked_topic_shows_locked_on_the_facilitators_grid_at_once(
    facilitator_client, event, placed_topic
):
    """The grid is rendered once per event version: locking must make a new one, or the
    facilitator (and a second one at another laptop) never sees the "Locked" mark."""
    home = url("home", event)
    assert "Locked" not in facilitator_client.get(home).content.decode()
    arrange = url("topic-arrange", event, pk=placed_topic.pk)
    facilitator_client.post(arrange, {"action": "lock", "idempotency_key": "l" * 32})
    assert ">Locked</span>" in facilitator_client.get(home).content.decode()
    facilitator_client.post(arrange, {"action": "unlock", "idempotency_key": "u" * 32})
    assert "Locked" not in facilitator_client.get(home).content.decode()


def test_a_phone_gets_the_newest_topics_without_a_place_and_a_way_to_all(
    participant_client, facilitator, event, rooms, slots, participant, monkeypatch
):
    """A marketplace of 2,000 topics is not 2,000 cards on every phone: the newest,
    those someone signed up for (taken out of the grid), and a link to them all."""
    from agenda import rendering

    monkeypatch.setattr(rendering, "UNPLACED_SHOWN", 2)
    mine_taken_out = TopicFactory(event=event, title="Taken out", convener=participant)
    SignUpFactory(topic=mine_taken_out, participant=participant)
    my_old = TopicFactory(event=event, title="Mine, old", convener=participant)
    older = TopicFactory(event=event, title="Older")
    newest = [TopicFactory(event=event, title=f"New {i}") for i in range(2)]
    placed = TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    event.touch()
    home = url("home", event)

    def shown(page):
        return {int(pk) for pk in re.findall(r'data-topic="(\d+)"', page)}

    page = participant_client.get(home).content.decode()
    assert shown(page) == {placed.pk, mine_taken_out.pk, *(t.pk for t in newest)}
    assert "3 of 5 topics are shown here." in page
    assert f'href="{home}?show=unplaced#unplaced-title">Show all 5 topics without a place' in page

    every = participant_client.get(home + "?show=unplaced").content.decode()
    assert shown(every) == {mine_taken_out.pk, my_old.pk, older.pk, *(t.pk for t in newest)}
    assert "cell--empty" not in every and "are shown here" not in every
    assert 'aria-current="true">Without a place' in every
    mine = participant_client.get(home + "?show=mine").content.decode()
    assert shown(mine) == {mine_taken_out.pk}
    my_topics = participant_client.get(home + "?show=my-topics").content.decode()
    assert shown(my_topics) == {mine_taken_out.pk, my_old.pk}

    client = Client()
    client.force_login(facilitator)  # who places them sees them all
    arranging = client.get(home).content.decode()
    assert shown(arranging) == shown(every) | {placed.pk}
    assert "are shown here" not in arranging
    wall = client.get(url("wall", event)).content.decode()
    assert "5 topics wait for a place" in wall


def test_every_topic_has_a_place_says_so(participant_client, event, rooms, slots):
    TopicFactory(event=event, room=rooms[0], time_slot=slots[0])
    page = participant_client.get(url("home", event) + "?show=unplaced").content.decode()
    assert "Every topic has a place." in page


def test_signing_up_on_the_session_page_reloads_it_with_the_name_in_the_list(
    participant_client, participant, event, rooms, slots
):
    topic = TopicFactory(event=event, title="Tillit", room=rooms[0], time_slot=slots[0])
    page = participant_client.get(topic.get_absolute_url()).content.decode()
    signup_url = reverse("agenda:signup", kwargs={"slug": event.slug, "pk": topic.pk})
    assert f'action="{signup_url}"' in page
    assert "hx-post" not in page.split(f'action="{signup_url}"')[1].split(">")[0]
    response = participant_client.post(signup_url, {}, follow=True)
    assert response.redirect_chain[-1][0] == topic.get_absolute_url()
    names = response.content.decode().split('id="who-title"')[1]
    assert participant.display_name in names


@pytest.mark.parametrize(
    ("phase", "hint"),
    [
        (Phase.OPENING, "Topics can be posted once the marketplace opens."),
        (Phase.MARKETPLACE, "Post a topic you care about, and sign up for the sessions"),
        (Phase.ROUNDS, "The dialogue rounds are on: you can still sign up."),
        (Phase.VERNISSAGE, "Read the reports, and comment on them."),
        (Phase.ACTION_PLANNING, "Raise an initiative on the action plan, or join one."),
        (Phase.CLOSING, "The action plan is still open"),
    ],
)
def test_a_phone_says_what_can_be_done_in_each_phase_and_follows_it_when_polled(
    participant_client, event, phase, hint, settings
):
    settings.POLL_COALESCE_SECONDS = 0
    Event.objects.filter(pk=event.pk).update(phase=phase)
    event.touch()
    for headers in ({}, {"HX-Request": "true"}):  # the page, and the poll of a phone left open
        page = participant_client.get(url("home", event), headers=headers).content.decode()
        assert page.count('class="agenda__hint"') == 1
        assert hint in page


def test_facilitators_get_no_phase_hint(facilitator_client, event):
    assert 'class="agenda__hint"' not in facilitator_client.get(url("home", event)).content.decode()


def test_a_closed_event_gets_no_phase_hint(participant_client, event, settings):
    settings.POLL_COALESCE_SECONDS = 0
    Event.objects.filter(pk=event.pk).update(phase=Phase.CLOSED)
    event.touch()
    page = participant_client.get(url("home", event)).content.decode()
    assert 'class="agenda__hint"' not in page and "The event is over" in page


def test_merging_two_topics_says_which_went_into_which(facilitator_client, event, rooms, slots):
    kept = TopicFactory(
        event=event, title="Tillit <i>i</i> styrning", room=rooms[0], time_slot=slots[0]
    )
    duplicate = TopicFactory(event=event, title="Tillitsstyrning")
    response = facilitator_client.post(
        url("topic-arrange", event, pk=duplicate.pk),
        {"action": "merge", "other": kept.pk, "next": "topic"},
        follow=True,
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == url("topic", event, pk=kept.pk)
    assert "“Tillitsstyrning” was merged into “Tillit &lt;i&gt;i&lt;/i&gt; styrning”." in page


def _move_option(page: str, topic, code: str) -> str:
    """The value of the "Move to…" menu's option for the cell `code` on a session page."""
    menu = re.search(rf'<select id="move-{topic.pk}" name="cell">(.*?)</select>', page, re.S)
    return re.search(rf'<option value="([^"]*)"[^>]*>{code} ·', menu.group(1)).group(1)


@pytest.mark.parametrize("shown", ["free", "held"])
def test_the_move_menu_moves_nothing_onto_a_cell_someone_else_filled_meanwhile(
    facilitator_client, event, rooms, slots, shown
):
    """The "Move to…" menu is drag and drop without JavaScript: it must not swap away a
    session its page never showed. The facilitator's page showed B1 free (or held by
    "Before"); another facilitator has put "Theirs" there since."""
    mine = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], title="Mine")
    theirs = TopicFactory(event=event, title="Theirs")
    before = None
    if shown == "held":
        before = TopicFactory(event=event, room=rooms[1], time_slot=slots[0], title="Before")
    page = facilitator_client.get(url("topic", event, pk=mine.pk)).content.decode()
    chosen = _move_option(page, mine, "B1")
    # Meanwhile, at another laptop:
    if before is not None:
        facilitator_client.post(
            url("topic-arrange", event, pk=before.pk),
            {"action": "move", "cell": "", "idempotency_key": "b" * 32},
        )
    facilitator_client.post(
        url("topic-arrange", event, pk=theirs.pk),
        {"action": "move", "cell": f"{rooms[1].pk}-{slots[0].pk}", "idempotency_key": "t" * 32},
    )
    response = facilitator_client.post(
        url("topic-arrange", event, pk=mine.pk),
        {"action": "move", "cell": chosen, "next": "topic", "idempotency_key": "m" * 32},
        follow=True,
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.code, theirs.code) == ("A1", "B1")
    page = response.content.decode()
    assert "Someone else has just put “Theirs” in B1. Nothing was moved" in page
    # The page it lands on shows B1 as it is now: choosing it again is a deliberate swap.
    chosen = _move_option(page, mine, "B1")
    facilitator_client.post(
        url("topic-arrange", event, pk=mine.pk),
        {"action": "move", "cell": chosen, "next": "topic", "idempotency_key": "s" * 32},
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.code, theirs.code) == ("B1", "A1")


def test_the_move_menu_moves_into_a_cell_its_page_showed_held_and_now_free(
    facilitator_client, event, rooms, slots
):
    """Nothing is sent away unseen when the session the page showed has left: the move
    simply takes the free cell."""
    mine = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], title="Mine")
    gone = TopicFactory(event=event, room=rooms[1], time_slot=slots[0], title="Gone")
    page = facilitator_client.get(url("topic", event, pk=mine.pk)).content.decode()
    chosen = _move_option(page, mine, "B1")
    facilitator_client.post(
        url("topic-arrange", event, pk=gone.pk),
        {"action": "move", "cell": "", "idempotency_key": "g" * 32},
    )
    facilitator_client.post(
        url("topic-arrange", event, pk=mine.pk),
        {"action": "move", "cell": chosen, "idempotency_key": "m" * 32},
    )
    mine.refresh_from_db()
    gone.refresh_from_db()
    assert (mine.code, gone.is_placed) == ("B1", False)


# -- once the event is closed, the agenda is the documentation's: conveners no longer edit
# or withdraw their topics (a withdrawal took the session and its report out of it and
# deleted its sign-ups); facilitators still may.


def test_once_closed_the_convener_neither_edits_nor_withdraws_a_topic(
    participant_client, event, placed_topic
):
    Event.objects.filter(pk=event.pk).update(phase=Phase.CLOSED)
    SignUpFactory(topic=placed_topic)
    page = participant_client.get(url("topic", event, pk=placed_topic.pk)).content.decode()
    assert url("topic-edit", event, pk=placed_topic.pk) not in page
    assert url("topic-withdraw", event, pk=placed_topic.pk) not in page
    assert "The event is closed: its topics can no longer be changed." in page
    edit = url("topic-edit", event, pk=placed_topic.pk)
    assert participant_client.get(edit)["Location"] == url("topic", event, pk=placed_topic.pk)
    refused = participant_client.post(edit, {"title": "Nytt namn", "description": ""})
    body = refused.content.decode()
    assert refused.status_code == 403
    assert "Nytt namn" in body and "its topics can no longer be changed" in body
    assert '<button type="submit">' not in body
    withdrawn = participant_client.post(
        url("topic-withdraw", event, pk=placed_topic.pk), follow=True
    )
    assert "its topics can no longer be changed" in withdrawn.content.decode()
    placed_topic.refresh_from_db()
    assert placed_topic.title == "Tillit" and placed_topic.withdrawn_at is None
    assert placed_topic.signups.count() == 1


def test_once_closed_a_facilitator_still_edits_a_topic(facilitator_client, event, placed_topic):
    Event.objects.filter(pk=event.pk).update(phase=Phase.CLOSED)
    response = facilitator_client.post(
        url("topic-edit", event, pk=placed_topic.pk),
        {"title": "Rättad titel", "description": "", "co_convener": ""},
    )
    assert response.status_code == 302
    placed_topic.refresh_from_db()
    assert placed_topic.title == "Rättad titel"


def test_control_characters_are_taken_out_of_the_title(participant_client, event):
    """ESC, BEL and DEL in a title showed as empty boxes in the documentation PDF."""
    post_form(participant_client, event, title="Tillit\x1b[31m\x07 i\x7f praktiken")
    assert Topic.objects.get().title == "Tillit[31m i praktiken"


@pytest.mark.parametrize("pk", [2**63, 2**70])
def test_a_session_number_too_large_for_any_key_is_a_404(participant_client, event, pk):
    """The page and the sign-up read the topic with SQL of their own (openspace.prepared),
    and SQLite's driver raised OverflowError on the number: a 500."""
    assert participant_client.get(url("topic", event, pk=pk)).status_code == 404
    for action in ("join", "leave"):
        response = participant_client.post(url("signup", event, pk=pk), {"action": action})
        assert response.status_code == 404
