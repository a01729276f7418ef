"""A convener adds flipchart photos on a phone without scripts (a locked-down work phone,
or the script not loaded yet): a refused file is said at the file field."""

import pytest
from playwright.sync_api import expect

from events.models import Phase
from reports.models import ReportPhoto
from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory, TopicFactory

from .helpers import assert_no_horizontal_scroll, participant_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_text_file_named_jpg_is_refused_at_the_field_and_the_caption_kept(
    browser, live_server, event, tmp_path
):
    event.phase = Phase.ROUNDS
    event.save()
    person = ParticipantFactory(event=event)
    topic = TopicFactory(
        event=event,
        convener=person,
        room=RoomFactory(event=event, code="A"),
        time_slot=TimeSlotFactory(event=event, number=1),
    )
    fake = tmp_path / "blädderblock.jpg"
    fake.write_text("not a photo")
    context = participant_context(
        browser,
        live_server,
        person,
        viewport={"width": 390, "height": 844},
        java_script_enabled=False,
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/report/edit/")
    upload = page.locator("#photo-upload")
    upload.locator("input[type=file]").set_input_files(fake)
    upload.locator("[name=caption]").fill("Blädderblock 1 👩‍👩‍👧")
    upload.locator("button[type=submit]").click()

    expect(upload.locator(".field--error")).to_contain_text("not a photo we can read")
    expect(upload.locator("[name=caption]")).to_have_value("Blädderblock 1 👩‍👩‍👧")
    expect(upload.locator(".form-errors")).to_be_visible()
    assert_no_horizontal_scroll(page)
    assert ReportPhoto.objects.count() == 0
    context.close()
