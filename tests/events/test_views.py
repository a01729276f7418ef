import datetime
import re

import pytest
from django.test import Client
from django.urls import reverse

from events import services
from events.models import Event, FacilitatorInvite, Participant, Phase
from tests.conftest import login_participant
from tests.factories import EventFactory, ParticipantFactory, RoomFactory, TimeSlotFactory

pytestmark = pytest.mark.django_db


def u(name, event=None, **kwargs):
    if event is not None:
        kwargs["slug"] = event.slug
    return reverse(f"events:{name}", kwargs=kwargs)


# -- joining ------------------------------------------------------------------


def test_join_by_code_ignores_case_spaces_and_dashes(client, event):
    messy = f" {event.join_code[:3].lower()}-{event.join_code[3:]} "
    response = client.post(u("join"), {"code": messy})
    assert response.status_code == 302
    assert response["Location"] == u("join-event", event)


def test_a_wrong_code_gets_a_clear_message(client, event):
    response = client.post(u("join"), {"code": "ZZZZZZ"})
    assert response.status_code == 200
    assert (
        "No event has that code" in response.content.decode() or "kod" in response.content.decode()
    )


def test_repeated_guessing_is_rate_limited(client, event, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "join-code": {"ip": (10, 600)}}
    for _ in range(10):
        client.post(u("join"), {"code": "WRONG1"})
    response = client.post(u("join"), {"code": event.join_code})
    assert response.status_code == 429


def test_joining_sets_the_cookie_and_goes_to_the_agenda(client, event):
    response = client.post(u("join-event", event), {"name": "Anna", "organisation": "Kommunen"})
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:home", kwargs={"slug": event.slug})
    assert client.get(reverse("agenda:home", kwargs={"slug": event.slug})).status_code == 200


def test_joining_twice_from_one_browser_makes_one_participant(client, event):
    client.post(u("join-event", event), {"name": "Anna"})
    client.post(u("join-event", event), {"name": "Anna"})
    assert Participant.objects.filter(event=event).count() == 1


def test_next_must_be_local(client, event):
    response = client.post(u("join-event", event) + "?next=https://evil.example/", {"name": "Anna"})
    assert response["Location"] == reverse("agenda:home", kwargs={"slug": event.slug})


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "name"),
        ("   ", "name"),
        ("\u200b\u200d\ufeff", "name"),  # zero-width characters: nothing shows
        ("\x07\x1b\x7f", "name"),  # control characters only
        ("x" * 10_000, "80"),
    ],
)
def test_bad_names_are_refused_and_the_organisation_kept(client, event, name, message):
    response = client.post(u("join-event", event), {"name": name, "organisation": "Region Ö"})
    assert response.status_code == 200
    assert not Participant.objects.exists()
    assert "Region Ö" in response.content.decode()


def test_html_in_a_name_is_escaped_everywhere(client, event, facilitator):
    client.post(
        u("join-event", event), {"name": "<script>alert(1)</script>", "organisation": "<b>x</b>"}
    )
    page = client.get(u("me", event)).content.decode()
    assert "<script>alert(1)</script>" not in page
    client.force_login(facilitator)
    page = client.get(u("facilitate", event)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


def test_a_direction_override_in_a_name_is_not_kept(client, event):
    """Typed into a name, U+202E turned around what follows the name in a line (a
    comment's time 18:13 read 31:81)."""
    client.post(u("join-event", event), {"name": "Bo\u202e Berg", "organisation": "\u2067Region"})
    person = Participant.objects.get(event=event)
    assert (person.name, person.organisation) == ("Bo Berg", "Region")
    client.post(u("me", event), {"name": "\u202eBo", "organisation": ""})
    person.refresh_from_db()
    assert person.name == "Bo"


def test_joining_a_closed_event_shows_a_message_and_no_form(client, event):
    event.phase = Phase.CLOSED
    event.save()
    response = client.post(u("join-event", event), {"name": "Anna"})
    assert response.status_code == 200
    assert not Participant.objects.exists()
    assert "<form" not in response.content.decode().split('id="main"')[1]


def test_the_name_form_tells_who_joined_before_to_use_their_personal_link(client, event):
    """A phone that lost its cookie would otherwise make a second participant, without
    the topics of the first: the way back is the personal link on the "Me" page."""
    Event.objects.filter(pk=event.pk).update(language="sv")
    page = client.get(u("join-event", event)).content.decode()
    assert "Har du redan gått med? Öppna i stället din personliga länk" in page
    assert "(under ”Mina uppgifter” på den enhet du gick med från)" in page


def _key_and_token(page):
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return key, token


def test_the_join_pages_come_from_frames_with_each_visitors_key_and_token(event):
    """The code page and the name page are rendered once and then filled in: every
    visitor still gets a key and a CSRF token of their own, and joins with them."""
    pages = []
    for _ in range(2):
        visitor = Client(enforce_csrf_checks=True)
        code_page = visitor.get(u("join")).content.decode()
        code_token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', code_page)[1]
        response = visitor.post(
            u("join"), {"code": event.join_code, "csrfmiddlewaretoken": code_token}
        )
        assert response["Location"] == u("join-event", event)
        page = visitor.get(u("join-event", event)).content.decode()
        key, token = _key_and_token(page)
        response = visitor.post(
            u("join-event", event),
            {"name": "Anna", "idempotency_key": key, "csrfmiddlewaretoken": token},
        )
        assert response.status_code == 302
        pages.append((code_token, key, token))
    assert len({value for values in pages for value in values}) == 6
    assert Participant.objects.filter(event=event).count() == 2


def test_the_name_page_shows_a_change_of_the_event_at_once(client, event):
    client.get(u("join-event", event))
    event.title = "Ny titel <b>"
    event.save()  # no version bump needed: the frame is kept by the event's own values
    page = client.get(u("join-event", event)).content.decode()
    assert "Ny titel &lt;b&gt;" in page


def test_resume_link_continues_on_another_device(client, participant, event):
    response = client.get(participant.get_resume_url())
    assert response.status_code == 302
    assert client.get(u("me", event)).status_code == 200


def test_a_bad_resume_link_asks_to_join(client, event):
    response = client.get(u("resume", event, token="nope"))
    assert response["Location"] == u("join-event", event)


def test_participants_change_their_name(participant_client, participant, event):
    participant_client.post(u("me", event), {"name": "Anna B", "organisation": ""})
    participant.refresh_from_db()
    assert participant.name == "Anna B"


def test_forgetting_the_device(participant_client, event):
    participant_client.post(u("me", event), {"action": "forget"})
    assert (
        participant_client.get(reverse("agenda:home", kwargs={"slug": event.slug})).status_code
        == 302
    )


def test_a_removed_participant_is_out(client, participant, event, facilitator):
    login_participant(client, participant)
    facilitator_client = client.__class__()
    facilitator_client.force_login(facilitator)
    facilitator_client.post(u("participant-remove", event, pk=participant.pk))
    assert client.get(reverse("agenda:home", kwargs={"slug": event.slug})).status_code == 302


def test_qr_code_is_an_svg_of_the_join_link(client, event):
    response = client.get(u("qr", event))
    assert response["Content-Type"] == "image/svg+xml"
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content


# -- facilitators ---------------------------------------------------------------


FACILITATOR_GETS = ["facilitate", "event-duplicate", "poster"]


@pytest.mark.parametrize("name", FACILITATOR_GETS)
def test_facilitator_pages_permission_matrix(
    client, event, participant, other_facilitator, facilitator, name
):
    path = u(name, event)
    assert client.get(path).status_code == 302  # anonymous -> login
    login_participant(client, participant)
    assert client.get(path).status_code in (302, 403)  # a participant is no facilitator
    client.cookies.clear()
    client.force_login(other_facilitator)
    assert client.get(path).status_code == 403
    client.force_login(facilitator)
    assert client.get(path).status_code == 200
    assert client.get(u(name, EventFactory.build(slug="nope"))).status_code == 404


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("event-phase", {"phase": "rounds"}),
        ("room-add", {"room-name": "Nytt rum"}),
        ("slot-add", {"slot-label": "Pass 9", "slot-starts_at": "20:00", "slot-ends_at": "21:00"}),
        ("invite-create", {}),
    ],
)
def test_a_facilitator_of_another_event_cannot_change_it(
    client, event, other_facilitator, name, data
):
    client.force_login(other_facilitator)
    assert client.post(u(name, event), data).status_code == 403
    event.refresh_from_db()
    assert event.phase == Phase.MARKETPLACE
    assert event.rooms.count() == 0 and event.time_slots.count() == 0


def test_wrong_method_is_refused(facilitator_client, event):
    assert facilitator_client.get(u("event-phase", event)).status_code == 405
    assert facilitator_client.get(u("room-add", event)).status_code == 405


def test_create_event_in_the_browser(facilitator_client):
    response = facilitator_client.post(
        u("event-new"),
        {
            "title": "Nätverksträff 5",
            "slug": "",
            "theme_question": "Hur?",
            "date": "2027-02-01",
            "start_time": "09:00",
            "end_time": "12:00",
            "language": "da",
            "principles": "",
            "participant_visibility": "names",
            "venue": "",
            "purpose": "",
            "description": "",
        },
    )
    event = Event.objects.get(title="Nätverksträff 5")
    assert response["Location"] == u("facilitate", event)
    assert event.slug.startswith("natverkstraff-5")
    # Pre-filled in the chosen language (the text itself comes from the translations).
    assert event.principles == services.default_principles("da")
    assert "two feet" in services.default_principles("en")


def _new_event_data(**changes):
    data = {
        "title": "Fremtidens ældrepleje i Esbjerg Kommune",
        "date": "2027-02-01",
        "start_time": "09:00",
        "end_time": "15:30",
        "language": "da",
        "participant_visibility": "names",
    }
    return data | changes


def test_an_address_made_from_a_danish_title_spells_out_ae_and_oe(facilitator_client):
    facilitator_client.post(u("event-new"), _new_event_data(title="Ældre og søvn på Ærø"))
    assert Event.objects.get().slug == "aeldre-og-soevn-pa-aeroe"


def test_a_typed_address_with_spaces_or_nordic_letters_says_what_an_address_may_hold(
    facilitator_client,
):
    response = facilitator_client.post(u("event-new"), _new_event_data(slug="Ældrepleje 2027"))
    body = response.content.decode()
    assert response.status_code == 200
    assert not Event.objects.exists()
    assert "Use only the letters a–z, digits and hyphens" in body
    assert "“slug”" not in body
    assert 'value="Ældrepleje 2027"' in body


@pytest.mark.parametrize("title", ["", "x" * 500])
def test_bad_titles_are_refused_and_everything_typed_is_kept(facilitator_client, title):
    response = facilitator_client.post(
        u("event-new"),
        {
            "title": title,
            "theme_question": "Min temafråga",
            "date": "2027-02-01",
            "start_time": "09:00",
            "end_time": "12:00",
            "language": "sv",
            "participant_visibility": "names",
        },
    )
    assert response.status_code == 200
    assert not Event.objects.exists()
    assert "Min temafråga" in response.content.decode()


def test_event_must_end_after_it_starts(facilitator_client):
    response = facilitator_client.post(
        u("event-new"),
        {
            "title": "X",
            "date": "2027-02-01",
            "start_time": "12:00",
            "end_time": "09:00",
            "language": "sv",
            "participant_visibility": "names",
        },
    )
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_add_room_with_htmx_returns_the_rooms_section(facilitator_client, event):
    response = facilitator_client.post(
        u("room-add", event),
        {"room-name": "Biblioteket", "room-capacity": "20"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="rooms"' in body and "<html" not in body
    assert event.rooms.get().capacity == 20


def test_duplicate_room_name_error_keeps_the_typed_text(facilitator_client, event):
    RoomFactory(event=event, name="Biblioteket", code="A")
    response = facilitator_client.post(
        u("room-add", event), {"room-name": "biblioteket", "room-location_hint": "Plan 3"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Plan 3" in body
    assert event.rooms.count() == 1


def test_overlapping_slot_error_is_shown(facilitator_client, event):
    TimeSlotFactory(
        event=event,
        number=1,
        label="Pass 1",
        starts_at=datetime.time(13),
        ends_at=datetime.time(14),
    )
    response = facilitator_client.post(
        u("slot-add", event),
        {"slot-label": "Pass 2", "slot-starts_at": "13:30", "slot-ends_at": "14:30"},
    )
    assert response.status_code == 200
    assert event.time_slots.count() == 1
    assert "Pass 1" in response.content.decode()


def test_slot_that_ends_before_it_starts_is_refused(facilitator_client, event):
    response = facilitator_client.post(
        u("slot-add", event),
        {"slot-label": "Pass 2", "slot-starts_at": "14:30", "slot-ends_at": "13:30"},
    )
    assert response.status_code == 200
    assert event.time_slots.count() == 0


def test_a_slot_outside_the_events_hours_is_saved_with_a_warning_beside_it(
    facilitator_client, event
):
    """An evening session after the programme is allowed; 20:00 for 10:00 is a typo."""
    for label, start, end in (("Pass 1", "10:00", "11:00"), ("Pass 2", "20:00", "21:00")):
        facilitator_client.post(
            u("slot-add", event),
            {"slot-label": label, "slot-starts_at": start, "slot-ends_at": end},
        )
    assert event.time_slots.count() == 2
    page = facilitator_client.get(u("facilitate", event)).content.decode()
    rows = re.findall(r'<li class="setup-row">.*?</li>', page, re.S)
    warned = [row for row in rows if "outside the event's hours (09:00–16:00)" in row]
    assert len(warned) == 1 and 'value="Pass 2"' in warned[0]


def test_invitation_makes_a_co_facilitator(facilitator_client, event, other_facilitator, client):
    facilitator_client.post(u("invite-create", event))
    invite = FacilitatorInvite.objects.get()
    other = client.__class__()
    other.force_login(other_facilitator)
    other.post(u("invite-accept", token=invite.token))
    assert event.facilitators.filter(pk=other_facilitator.pk).exists()
    third = client.__class__()
    from tests.factories import UserFactory

    third.force_login(UserFactory(username="third"))
    assert third.post(u("invite-accept", token=invite.token)).status_code == 302
    assert not event.facilitators.filter(username="third").exists()


def test_dashboard_query_count_does_not_grow(client, facilitator, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(facilitator)
    EventFactory(facilitators=[facilitator])
    with CaptureQueriesContext(connection) as small:
        client.get(u("dashboard"))
    for _ in range(5):
        e = EventFactory(facilitators=[facilitator])
        ParticipantFactory(event=e)
    with django_assert_num_queries(len(small.captured_queries)):
        client.get(u("dashboard"))


def test_setup_page_query_count_does_not_grow(facilitator_client, event, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    RoomFactory(event=event, code="A")
    facilitator_client.get(u("facilitate", event))  # warm the event-language cache
    with CaptureQueriesContext(connection) as small:
        facilitator_client.get(u("facilitate", event))
    for code in "BCDE":
        RoomFactory(event=event, code=code)
        ParticipantFactory(event=event)
    with django_assert_num_queries(len(small.captured_queries)):
        facilitator_client.get(u("facilitate", event))


def test_a_bad_details_form_over_htmx_shows_its_errors_in_the_fragment(facilitator_client, event):
    # htmx 2 does not swap 4xx answers: the errors must come back as a 200 fragment.
    response = facilitator_client.post(
        u("event-details", event),
        {"title": "", "venue": "Stadshuset", "date": "2027-01-01", "start_time": "09:00"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="details"' in body and "<html" not in body
    assert "field--error" in body and "Stadshuset" in body
    event.refresh_from_db()
    assert event.title != ""


def test_help_texts_render_as_text_not_tags(facilitator_client, event):
    for response in (
        facilitator_client.get(u("event-new")),
        facilitator_client.get(u("facilitate", event)),
    ):
        assert "<address>" not in response.content.decode()


def test_poster_shows_the_short_join_address_and_the_code(facilitator_client, event):
    body = facilitator_client.get(u("poster", event)).content.decode()
    assert "testserver/join/" in body and "http://testserver/join/" not in body
    assert event.join_code in body


def test_the_new_event_form_is_pre_filled_with_the_principles(facilitator_client):
    from django.utils.html import escape

    body = facilitator_client.get(u("event-new"), HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert escape(services.default_principles("da")) in body  # the textarea's text
    for code in ("sv", "da", "nb", "en"):  # every language, for static/js/events.js
        assert f"data-default-{code}=" in body


def _details_data(event, **changes):
    from events.forms import EventForm

    form = EventForm(instance=event)
    data = {name: form[name].value() for name in form.fields}
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def test_a_new_address_loads_the_setup_page_there_and_warns_about_printed_links(
    facilitator_client, event
):
    response = facilitator_client.post(
        u("event-details", event),
        _details_data(event, slug="ny-adress"),
        headers={"HX-Request": "true"},
    )
    # Every form on the open page posts to the old address: htmx loads the new one.
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/e/ny-adress/facilitate/"
    event.refresh_from_db()
    assert event.slug == "ny-adress"
    page = facilitator_client.get(response["HX-Redirect"]).content.decode()
    assert "/e/ny-adress/" in page and "print the poster again" in page
    assert facilitator_client.get("/e/natverk/").status_code == 404


def test_saving_the_details_with_the_same_address_stays_in_place(facilitator_client, event):
    response = facilitator_client.post(
        u("event-details", event),
        _details_data(event, venue="Rådhuset"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200 and "HX-Redirect" not in response
    event.refresh_from_db()
    assert event.venue == "Rådhuset"


@pytest.mark.parametrize(("capacity", "ok"), [("40", True), ("10000", True), ("99999", False)])
def test_a_rooms_capacity_past_any_venues_is_refused_as_a_typo(capacity, ok):
    from events.forms import RoomForm

    form = RoomForm({"name": "Rum A", "location_hint": "", "capacity": capacity})
    assert form.is_valid() is ok
    if not ok:
        assert "10000" in str(form.errors["capacity"])


@pytest.mark.parametrize("capacity", ["0", "-3"])
def test_a_room_for_no_one_is_refused_in_words_not_by_the_databases_constraint(
    facilitator_client, event, capacity
):
    response = facilitator_client.post(
        u("room-add", event), {"room-name": "Kantinen", "room-capacity": capacity}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "leave the field empty for no limit" in body
    assert "room_capacity_positive" not in body
    assert 'value="Kantinen"' in body
    assert not event.rooms.exists()


def test_a_date_that_has_passed_is_saved_with_a_warning_only_when_it_is_set(
    facilitator_client, event
):
    url = u("event-details", event)
    past = _details_data(event, date="2020-01-01")
    page = facilitator_client.post(url, past, follow=True).content.decode()
    event.refresh_from_db()
    assert str(event.date) == "2020-01-01"
    assert "has already passed" in page
    # Saving something else later (documenting afterwards) does not warn again.
    again = facilitator_client.post(url, _details_data(event, venue="Rådhuset"), follow=True)
    assert "has already passed" not in again.content.decode()


# -- run sheet ----------------------------------------------------------------


def test_a_lunch_goes_on_the_run_sheet_without_a_phase(facilitator_client, event):
    """ "Lunch 12:00–12:45" is on the programme but in no phase of the day."""
    response = facilitator_client.post(
        u("run-sheet-add", event),
        {
            "item-phase": "",
            "item-label": "Lunch",
            "item-starts_at": "12:00",
            "item-ends_at": "12:45",
        },
        follow=True,
    )
    assert response.status_code == 200
    item = event.run_sheet.get()
    assert (item.phase, item.label, item.display_label) == ("", "Lunch", "Lunch")
    page = facilitator_client.get(u("facilitate", event)).content.decode()
    assert re.search(r"12:00–12:45</td><td>\s*Lunch\s*</td>", page)


def test_a_run_sheet_item_needs_a_phase_or_a_label(facilitator_client, event):
    response = facilitator_client.post(
        u("run-sheet-add", event),
        {"item-phase": "", "item-label": " ", "item-starts_at": "12:00", "item-ends_at": "12:45"},
        headers={"HX-Request": "true"},
    )
    assert "Give the item a label, or choose its phase." in response.content.decode()
    assert not event.run_sheet.exists()


def test_the_run_sheet_shows_a_labelled_phase_with_its_phase(facilitator_client, event):
    for phase, label, start, end in [
        (Phase.MARKETPLACE, "Vi skapar agendan", "10:00", "10:30"),
        (Phase.ROUNDS, "", "10:30", "12:00"),
        ("", "Lunch", "12:00", "12:45"),
    ]:
        facilitator_client.post(
            u("run-sheet-add", event),
            {
                "item-phase": phase,
                "item-label": label,
                "item-starts_at": start,
                "item-ends_at": end,
            },
        )
    page = facilitator_client.get(u("facilitate", event)).content.decode()
    rows = re.findall(r"<tr><td class=\"nowrap\">(.*?)</tr>", page, re.S)
    text = [re.sub(r"<[^>]+>|\s+", " ", row).split("Change")[0].split() for row in rows]
    assert [" ".join(words) for words in text] == [
        "10:00–10:30 Vi skapar agendan · Marketplace",
        "10:30–12:00 Dialogue rounds",
        "12:00–12:45 Lunch",
    ]


def _lunch(event):
    from events.models import RunSheetItem

    return RunSheetItem.objects.create(
        event=event, label="Lunch", starts_at=datetime.time(12, 0), ends_at=datetime.time(12, 45)
    )


def _item_form(item, **values) -> dict:
    """The fields of an item's edit form as drawn, with `values` typed over them."""
    from events.forms import RunSheetItemForm

    form = RunSheetItemForm(instance=item, prefix=f"item-{item.pk}")
    data = {form.add_prefix("base"): form.initial["base"]}
    fields = {"phase": item.phase, "label": item.label, "starts_at": "12:00", "ends_at": "12:45"}
    fields.update(values)
    data.update({form.add_prefix(name): value for name, value in fields.items()})
    return data


def test_a_run_sheet_item_is_changed_in_place(facilitator_client, event):
    """Lunch moved by a quarter: changed, not removed and added again."""
    item = _lunch(event)
    version = Event.objects.get(pk=event.pk).version
    page = facilitator_client.get(u("facilitate", event)).content.decode()
    change = u("facilitate", event) + f"?edit-item={item.pk}"
    assert f"?edit-item={item.pk}" in page
    fragment = facilitator_client.get(change, headers={"HX-Request": "true"}).content.decode()
    assert fragment.lstrip().startswith('<section id="run-sheet"')
    assert f'name="item-{item.pk}-starts_at"' in fragment and "autofocus" in fragment

    response = facilitator_client.post(
        u("run-sheet-edit", event, pk=item.pk),
        _item_form(item, label="Lunch i matsalen", starts_at="12:15", ends_at="13:00"),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.label, item.starts_at, item.ends_at) == (
        "Lunch i matsalen",
        datetime.time(12, 15),
        datetime.time(13, 0),
    )
    assert Event.objects.get(pk=event.pk).version > version  # the wall shows it


def test_a_refused_change_of_a_run_sheet_item_keeps_what_was_typed(facilitator_client, event):
    item = _lunch(event)
    response = facilitator_client.post(
        u("run-sheet-edit", event, pk=item.pk),
        _item_form(item, label="Sen lunch", starts_at="13:00", ends_at="12:30"),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "An item of the run sheet must end after it starts." in body
    assert 'value="Sen lunch"' in body
    item.refresh_from_db()
    assert (item.label, item.starts_at) == ("Lunch", datetime.time(12, 0))


def test_two_facilitators_changing_one_run_sheet_item_overwrite_nothing_unseen(
    facilitator_client, event
):
    item = _lunch(event)
    drawn = _item_form(item, starts_at="12:30", ends_at="13:15")
    services.update_run_sheet_item(
        item=item, phase="", label="Lunch ute", starts_at=item.starts_at, ends_at=item.ends_at
    )
    response = facilitator_client.post(u("run-sheet-edit", event, pk=item.pk), drawn)
    body = response.content.decode()
    assert "Someone else saved this while you were editing it." in body
    assert "Lunch ute" in body and 'value="12:30"' in body
    item.refresh_from_db()
    assert (item.label, item.starts_at) == ("Lunch ute", datetime.time(12, 0))


def test_a_run_sheet_item_of_another_event_is_not_found(facilitator_client, event):
    other = _lunch(EventFactory())
    response = facilitator_client.post(
        u("run-sheet-edit", event, pk=other.pk), _item_form(other, label="X")
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.label == "Lunch"


def test_control_and_direction_characters_leave_the_setup_texts(facilitator_client, event):
    """A slot labelled with ESC or BEL showed as empty boxes in the documentation PDF; a
    room's place with U+202E turned the grid's text after it around."""
    facilitator_client.post(
        u("slot-add", event),
        {"slot-label": "Pass\x1b[1m 1\x07", "slot-starts_at": "13:00", "slot-ends_at": "14:00"},
    )
    facilitator_client.post(
        u("room-add", event), {"room-name": "Sal A", "room-location_hint": "Plan 2\u202e\x7f"}
    )
    assert event.time_slots.get().label == "Pass[1m 1"
    assert event.rooms.get().location_hint == "Plan 2"


@pytest.mark.parametrize("title", ["\u200b\u2060", "\x07\x1b"])
def test_a_duplicate_needs_a_title_that_shows(facilitator_client, event, title):
    response = facilitator_client.post(
        u("event-duplicate", event), {"title": title, "date": "2027-01-01"}
    )
    assert response.status_code == 200
    assert Event.objects.count() == 1
    assert "Give the event a title." in response.content.decode()


def test_the_run_sheet_names_an_items_phase_once(facilitator_client, event):
    """ "Avslutningscirkel · Avslutningscirkel": an item labelled with its phase's own name
    showed the name twice; a label of its own still shows the phase beside it."""
    from events.models import RunSheetItem

    RunSheetItem.objects.create(
        event=event,
        phase=Phase.CLOSING,
        label="Closing circle",
        starts_at=datetime.time(15, 5),
        ends_at=datetime.time(15, 30),
    )
    RunSheetItem.objects.create(
        event=event,
        phase=Phase.ACTION_PLANNING,
        label="Handlingsplan",
        starts_at=datetime.time(14, 30),
        ends_at=datetime.time(15, 5),
    )

    page = facilitator_client.get(u("facilitate", event)).content.decode()

    sheet = page[page.index('id="run-sheet"') :]
    assert "15:05–15:30</td><td>Closing circle</td>" in sheet
    assert "· Closing circle" not in sheet
    assert 'Handlingsplan <span class="muted">· Action planning</span>' in sheet


@pytest.mark.parametrize(
    ("phase", "path"),
    [
        (Phase.PREPARATION, "wall/"),
        (Phase.OPENING, "wall/"),
        (Phase.MARKETPLACE, "wall/"),
        (Phase.ROUNDS, "wall/"),
        (Phase.VERNISSAGE, "wall/reports/"),
        (Phase.ACTION_PLANNING, "wall/actions/"),
        (Phase.CLOSING, "wall/actions/"),
        (Phase.CLOSED, "wall/"),
    ],
)
def test_the_phase_section_links_the_projector_view_of_the_phase(
    facilitator_client, event, phase, path
):
    event.phase = phase
    event.save(update_fields=["phase"])
    page = facilitator_client.get(u("facilitate", event)).content.decode()
    hint = page[page.index('<p class="phase-wall">') :]
    hint = hint[: hint.index("</p>")]
    assert f'href="/e/{event.slug}/{path}"' in hint
