"""What a phone shows for input the server cannot take: the reason, in place, and a way on."""

import pytest
from playwright.sync_api import expect

from events.models import Participant
from tests.factories import TopicFactory

from .helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    participant_context,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_a_forms_address_opened_on_a_phone_says_what_it_is(browser, live_server, participant):
    """require_POST's 405 was an empty page."""
    topic = TopicFactory(event=participant.event)
    context = participant_context(browser, live_server, participant, viewport=PHONE)
    page = context.new_page()
    response = page.goto(
        f"{live_server.url}/e/{participant.event.slug}/sessions/{topic.pk}/signup/"
    )
    assert response.status == 405
    expect(page.get_by_role("heading", level=1)).to_have_text("This address is for sending a form")
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    shoot(page, "405-phone")
    page.get_by_role("link", name="Join an event with its code").click()
    expect(page).to_have_url(f"{live_server.url}/join/")
    context.close()


def test_a_name_of_invisible_characters_is_refused_and_the_organisation_kept(
    browser, live_server, event
):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/join/")
    page.locator("#id_name").fill("\u200b\u200d\u2060")
    page.locator("#id_organisation").fill("Västerås stad")
    page.locator("form.join-form button[type=submit]").click()
    expect(page.locator("#id_name_error")).to_contain_text("Write the name others will see.")
    expect(page.locator("#id_organisation")).to_have_value("Västerås stad")
    assert not Participant.objects.exists()
    assert_no_axe_violations(page)
    shoot(page, "join-invisible-name-phone")
    context.close()
