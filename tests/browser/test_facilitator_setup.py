"""A facilitator creates an event with rooms and time slots, in the browser."""

import pytest
from playwright.sync_api import expect

from events.models import Event
from tests.factories import RoomFactory, TimeSlotFactory, TopicFactory

from .helpers import assert_no_axe_violations, facilitator_context, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_facilitator_creates_an_event_with_rooms_and_slots(browser, live_server, facilitator):
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/facilitate/")
    assert_no_axe_violations(page)
    page.locator("a[href='/facilitate/new/']").click()
    assert_no_axe_violations(page)
    page.locator("#id_title").fill("Nätverksträff 5")
    page.locator("#id_theme_question").fill("Hur minskar vi den administrativa bördan?")
    page.locator("#id_date").fill("2027-03-14")
    page.locator("#id_start_time").fill("12:30")
    page.locator("#id_end_time").fill("16:30")
    page.locator("#id_language").select_option("en")
    principles = page.locator("#id_principles")
    expect(principles).to_have_value(principles.get_attribute("data-default-en"))
    page.locator("#id_language").select_option("sv")
    expect(principles).to_have_value(principles.get_attribute("data-default-sv"))
    page.locator("form.event-form button[type=submit]").click()
    event = Event.objects.get(title="Nätverksträff 5")
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/facilitate/")

    for count, name in enumerate(("Stora salen", "Biblioteket", "Soffhörnan"), start=1):
        page.locator("#id_room-name").fill(name)
        page.locator("#rooms .add-form button[type=submit]").click()
        expect(page.locator("#rooms .setup-row")).to_have_count(count)

    slots = [("Pass 1", "13:15", "14:00"), ("Pass 2", "14:10", "14:55")]
    for count, (label, start, end) in enumerate(slots, start=1):
        page.locator("#id_slot-label").fill(label)
        page.locator("#id_slot-starts_at").fill(start)
        page.locator("#id_slot-ends_at").fill(end)
        page.locator("#slots .add-form button[type=submit]").click()
        expect(page.locator("#slots .setup-row")).to_have_count(count)

    # An overlapping slot is refused with a message, and what was typed stays.
    page.locator("#id_slot-label").fill("Pass 3")
    page.locator("#id_slot-starts_at").fill("14:30")
    page.locator("#id_slot-ends_at").fill("15:30")
    page.locator("#slots .add-form button[type=submit]").click()
    expect(page.locator("#slots .form-errors")).to_contain_text("Pass 2")
    expect(page.locator("#id_slot-label")).to_have_value("Pass 3")

    # Reorder: Biblioteket to the left keeps its code B.
    page.locator("#rooms .setup-row").nth(1).locator("button[value=up]").click()
    expect(page.locator("#rooms .setup-row .code").first).to_have_text("B")

    page.locator("#phase button[value=marketplace]").click()
    expect(page.locator("#phase button[value=marketplace]")).to_have_attribute(
        "aria-pressed", "true"
    )
    assert_no_axe_violations(page)
    shoot(page, "setup-laptop")

    event.refresh_from_db()
    assert [r.name for r in event.rooms.all()] == ["Biblioteket", "Stora salen", "Soffhörnan"]
    assert [r.code for r in event.rooms.all()] == ["B", "A", "C"]
    assert [s.label for s in event.time_slots.all()] == ["Pass 1", "Pass 2"]
    assert event.phase == "marketplace"


def test_cancelling_a_delete_keeps_the_room(browser, live_server, event, facilitator):
    RoomFactory(event=event, name="Biblioteket", code="A")
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/facilitate/")
    delete = page.locator("#rooms .setup-row button[value=delete]")
    page.once("dialog", lambda dialog: dialog.dismiss())
    delete.click()
    # Rename after the cancelled delete: when its answer is on the page, the delete never went.
    page.locator("#rooms .setup-row input[name$=name]").fill("Bibblan")
    with page.expect_response(lambda r: r.request.method == "POST" and "/rooms/" in r.url):
        page.locator("#rooms .setup-row button[value=save]").click()
    expect(page.locator("#rooms .setup-row")).to_have_count(1)
    assert event.rooms.get().name == "Bibblan"
    page.once("dialog", lambda dialog: dialog.accept())
    delete.click()
    expect(page.locator("#rooms .setup-row")).to_have_count(0)
    assert not event.rooms.exists()


def test_a_long_title_does_not_break_the_suggested_places_over_two_lines(
    browser, live_server, event, facilitator
):
    RoomFactory(event=event, name="Sofahjørnet", code="F")
    TimeSlotFactory(event=event)
    TopicFactory(event=event, title="Demens og nærvær: " + "meget lang titel " * 10)
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/facilitate/schedule/")
    lines = "e => { const r = document.createRange(); r.selectNodeContents(e); "
    lines += "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }"
    cells = [page.locator("main thead th").nth(i) for i in (1, 2)]
    cells += [page.locator("main tbody td").nth(i) for i in (1, 2)]
    assert page.locator("main tbody td strong").text_content().startswith("F")
    assert [cell.evaluate(lines) for cell in cells] == [1, 1, 1, 1]


def test_facilitator_puts_a_lunch_without_a_phase_on_the_run_sheet(
    browser, live_server, event, facilitator
):
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/facilitate/")
    section = page.locator("#run-sheet")
    # Neither a phase nor a label: refused with a message, and the times typed stay.
    section.locator("#id_item-starts_at").fill("12:00")
    section.locator("#id_item-ends_at").fill("12:45")
    section.locator(".add-form button[type=submit]").click()
    expect(section.locator(".form-errors")).to_be_visible()
    expect(section).to_contain_text("Give the item a label, or choose its phase.")
    expect(section.locator("#id_item-starts_at")).to_have_value("12:00")

    expect(section.locator("#id_item-phase option:checked")).to_have_text("None (a break)")
    section.locator("#id_item-label").fill("Lunch")
    section.locator(".add-form button[type=submit]").click()
    expect(section.locator("tbody tr")).to_have_count(1)
    expect(section.locator("tbody tr td").nth(1)).to_have_text("Lunch")

    section.locator("#id_item-phase").select_option("marketplace")
    section.locator("#id_item-label").fill("Vi skapar agendan")
    section.locator("#id_item-starts_at").fill("10:00")
    section.locator("#id_item-ends_at").fill("10:30")
    section.locator(".add-form button[type=submit]").click()
    expect(section.locator("tbody tr")).to_have_count(2)
    expect(section.locator("tbody tr").first.locator("td").nth(1)).to_have_text(
        "Vi skapar agendan · Marketplace"
    )
    assert_no_axe_violations(page)
    section.screenshot(path="/tmp/shots/browser-tests/run-sheet-lunch.png")
    assert [(i.phase, i.label) for i in event.run_sheet.all()] == [
        ("marketplace", "Vi skapar agendan"),
        ("", "Lunch"),
    ]

    # Lunch moves by a quarter: changed in place, not removed and added again.
    section.get_by_role("link", name="Change Lunch").click()
    start = section.locator(f"#id_item-{event.run_sheet.get(label='Lunch').pk}-starts_at")
    expect(section.locator("select[autofocus]")).to_be_focused()
    section.screenshot(path="/tmp/shots/browser-tests/run-sheet-change.png")
    start.fill("12:15")
    section.get_by_role("button", name="Save Lunch").click()
    expect(section.locator("tbody tr").nth(1).locator("td").first).to_have_text("12:15–12:45")
    assert_no_axe_violations(page)


def test_switching_the_phase_shows_which_projector_view_goes_with_it(
    browser, live_server, event, facilitator
):
    """The agenda wall stays the agenda: at the news wall and the action plan the
    facilitator has to open another projector view, and the phase section says which."""
    event.language = "sv"
    event.save(update_fields=["language"])
    page = facilitator_context(browser, live_server, facilitator).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/facilitate/")
    hint = page.locator("#phase .phase-wall")
    expect(hint.get_by_role("link", name="agendan")).to_have_attribute(
        "href", f"/e/{event.slug}/wall/"
    )

    page.locator("#phase").get_by_role("button", name="Nyhetsväggen").click()
    expect(hint.get_by_role("link", name="rapporterna, en i taget")).to_have_attribute(
        "href", f"/e/{event.slug}/wall/reports/"
    )
    page.locator("#phase").get_by_role("button", name="Handlingsplanering").click()
    link = hint.get_by_role("link", name="handlingsplanen")
    expect(link).to_have_attribute("href", f"/e/{event.slug}/wall/actions/")
    shoot(page, "setup-phase-projector-view")
    assert_no_axe_violations(page)
    link.click()
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/wall/actions/")
