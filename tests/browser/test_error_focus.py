"""A form sent back on a phone puts the focus on what went wrong, whatever the form:
the screen reader reads it and the page starts there, not at the header."""

import pytest
from playwright.sync_api import expect

from agenda.models import Topic
from events.models import Phase
from tests.factories import ParticipantFactory

from .helpers import assert_no_axe_violations, participant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_an_initiative_without_a_level_puts_the_focus_on_the_summary(browser, live_server, event):
    event.phase = Phase.ACTION_PLANNING
    event.save(update_fields=["phase"])
    person = ParticipantFactory(event=event)
    page = participant_context(browser, live_server, person, viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/actions/new/")
    page.fill("#id_what", "Ett lärnätverk <b>för</b> alla")
    page.click("form.initiative-form button[type=submit]")
    summary = page.locator(".form-errors")
    expect(summary).to_be_focused()
    assert in_view(page, summary)
    expect(page.locator(".field--error")).to_contain_text("Choose at least one level.")
    expect(page.locator("#id_what")).to_have_value("Ett lärnätverk <b>för</b> alla")
    assert_no_axe_violations(page)


def test_a_topic_saved_meanwhile_in_another_tab_puts_the_focus_on_the_conflict(
    browser, live_server, event
):
    person = ParticipantFactory(event=event)
    topic = Topic.objects.create(event=event, convener=person, title="Tillit")
    context = participant_context(browser, live_server, person, viewport=PHONE)
    url = f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/edit/"
    first, second = context.new_page(), context.new_page()
    first.goto(url)
    second.goto(url)
    first.fill("#id_title", "Tillit i styrning")
    first.click("form.topic-form button[type=submit]")
    first.wait_for_url(f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/")

    second.fill("#id_title", "Tillit i praktiken")
    second.click("form.topic-form button[type=submit]")
    conflict = second.locator(".conflict")
    expect(conflict).to_be_focused()
    expect(conflict).to_contain_text("Tillit i styrning")
    expect(second.locator("#id_title")).to_have_value("Tillit i praktiken")
    topic.refresh_from_db()
    assert topic.title == "Tillit i styrning"
    context.close()
