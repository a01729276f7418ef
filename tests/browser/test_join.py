"""A participant on a phone joins by the join link and by the join code."""

import pytest
from playwright.sync_api import expect

from events.models import Participant
from tests.conftest import PHONE

from .helpers import assert_no_axe_violations, assert_no_horizontal_scroll, shoot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_phone_joins_by_the_join_link(browser, live_server, event):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/")  # the QR code's target redirects to join
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/join/?next=%2Fe%2F{event.slug}%2F")
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    shoot(page, "join-phone")
    page.locator("#id_name").fill("Anna <b>Andersson</b>")
    page.locator("#id_organisation").fill("Västerås stad")
    page.locator("form.join-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/")
    assert Participant.objects.get(event=event).name == "Anna <b>Andersson</b>"
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    page.goto(f"{live_server.url}/e/{event.slug}/me/")
    expect(page.locator("#id_name")).to_have_value("Anna <b>Andersson</b>")
    assert_no_axe_violations(page)
    shoot(page, "me-phone")
    context.close()


def test_a_phone_joins_by_the_code(browser, live_server, event):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/join/")
    assert_no_axe_violations(page)
    page.locator("#id_code").fill(event.join_code.lower())
    page.locator("form.join-form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/join/")
    context.close()


def test_the_join_page_loads_without_errors_in_the_console(browser, live_server, event):
    """Each page asked for /favicon.ico and logged its 404 as an error."""
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/e/{event.slug}/join/")
    page.wait_for_load_state("networkidle")
    assert errors == []
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(live_server.url + icon).status == 200
    context.close()
