"""After the facilitators close the event, a convener on a phone: a report form opened
before is refused with a reason and keeps the text; the pages then offer no writing and
no commenting, and say why. Their own data page lists what others made with their name."""

import pytest
from playwright.sync_api import expect

from events.models import Event, Phase
from reports import services
from reports.models import Report
from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory, TopicFactory

from .helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    participant_context,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def topic(event, participant):
    event.phase = Phase.CLOSING
    event.save()
    topic = TopicFactory(
        event=event,
        convener=participant,
        title="Tillit i praktiken",
        room=RoomFactory(event=event, code="A"),
        time_slot=TimeSlotFactory(event=event, number=1),
    )
    report = services.report_for(topic)
    services.save_report(
        report=report, base_version=1, fields={"discussion": "Vi började."}, publish=True
    )
    return topic


def test_a_convener_after_the_event_is_closed(browser, live_server, event, participant, topic):
    context = participant_context(browser, live_server, participant, viewport=PHONE_390)
    page = context.new_page()
    base = f"{live_server.url}/e/{event.slug}"
    page.goto(f"{base}/sessions/{topic.pk}/report/edit/")
    Event.objects.filter(pk=event.pk).update(phase=Phase.CLOSED)  # the facilitator closes

    page.locator("#id_insights").fill("Skrivet efter stängningen")
    expect(page.locator("#save-status")).to_contain_text("The event is closed", timeout=6000)
    expect(page.locator("#id_insights")).to_have_value("Skrivet efter stängningen")
    assert Report.objects.get().insights == ""
    page.get_by_role("button", name="Save and publish").click()
    expect(page.locator(".form-errors")).to_contain_text("its reports can no longer be changed")
    expect(page.locator("#id_insights")).to_have_value("Skrivet efter stängningen")
    expect(page.get_by_role("button", name="Save and publish")).to_have_count(0)
    shoot(page, "closed-report-form-refused")

    page.goto(f"{base}/sessions/{topic.pk}/")
    expect(page.get_by_role("link", name="Write the report")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Withdraw")).to_have_count(0)
    expect(page.locator(".manage")).to_contain_text("its topics can no longer be changed")
    page.get_by_role("link", name="Read the report").click()
    expect(page.locator(".report")).to_contain_text("its reports can no longer be changed")
    expect(page.locator("#comments")).to_contain_text("comments can no longer be added")
    expect(page.get_by_role("button", name="Add comment")).to_have_count(0)
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shoot(page, "closed-report-page")
    context.close()


def test_my_data_lists_reports_saved_last_and_where_others_named_me(
    browser, live_server, event, participant, topic
):
    bertil = ParticipantFactory(event=event, name="Bertil Berg")
    other = TopicFactory(
        event=event, convener=bertil, title="Bertils pass", co_convener="Anna Andersson"
    )
    report = services.report_for(other)
    services.save_report(
        report=report,
        base_version=1,
        fields={"discussion": "Anna skrev."},
        author=participant.display_name,
        editor=participant,
    )
    context = participant_context(browser, live_server, participant, viewport=PHONE_390)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/me/data/")
    expect(page.locator("#data-edited + p + ul")).to_contain_text("Bertils pass")
    expect(page.locator("section:has(#data-named)")).to_contain_text("Co-convener: Bertils pass")
    expect(page.locator("main")).not_to_contain_text("Bertil Berg")
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)
    shoot(page, "my-data-traces")
    context.close()
