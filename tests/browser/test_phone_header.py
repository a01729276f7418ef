"""The header on a phone leaves the first screen to the page, also with large text."""

import pytest
from playwright.sync_api import expect

from tests.factories import ParticipantFactory

from .helpers import assert_no_horizontal_scroll, participant_context, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}
LONG_TITLE = "Nätverksträff 4 – Tillitsbaserad styrning i praktiken"


def header_box(page):
    return page.locator(".site-header").bounding_box()


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, {"width": 390, "height": 844}])
def test_the_header_takes_a_small_part_of_a_phone_with_double_text_size(
    browser, live_server, event, viewport
):
    """It took 523 of 740 px at 360 px wide: the event's name on three lines, a line per
    link and the language menu under them, before anything of the page."""
    event.title = LONG_TITLE
    event.save(update_fields=["title"])
    person = ParticipantFactory(event=event)
    context = participant_context(browser, live_server, person, viewport=viewport)
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 32}})

    page.goto(f"{live_server.url}/e/{event.slug}/me/")
    header = header_box(page)
    assert header["height"] <= viewport["height"] * 0.35, header
    # The page's own heading starts on the first screen.
    heading = page.locator("main h1").bounding_box()
    assert heading["y"] + heading["height"] <= viewport["height"]
    assert_no_horizontal_scroll(page)
    # The links scroll sideways in one row; the current page's link is in view.
    nav = page.locator(".site-nav").bounding_box()
    current = page.locator(".site-nav [aria-current=page]").bounding_box()
    assert current["x"] >= nav["x"] - 1
    assert current["x"] + current["width"] <= nav["x"] + nav["width"] + 1
    shoot(page, f"header-large-text-{viewport['width']}")

    # The other links are reachable in that row.
    page.locator(".site-nav a", has_text="Agenda").click()
    page.wait_for_url(f"{live_server.url}/e/{event.slug}/")
    context.close()


def test_the_event_name_keeps_to_one_line_beside_the_language_menu(browser, live_server, event):
    event.title = LONG_TITLE
    event.save(update_fields=["title"])
    person = ParticipantFactory(event=event)
    context = participant_context(browser, live_server, person)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")
    brand = page.locator(".brand").bounding_box()
    menu = page.locator(".language-switcher select").bounding_box()
    assert brand["height"] < 60, brand  # one line (44 px tall to tap), not two
    assert abs(brand["y"] - menu["y"]) < 10  # the same row
    assert header_box(page)["height"] <= 740 * 0.25
    assert_no_horizontal_scroll(page)
    # The whole name is still there for screen readers and a long press.
    assert page.locator(".brand").inner_text().startswith("Nätverksträff 4")
    context.close()


LANGUAGE_NAME_FITS = """() => {
  const menu = document.querySelector('#language-select');
  const cut = [];
  for (const option of menu.options) {
    menu.value = option.value;  // no change event: nothing is submitted
    const shown = menu.getBoundingClientRect().width;
    menu.style.maxWidth = 'none';
    menu.style.width = 'max-content';
    const whole = menu.getBoundingClientRect().width;
    menu.style.maxWidth = '';
    menu.style.width = '';
    if (whole > shown + 0.5) cut.push(`${option.text}: ${whole} > ${shown}`);
  }
  return cut;
}"""


@pytest.mark.parametrize(
    ("viewport", "text_size", "zoom"),
    [
        ({"width": 360, "height": 740}, 32, 1),  # the phone's text size at 200 %
        ({"width": 390, "height": 844}, 32, 1),
        ({"width": 180, "height": 370}, None, 2),  # a 360 px phone zoomed to 200 %
        ({"width": 1024, "height": 768}, 32, 1),
    ],
)
def test_the_language_menu_shows_each_language_name_whole_with_large_text(
    browser, live_server, event, viewport, text_size, zoom
):
    """ "Norsk (bokmål)" was cut to "Norsk (bokm" on a phone with twice the text size."""
    person = ParticipantFactory(event=event)
    context = participant_context(
        browser, live_server, person, viewport=viewport, device_scale_factor=zoom
    )
    context.add_cookies([{"name": "lang", "value": "nb", "url": live_server.url}])
    page = context.new_page()
    if text_size:
        session = context.new_cdp_session(page)
        session.send(
            "Page.setFontSizes", {"fontSizes": {"standard": text_size, "fixed": text_size}}
        )
    page.goto(f"{live_server.url}/e/{event.slug}/")
    assert page.locator("#language-select option:checked").inner_text() == "Norsk bokmål"
    assert page.evaluate(LANGUAGE_NAME_FITS) == []
    assert_no_horizontal_scroll(page)
    shoot(page, f"language-menu-{viewport['width']}-{text_size or 'zoom'}")
    context.close()


def test_the_language_menu_waits_for_enter_when_changed_with_the_keyboard(
    browser, live_server, event
):
    """Arrow keys change a closed menu at each press (on Windows, with a "change" event):
    the page reloaded in Dansk on the way from Svenska to Norsk (WCAG 3.2.2)."""
    person = ParticipantFactory(event=event)
    context = participant_context(browser, live_server, person, viewport=PHONE_390)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/me/")
    menu = page.locator("#language-select")
    button = page.locator(".language-switcher button")
    expect(button).to_be_hidden()
    # What Chromium on Windows does with ArrowDown: the next language, and "change".
    menu.focus()
    page.keyboard.press("ArrowDown")
    menu.evaluate("m => { m.value = 'da'; m.dispatchEvent(new Event('change', {bubbles: true})); }")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.lang") == "en"  # not sent
    expect(button).to_be_visible()  # next in the tab order, to send it
    menu.evaluate("m => { m.value = 'nb'; m.dispatchEvent(new Event('change', {bubbles: true})); }")
    shoot(page, "language-menu-keyboard")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.documentElement.lang") == "nb"
    assert page.url == f"{live_server.url}/e/{event.slug}/me/"

    # A finger or a mouse: sent at once, as before.
    with page.expect_navigation():
        page.locator("#language-select").select_option("en")
    assert page.evaluate("document.documentElement.lang") == "en"
    context.close()


def test_each_header_link_reached_with_tab_shows_whole_with_its_focus_ring(
    browser, live_server, event
):
    """With twice the text size the links scroll sideways in one row: a link tabbed to
    stayed partly outside it ("…s" of "Reports"), its focus ring cut off above and below."""
    event.title = LONG_TITLE
    event.save(update_fields=["title"])
    person = ParticipantFactory(event=event)
    context = participant_context(browser, live_server, person)
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 32}})
    page.goto(f"{live_server.url}/e/{event.slug}/me/")
    nav = page.locator(".site-nav")
    links = nav.locator("a")
    assert (
        page.evaluate("document.querySelector('.site-nav').scrollWidth")
        > nav.bounding_box()["width"]
    )  # the row does scroll
    page.locator(".brand").focus()
    ring = 5  # outline 3 px at 2 px from the link (app.css, :focus-visible)
    for index in range(links.count()):
        page.keyboard.press("Tab")
        expect(links.nth(index)).to_be_focused()
        row, link = nav.bounding_box(), links.nth(index).bounding_box()
        assert link["x"] - ring >= row["x"] - 0.5, (index, link, row)
        assert link["x"] + link["width"] + ring <= row["x"] + row["width"] + 0.5, (index, link, row)
        assert link["y"] - ring >= row["y"] - 0.5, (index, link, row)
        assert link["y"] + link["height"] + ring <= row["y"] + row["height"] + 0.5
    shoot(page, "header-large-text-focus")
    context.close()
