"""The marketplace in browsers: phones post and sign up, the wall follows; facilitators move."""

import datetime
import math
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agenda.models import SignUp, Topic
from agenda.services import post_topic
from tests.agenda.conftest import build_grid
from tests.conftest import PHONE, PROJECTOR
from tests.factories import ParticipantFactory, TimeSlotFactory, TopicFactory

from .helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    facilitator_context,
    participant_context,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_three_phones_post_and_sign_up_while_the_wall_follows(
    browser, live_server, event, facilitator
):
    rooms, slots = build_grid(event, rooms=3, rounds=2)
    wall = facilitator_context(browser, live_server, facilitator, viewport=PROJECTOR).new_page()
    wall.goto(f"{live_server.url}/e/{event.slug}/wall/")
    assert_no_axe_violations(wall)

    phones = []
    for index, name in enumerate(["Anna", "Bo", "Cecilia"]):
        person = ParticipantFactory(event=event, name=name)
        page = participant_context(browser, live_server, person, viewport=PHONE).new_page()
        page.goto(f"{live_server.url}/e/{event.slug}/sessions/new/")
        if index == 0:
            assert_no_axe_violations(page)
            assert_no_horizontal_scroll(page)
        page.locator("#id_title").fill(f"Ämne från {name} 🎉")
        page.locator("#id_cell").select_option(f"{rooms[index].pk}-{slots[0].pk}")
        page.locator("form.topic-form button[type=submit]").click()
        expect(page.locator("h1")).to_have_text(f"Ämne från {name} 🎉")
        phones.append(page)
        # The wall shows it within two seconds, without a reload.
        expect(wall.locator(".wall__grid")).to_contain_text(f"Ämne från {name}", timeout=4000)

    # Each phone signs up for the next person's topic from the agenda list.
    topics = list(Topic.objects.order_by("pk"))
    for index, page in enumerate(phones):
        target = topics[(index + 1) % 3]
        page.goto(f"{live_server.url}/e/{event.slug}/")
        page.locator(f"#signup-{target.pk}").click()
        expect(page.locator(f"[data-topic='{target.pk}'] .badge--ok")).to_be_visible()
    # The answer's form has no CSRF field of its own (htmx sends the page's token in a
    # header): "Leave" and "Sign up" again work from it.
    target, badge = topics[1], f"[data-topic='{topics[1].pk}'] .badge--ok"
    phones[0].locator(f"#signup-{target.pk}").click()
    expect(phones[0].locator(badge)).to_have_count(0)
    phones[0].locator(f"#signup-{target.pk}").click()
    expect(phones[0].locator(badge)).to_be_visible()
    assert SignUp.objects.count() == 3
    assert_no_axe_violations(phones[0])
    assert_no_horizontal_scroll(phones[0])
    shoot(phones[0], "agenda-phone")
    expect(wall.locator(".wall__count").first).to_have_text("1", timeout=4000)
    shoot(wall, "wall-projector")


def test_facilitator_moves_a_topic_by_keyboard_and_by_drag(
    browser, live_server, event, facilitator
):
    rooms, slots = build_grid(event, rooms=2, rounds=2)
    topic = TopicFactory(event=event, title="Flytta mig", room=rooms[0], time_slot=slots[0])
    page = facilitator_context(browser, live_server, facilitator).new_page()

    # Keyboard: the "Move to…" menu on the session page.
    page.goto(f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/")
    assert_no_axe_violations(page)
    # While the page is open, another facilitator puts a session in B2, which it shows
    # free: choosing B2 moves nothing and says why, rather than swap theirs away unseen.
    theirs = TopicFactory(event=event, title="Deras", room=rooms[1], time_slot=slots[1])
    select = page.locator(f"#move-{topic.pk}")
    select.focus()
    select.select_option(label="B2 · Rum 1, Pass 2 — free")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text(
        "Someone else has just put “Deras” in B2. Nothing was moved"
    )
    expect(page.locator(".code--big")).to_have_text("A1")
    shoot(page, "move-menu-stale-cell")
    theirs.delete()

    page.reload()
    select.focus()
    select.select_option(label="B2 · Rum 1, Pass 2 — free")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".code--big")).to_have_text("B2")
    topic.refresh_from_db()
    assert topic.code == "B2"

    # Drag: from B2 to the empty A1 cell of the grid.
    page.goto(f"{live_server.url}/e/{event.slug}/")
    page.wait_for_function("window.Sortable !== undefined")
    source = page.locator(f"[data-topic='{topic.pk}']")
    target = page.locator(f"li[data-cell='{rooms[0].pk}-{slots[0].pk}']")
    with page.expect_navigation():  # the page reloads with the new grid after the move
        source.drag_to(target)
    expect(
        page.locator(f"li[data-cell='{rooms[0].pk}-{slots[0].pk}'] [data-topic='{topic.pk}']")
    ).to_be_visible(timeout=5000)
    topic.refresh_from_db()
    assert topic.code == "A1"
    assert_no_axe_violations(page)
    shoot(page, "agenda-facilitator")


def test_two_facilitators_drag_topics_without_a_place_into_the_grid(
    browser, live_server, event, facilitator
):
    """Placing the marketplace's new topics is dragging them from the list below the grid
    into a free cell. A second facilitator whose page does not show that yet, dropping
    another topic on the same cell, moves nothing and is told why: neither drop is lost."""
    from events.models import Event
    from tests.factories import UserFactory

    rooms, slots = build_grid(event, rooms=2, rounds=1)
    first = TopicFactory(event=event, title="Först på plats")
    second = TopicFactory(event=event, title="Också hit")
    colleague = UserFactory(username="colleague")
    Event.objects.get(pk=event.pk).facilitators.add(colleague)
    cell = f"li[data-cell='{rooms[0].pk}-{slots[0].pk}']"
    pages = []
    for user in (facilitator, colleague):
        page = facilitator_context(browser, live_server, user).new_page()
        page.goto(f"{live_server.url}/e/{event.slug}/")
        page.wait_for_function("window.Sortable !== undefined")
        pages.append(page)
    # The colleague's page keeps what it showed: its polls are held back.
    pages[1].route(
        re.compile(r".*/e/[^/]+/(\?.*)?$"),
        lambda route: (
            route.abort() if route.request.headers.get("hx-request") else route.continue_()
        ),
    )

    with pages[0].expect_navigation():
        pages[0].locator(f"[data-topic='{first.pk}']").drag_to(pages[0].locator(cell))
    expect(pages[0].locator(f"{cell} [data-topic='{first.pk}']")).to_be_visible()
    first.refresh_from_db()
    assert first.code == "A1"

    expect(pages[1].locator(f"{cell}.cell--empty")).to_be_visible()  # as it was
    with pages[1].expect_navigation():
        pages[1].locator(f"[data-topic='{second.pk}']").drag_to(pages[1].locator(cell))
    expect(pages[1].locator(".message--error")).to_contain_text(
        "Someone else has just put “Först på plats” in A1. Nothing was moved"
    )
    expect(pages[1].locator(f"{cell} [data-topic='{first.pk}']")).to_be_visible()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.code, second.is_placed) == ("A1", False)
    shoot(pages[1], "agenda-drop-on-a-cell-filled-meanwhile")


def test_own_marks_full_rooms_and_the_unplaced_on_a_phone_and_a_laptop(
    browser, live_server, event, facilitator
):
    from tests.conftest import LAPTOP
    from tests.factories import SignUpFactory

    rooms, slots = build_grid(event, rooms=4, rounds=3)
    rooms[0].capacity = 1
    rooms[0].save()
    me, other = ParticipantFactory(event=event, name="Anna"), ParticipantFactory(event=event)
    topics = {
        (r, s): TopicFactory(
            event=event, room=rooms[r], time_slot=slots[s], title=f"Ämne {rooms[r].code}{s + 1}"
        )
        for r in range(4)
        for s in range(3)
        if (r, s) != (3, 2)  # one free cell
    }
    TopicFactory(event=event, title="Väntar på en plats", convener=me)
    SignUpFactory(topic=topics[0, 0], participant=other)  # A1 is full now
    SignUpFactory(topic=topics[0, 0], participant=me, waiting=True)
    SignUpFactory(topic=topics[1, 0], participant=me)  # a clash with A1
    SignUpFactory(topic=topics[2, 1], participant=me)
    topics[1, 1].locked = True
    topics[1, 1].save()
    event.touch()
    for viewport, name in ((PHONE, "phone"), (LAPTOP, "laptop")):
        page = participant_context(browser, live_server, me, viewport=viewport).new_page()
        page.goto(f"{live_server.url}/e/{event.slug}/")
        expect(page.locator(".session--mine")).to_have_count(3)
        expect(page.locator(".session__clash")).to_have_count(2)
        expect(page.locator(f"[data-topic='{topics[0, 0].pk}'] .badge--warn")).to_be_visible()
        expect(page.locator(f"[data-topic='{topics[1, 1].pk}'] .badge")).to_have_count(0)
        assert_no_axe_violations(page)
        assert_no_horizontal_scroll(page)
        shoot(page, f"agenda-own-{name}")
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    expect(page.locator(f"[data-topic='{topics[1, 1].pk}'] .badge")).to_have_count(1)
    expect(page.locator(".session--mine")).to_have_count(0)
    shoot(page, "agenda-own-facilitator")


def test_the_round_on_now_is_readable_on_the_wall(browser, live_server, event, facilitator):
    now = timezone.localtime()
    event.date = now.date()
    event.save(update_fields=["date"])
    rooms, _slots = build_grid(event, rooms=2, rounds=0)
    slot = TimeSlotFactory(
        event=event,
        number=1,
        label="Pass 1",
        starts_at=datetime.time(0),
        ends_at=datetime.time(23, 59, 59),  # on now, whenever the test runs
    )
    TopicFactory(event=event, title="Pågår nu", room=rooms[0], time_slot=slot)
    event.touch()

    # A projector computer on another clock than the event's (Europe/Stockholm).
    wall = facilitator_context(
        browser, live_server, facilitator, viewport=PROJECTOR, timezone_id="America/New_York"
    ).new_page()
    wall.goto(f"{live_server.url}/e/{event.slug}/wall/")

    expect(wall.locator(".wall__grid tr.round--now")).to_contain_text("Pågår nu")
    expect(wall.locator(".wall__phase")).to_contain_text("Pass 1 · ")
    # The countdown counts to the end in the event's time zone, not the browser's.
    ends = timezone.make_aware(datetime.datetime.combine(event.date, slot.ends_at))
    left = math.ceil((ends - timezone.now()).total_seconds() / 60)
    expect(wall.locator(".wall__countdown")).to_contain_text("min left")
    # Read a moment before or after `left` was worked out: a minute may turn between.
    assert int(wall.locator(".wall__countdown").inner_text().split()[0]) in range(
        left - 1, left + 2
    )
    shoot(wall, "wall-projector-round-now")
    assert_no_axe_violations(wall)  # light text on the agenda's light "now" colour failed here


def test_a_big_marketplace_fits_the_projector_a_page_at_a_time(
    browser, live_server, event, facilitator
):
    """20 rooms x 6 rounds: a row per room (20 columns broke every word), and as many
    rooms as fit on the screen, the page turning every 15 seconds."""
    rooms, slots = build_grid(event, rooms=20, rounds=6)
    convener = ParticipantFactory(event=event, name="Anna Lindqvist")
    for slot in slots:
        for room in rooms:
            TopicFactory(
                event=event,
                room=room,
                time_slot=slot,
                convener=convener,
                title=f"Samverkan kring barn som far illa, {room.code}{slot.number}",
            )
    event.touch()
    wall = facilitator_context(browser, live_server, facilitator, viewport=PROJECTOR).new_page()
    wall.clock.install()
    wall.goto(f"{live_server.url}/e/{event.slug}/wall/")
    expect(wall.locator(".wall__grid--rooms-down thead th")).to_have_count(7)  # + the corner
    label = wall.locator("[data-wall-page]")
    expect(label).to_have_text(re.compile(r"^Page 1 of [2-9]$"))
    pages = int(label.inner_text().rsplit(" ", 1)[1])
    seen = []
    for page in range(1, pages + 1):
        expect(label).to_have_text(f"Page {page} of {pages}")
        assert wall.evaluate("document.documentElement.scrollHeight <= window.innerHeight")
        seen += wall.locator(".wall__grid tbody tr:visible th").all_inner_texts()
        wall.clock.run_for(15_000)
    assert seen == [f"{room.code} {room.name}" for room in rooms]
    # Columns wide enough for whole words (20 room columns were 90 px wide).
    widths = wall.evaluate(
        "[...document.querySelectorAll('.wall__grid thead th')].slice(1)"
        ".map(th => th.getBoundingClientRect().width)"
    )
    assert min(widths) >= 200, widths
    shoot(wall, "wall-projector-20-rooms")
    assert_no_axe_violations(wall)


def test_a_phone_reads_the_newest_topics_without_a_place_and_opens_them_all(
    browser, live_server, event, participant, monkeypatch
):
    from agenda import rendering

    monkeypatch.setattr(rendering, "UNPLACED_SHOWN", 3)
    build_grid(event, rooms=2, rounds=1)
    titles = [f"Idé {number}" for number in range(1, 6)]
    for title in titles:
        TopicFactory(event=event, title=title)
    page = participant_context(browser, live_server, participant, viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    unplaced = page.locator(".unplaced")
    expect(unplaced.locator("h2")).to_contain_text("(5)")
    expect(unplaced.locator("article.session")).to_have_count(3)
    expect(unplaced.locator(".session__title")).to_have_text(titles[-3:])
    expect(unplaced.locator(".unplaced__more")).to_contain_text("3 of 5 topics are shown here.")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    unplaced.locator(".unplaced__more a").click()
    expect(page).to_have_url(re.compile(r"\?show=unplaced"))
    expect(page.locator(".unplaced .session__title")).to_have_text(titles)
    expect(page.locator(".unplaced__more")).to_have_count(0)
    expect(page.locator(".filters [aria-current=true]")).to_have_text("Without a place")
    expect(page.locator(".round").first).to_be_hidden()  # no round heading over nothing
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shoot(page, "agenda-without-a-place-phone")

    page.goto(f"{live_server.url}/e/{event.slug}/?show=mine")  # none of them is theirs
    expect(page.locator(".empty-note")).to_be_visible()
    expect(page.locator(".unplaced")).to_be_hidden()


def test_a_sign_up_that_cannot_reach_the_server_says_so_and_works_when_tried_again(
    browser, live_server, event
):
    rooms, slots = build_grid(event, rooms=1, rounds=1)
    topic = TopicFactory(event=event, title="Tillit", room=rooms[0], time_slot=slots[0])
    person = ParticipantFactory(event=event, name="Anna")
    page = participant_context(browser, live_server, person, viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    signup = re.compile(rf"/sessions/{topic.pk}/signup/$")
    # The venue's Wi-Fi drops as the button is tapped.
    page.route(signup, lambda route: route.abort("internetdisconnected"))
    page.locator(f"#signup-{topic.pk}").click()
    alert = page.locator("[data-request-error]")
    expect(alert).to_have_text(re.compile("Could not reach the server"))
    expect(alert).to_have_attribute("role", "alert")
    assert not SignUp.objects.exists()
    # The server fails.
    page.unroute(signup)
    page.route(signup, lambda route: route.fulfill(status=500, body="boom"))
    page.locator(f"#signup-{topic.pk}").click()
    expect(alert).to_have_text(re.compile("That did not work"))
    # Back again: the next tap clears the message and signs up.
    page.unroute(signup)
    page.locator(f"#signup-{topic.pk}").click()
    expect(page.locator(f"[data-topic='{topic.pk}'] .badge--ok")).to_be_visible()
    expect(alert).to_have_count(0)
    assert SignUp.objects.filter(topic=topic, participant=person).exists()


def test_a_refused_topic_puts_the_focus_on_what_went_wrong(browser, live_server, event):
    build_grid(event, rooms=1, rounds=1)
    person = ParticipantFactory(event=event)
    page = participant_context(browser, live_server, person).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/sessions/new/")
    page.locator("#id_description").fill("Mina tankar")
    page.locator("form.topic-form button[type=submit]").click()
    summary = page.locator(".form-errors")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    expect(page.locator("#id_description")).to_have_value("Mina tankar")
    assert_no_axe_violations(page)


def test_the_arrange_menus_leave_their_buttons_whole_beside_long_titles(
    browser, live_server, event, facilitator
):
    """ "Move to…" lists every cell with the title it holds: the long menu gives way, and
    the button beside it stays one line ("Move", not "Mov/e")."""
    rooms, slots = build_grid(event, rooms=2, rounds=1)
    long_title = "Hur får vi en likvärdig skola för alla elever i hela kommunen " * 2
    TopicFactory(event=event, title=long_title.strip(), room=rooms[1], time_slot=slots[0])
    topic = TopicFactory(event=event, title="Flytta mig", room=rooms[0], time_slot=slots[0])
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/")
    one_line = page.locator(".arrange button", has_text="Lock in place").bounding_box()["height"]
    for name in ("Move", "Merge"):
        button = page.locator(".arrange .field--inline button", has_text=name)
        assert button.bounding_box()["height"] == one_line
    assert_no_horizontal_scroll(page)


def test_the_opening_circle_fits_the_projector_and_gives_way_to_the_grid(
    browser, live_server, event, facilitator
):
    """The opening circle on the projector: the principles and a whole day's run sheet
    (ten items, a long one among them) on one 1920x1080 screen, in Swedish; when the
    facilitator opens the marketplace the wall turns to the grid by itself."""
    from events.models import Phase, RunSheetItem
    from events.services import default_principles

    event.language = "sv"
    event.phase = Phase.OPENING
    event.principles = default_principles("sv")
    event.save(update_fields=["language", "phase", "principles"])
    build_grid(event, rooms=6, rounds=3)
    day = [
        (Phase.OPENING, "Välkomna och introduktion", "09:00", "09:20"),
        (Phase.MARKETPLACE, "Marknadsplatsen", "09:20", "09:45"),
        (Phase.ROUNDS, "Pass 1", "09:45", "10:45"),
        ("", "Fika", "10:45", "11:00"),
        (Phase.ROUNDS, "Pass 2", "11:00", "12:00"),
        ("", "Lunch i matsalen", "12:00", "13:00"),
        (Phase.ROUNDS, "Pass 3", "13:00", "14:00"),
        (
            Phase.VERNISSAGE,
            "Nyhetsväggen – läs varandras rapporter och kommentera dem",
            "14:00",
            "14:30",
        ),
        (Phase.ACTION_PLANNING, "Handlingsplan", "14:30", "15:05"),
        (Phase.CLOSING, "Avslutningscirkel", "15:05", "15:30"),
    ]
    for phase, label, starts, ends in day:
        RunSheetItem.objects.create(
            event=event, phase=phase, label=label, starts_at=starts, ends_at=ends
        )
    event.touch()

    wall = facilitator_context(browser, live_server, facilitator, viewport=PROJECTOR).new_page()
    wall.goto(f"{live_server.url}/e/{event.slug}/wall/")

    expect(wall.locator(".wall__principles")).to_contain_text("Lagen om två fötter")
    # Everyone joins now: the QR code is larger than during the rounds (184 px).
    qr = wall.locator(".wall__qr").bounding_box()
    assert qr["width"] >= 240, qr
    last = wall.locator(".wall__run-sheet tr").last
    expect(last).to_contain_text("15:05–15:30")
    box = last.bounding_box()
    assert box["y"] + box["height"] <= PROJECTOR["height"], box
    assert wall.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]
    shoot(wall, "wall-projector-opening-circle")
    assert_no_axe_violations(wall)

    event.phase = Phase.MARKETPLACE
    event.save(update_fields=["phase"])
    event.touch()
    expect(wall.locator(".wall__grid")).to_be_visible()
    expect(wall.locator(".wall__opening")).to_have_count(0)


@pytest.mark.parametrize("width", [1024, 1366])
def test_an_agenda_of_eight_rooms_is_read_without_scrolling_sideways(
    browser, live_server, event, facilitator, width
):
    """At 1024 px the table of 8 rooms was 1,312 px wide: the last three rooms behind a
    sideways scroll, with the rounds' names scrolled away from them. Below 84rem each
    round is a list with its sessions side by side; from there the table fits."""
    rooms, slots = build_grid(event, rooms=8, rounds=2)
    for room in rooms:
        TopicFactory(event=event, room=room, time_slot=slots[0], title=f"Samtal i {room.name}")
    person = ParticipantFactory(event=event)
    viewport = {"width": width, "height": 768}
    page = participant_context(browser, live_server, person, viewport=viewport).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    assert_no_horizontal_scroll(page)
    # Every room's session is on the screen's width, and says which room it is in.
    for room in rooms:
        card = page.locator(".session", has_text=f"Samtal i {room.name}")
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (room.code, box)
        if width == 1024:
            expect(card.locator(".session__room")).to_have_text(room.name)
    head = page.locator(".agenda-grid__head")
    if width == 1024:
        expect(head).to_be_hidden()
    else:
        expect(head).to_be_visible()  # the table, its rooms over their columns
    assert_no_axe_violations(page)
    shoot(page, f"agenda-8-rooms-{width}")
    page.context.close()


def test_a_sign_up_by_keyboard_keeps_the_focus_and_is_read_out(browser, live_server, event):
    """A screen reader said nothing after "Sign up": the answer replaced the form, and
    the page had no live region for it."""
    rooms, slots = build_grid(event, rooms=2, rounds=1)
    topic = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], title="Tillit")
    person = ParticipantFactory(event=event)
    viewport = {"width": 390, "height": 844}
    page = participant_context(browser, live_server, person, viewport=viewport).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    announcer = page.locator("#announcer")
    expect(announcer).to_have_text("")
    page.locator(f"#signup-{topic.pk}").focus()
    page.keyboard.press("Enter")
    expect(announcer).to_contain_text("You are signed up")
    expect(announcer).to_contain_text("1 signed up")
    expect(page.locator(f"#signup-{topic.pk}")).to_be_focused()
    expect(page.locator(f"#signup-{topic.pk}")).to_contain_text("Leave")
    page.keyboard.press("Enter")  # and leave again, from the same button
    expect(announcer).to_have_text("0 signed up")
    expect(page.locator(f"#signup-{topic.pk}")).to_be_focused()
    assert_no_axe_violations(page)
    page.context.close()


def test_dragging_in_the_agenda_does_not_slide_for_those_who_want_less_motion(
    browser, live_server, event, facilitator
):
    build_grid(event, rooms=2, rounds=1)
    page = facilitator_context(
        browser, live_server, facilitator, reduced_motion="reduce"
    ).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    cell = page.locator("#agenda [data-cell]").first
    expect(cell).to_be_attached()
    page.wait_for_function("() => document.querySelector('#agenda [data-cell]').sortable")
    assert cell.evaluate("c => c.sortable.options.animation") == 0
    page.context.close()


def test_the_chosen_filter_shows_in_a_contrast_theme(browser, live_server, event):
    """With forced colours, "All sessions" (filled) and "My sessions" (outlined) looked
    alike: nothing showed which list was on the screen."""
    build_grid(event, rooms=2, rounds=1)
    person = ParticipantFactory(event=event)
    page = participant_context(
        browser, live_server, person, viewport={"width": 390, "height": 844}, forced_colors="active"
    ).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/?show=mine")
    line = "a => getComputedStyle(a).textDecorationLine"
    assert page.locator(".filters a[aria-current]").evaluate(line) == "underline"
    for other in page.locator(".filters a:not([aria-current])").all():
        assert other.evaluate(line) == "none"
    assert_no_axe_violations(page)
    shoot(page, "agenda-forced-colours-390")
    page.context.close()


def test_the_focus_stays_on_a_sessions_link_when_the_agenda_refreshes(browser, live_server, event):
    """A link has no id to find it again by: each refresh (anyone's new topic or sign-up)
    dropped the keyboard's focus to the top of the page."""
    rooms, slots = build_grid(event, rooms=2, rounds=1)
    first = TopicFactory(event=event, room=rooms[0], time_slot=slots[0], title="Tillit")
    person = ParticipantFactory(event=event)
    viewport = {"width": 390, "height": 844}
    page = participant_context(browser, live_server, person, viewport=viewport).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    link = page.locator(f"#topic-title-{first.pk} a")
    link.focus()
    post_topic(
        event=event,
        participant=ParticipantFactory(event=event),
        title="Nytt ämne från någon annan",
        room=rooms[1],
        time_slot=slots[0],
    )
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")  # poll now
    expect(page.locator("#agenda")).to_contain_text(
        "Nytt ämne från någon annan", timeout=25000
    )  # the next poll, or the one after it
    expect(page.locator(f"#topic-title-{first.pk} a")).to_be_focused()
    page.context.close()


@pytest.mark.parametrize("viewport", [PROJECTOR, {"width": 1280, "height": 720}])
def test_a_long_day_on_the_opening_wall_still_fits_the_screen(
    browser, live_server, event, facilitator, viewport
):
    """Sixteen items (a day with short breaks between many rounds) fit the projector in
    smaller type, where ten fit at full size."""
    from events.models import Phase, RunSheetItem
    from events.services import default_principles

    event.language = "sv"
    event.phase = Phase.OPENING
    event.principles = default_principles("sv")
    event.save(update_fields=["language", "phase", "principles"])
    for number in range(16):
        hour, half = divmod(number, 2)
        RunSheetItem.objects.create(
            event=event,
            phase=Phase.ROUNDS if half else "",
            label=f"Pass {number // 2 + 1} med samtal om framtidens äldreomsorg"
            if half
            else "Bensträckare",
            starts_at=f"{8 + hour:02d}:{30 * half:02d}",
            ends_at=f"{8 + hour:02d}:{30 * half + 29:02d}",
        )
    event.touch()
    wall = facilitator_context(browser, live_server, facilitator, viewport=viewport).new_page()
    wall.goto(f"{live_server.url}/e/{event.slug}/wall/")
    last = wall.locator(".wall__run-sheet tr").last
    expect(last).to_contain_text("15:30–15:59")
    box = last.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"], box
    shoot(wall, f"wall-opening-long-day-{viewport['width']}")
