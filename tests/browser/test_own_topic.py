"""A convener's own topic on a phone."""

import pytest
from playwright.sync_api import expect

from agenda.models import Topic
from tests.factories import ParticipantFactory

from .helpers import assert_no_horizontal_scroll, participant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_print_and_withdraw_stand_together_and_withdraw_asks_first(
    browser, live_server, event
):
    """The withdraw form stood in a <p>, which a browser closes before a <form>: the
    button fell out of the row of the other two, under an empty paragraph."""
    person = ParticipantFactory(event=event)
    topic = Topic.objects.create(event=event, convener=person, title="Tillit")
    page = participant_context(browser, live_server, person).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/")
    row = page.locator(".manage .cluster")
    expect(row).to_have_count(1)
    expect(row.locator("a, button")).to_have_count(3)
    assert_no_horizontal_scroll(page)

    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    row.locator("button").click()
    assert asked and "Withdraw this topic?" in asked[0]
    topic.refresh_from_db()
    assert topic.withdrawn_at is None
