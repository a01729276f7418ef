"""A convener writes a report on a phone through a lost connection; another reads and comments."""

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from events.models import Phase
from reports.models import Report, ReportComment, ReportPhoto
from reports.services import report_for
from tests.conftest import PHONE, PROJECTOR
from tests.factories import ParticipantFactory, RoomFactory, TimeSlotFactory, TopicFactory

from .helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    facilitator_context,
    participant_context,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def topic(event, participant):
    """A placed session in the rounds, convened by `participant`."""
    event.phase = Phase.ROUNDS
    event.save()
    return TopicFactory(
        event=event,
        convener=participant,
        title="Tillit i praktiken",
        room=RoomFactory(event=event, code="A"),
        time_slot=TimeSlotFactory(event=event, number=1),
    )


def test_report_survives_a_lost_connection_and_reaches_the_news_wall(
    browser, live_server, event, participant, topic, tmp_path
):
    context = participant_context(browser, live_server, participant, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/")
    page.get_by_role("link", name="Write the report").click()
    assert_no_axe_violations(page)
    assert_no_horizontal_scroll(page)

    page.locator("#id_discussion").fill("Vi pratade om kontroller.")
    expect(page.locator("#save-status")).to_contain_text(":", timeout=6000)  # "Saved at 13:45"
    assert Report.objects.get().discussion == "Vi pratade om kontroller."

    context.set_offline(True)
    page.locator("#id_insights").fill("- Tillit kräver mod\n- Släpp en kontroll")
    expect(page.locator("#save-status")).to_contain_text("phone", timeout=6000)
    assert Report.objects.get().insights == ""
    context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("#save-status")).to_contain_text(":", timeout=6000)
    page.wait_for_function(
        "document.querySelector('#save-status').textContent.indexOf('phone') < 0"
    )
    assert Report.objects.get().insights == "- Tillit kräver mod\n- Släpp en kontroll"

    photo = tmp_path / "flipchart.jpg"
    Image.new("RGB", (1200, 900), "white").save(photo, "JPEG")
    page.locator("#id_photo").set_input_files(str(photo))
    page.locator("#photo-upload [name=caption]").fill("Blädderblock 1")
    page.locator("#photo-upload button[type=submit]").click()
    expect(page.locator("#photo-list img")).to_have_count(1, timeout=8000)
    # The caption went with that photo; the next photo starts without it.
    expect(page.locator("#photo-upload [name=caption]")).to_have_value("")
    assert ReportPhoto.objects.get().caption == "Blädderblock 1"
    page.get_by_role("button", name="Publish").click()
    expect(page.locator("h1")).to_have_text("Tillit i praktiken")
    shoot(page, "report-phone")
    context.close()

    reader = ParticipantFactory(event=event, name="Bo Berg")
    page = participant_context(browser, live_server, reader, viewport=PHONE).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/reports/")
    expect(page.locator(".report-card")).to_have_count(1)
    expect(page.locator(".report-card .thumbs img")).to_have_count(1)
    assert_no_axe_violations(page)
    page.locator(".report-card a").first.click()
    expect(page.locator(".report__section li").first).to_have_text("Tillit kräver mod")
    page.locator("#id_text").fill("Bra fångat!")
    page.locator(".comment-form button[type=submit]").click()
    expect(page.locator(".comment")).to_contain_text("Bra fångat!")
    assert ReportComment.objects.get().author_name.startswith("Bo Berg")
    assert_no_axe_violations(page)
    shoot(page, "report-read-phone")


def test_a_long_report_fits_the_projector_on_the_news_wall(
    browser, live_server, event, topic, facilitator
):
    bullets = "\n".join(f"- Punkt {n}: en mening om vad gruppen kom fram till." for n in range(6))
    Report.objects.create(
        topic=topic,
        event=event,
        discussion="Vi pratade länge om vem som äger datan och varför.\n" + bullets,
        insights="Tre meningar om insikter. Den andra meningen. Och en tredje som är längre.",
        proposals=bullets,
        other="Nästa möte i januari. " * 5,
        published_at=timezone.now(),
    )
    page = facilitator_context(browser, live_server, facilitator, viewport=PROJECTOR).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/wall/reports/")
    slide = page.locator(".slide--current")
    expect(slide).to_contain_text("Nästa möte i januari")
    page.wait_for_function(
        "document.querySelector('.slide--current').getBoundingClientRect().bottom"
        " <= window.innerHeight"
    )
    shoot(page, "news-wall-long-report")


def test_two_writers_at_once_keep_each_others_text(browser, live_server, event, participant, topic):
    """The convener and a co-writer (the write link) edit the same report at once."""
    write_url = live_server.url + report_for(topic).get_write_url()
    anna = participant_context(browser, live_server, participant).new_page()
    anna.goto(write_url)
    bo = participant_context(
        browser, live_server, ParticipantFactory(event=event, name="Bo Berg")
    ).new_page()
    bo.goto(write_url)  # both forms are drawn from the same, empty version

    anna.locator("#id_discussion").fill("Annas anteckningar.")
    expect(anna.locator("#save-status")).to_contain_text(":", timeout=6000)
    # Bo writes another field: his save, based on the old version, must not empty hers.
    bo.locator("#id_insights").fill("Bos slutsats.")
    expect(bo.locator("#id_discussion")).to_have_value("Annas anteckningar.", timeout=6000)
    expect(bo.locator("#save-status")).to_contain_text(":", timeout=6000)
    report = Report.objects.get()
    assert (report.discussion, report.insights) == ("Annas anteckningar.", "Bos slutsats.")
    bo.locator("#id_other").fill("Nästa möte i maj.")
    expect(bo.locator("#save-status")).to_contain_text(":", timeout=6000)
    bo.wait_for_function("document.querySelector('#save-status').textContent.indexOf('…') < 0")
    assert Report.objects.get().discussion == "Annas anteckningar."

    # Both change the same field: the later one sees the other's text to merge.
    anna.locator("#id_insights").fill("Annas slutsats.")
    expect(anna.locator(".conflict__theirs-live")).to_have_text("Bos slutsats.", timeout=6000)
    expect(anna.locator("#id_insights")).to_have_value("Annas slutsats.")
    expect(anna.locator("#id_other")).to_have_value("Nästa möte i maj.")
    shoot(anna, "report-two-writers")


def test_photos_from_a_phone_are_taken_or_refused_one_by_one(
    browser, live_server, event, participant, topic, tmp_path
):
    """Several files at once: the good one is added, each refused one says why (and
    offers no pointless "Try again"), and the text being written stays."""
    good = tmp_path / "IMG_0001.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # taken with the phone upright: stored on its side
    Image.new("RGB", (1200, 900), "white").save(good, "JPEG", exif=exif)
    renamed = tmp_path / "notes.jpg"
    renamed.write_text("inte ett foto")
    empty = tmp_path / "IMG_0002.jpg"
    empty.write_bytes(b"")
    page = participant_context(browser, live_server, participant).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/sessions/{topic.pk}/report/edit/")
    page.locator("#id_discussion").fill("Vi pratade om tillit.")

    page.locator("#id_photo").set_input_files([str(good), str(renamed), str(empty)])
    page.locator("#photo-upload button[type=submit]").click()
    expect(page.locator("#photo-list img")).to_have_count(1, timeout=8000)
    rows = page.locator("#upload-progress li")
    expect(rows.nth(1)).to_contain_text("not a photo we can read", timeout=8000)
    expect(rows.nth(2)).to_contain_text("The file is empty", timeout=8000)
    expect(rows.get_by_role("button", name="Try again")).to_have_count(0)
    expect(page.locator("#id_discussion")).to_have_value("Vi pratade om tillit.")
    expect(page.locator("#save-status")).to_contain_text(":", timeout=6000)
    assert Report.objects.get().discussion == "Vi pratade om tillit."
    with Image.open(ReportPhoto.objects.get().image) as stored:
        assert stored.size == (900, 1200) and not stored.getexif()
    assert_no_horizontal_scroll(page)
    shoot(page, "report-photos-refused")


def test_the_news_wall_can_be_held_on_a_report(browser, live_server, event, topic, facilitator):
    """The reports turn every 20 s by themselves; Pause (or the P key) holds the one on the
    screen for as long as the room talks about it (WCAG 2.2.2), and turns them again."""
    second = TopicFactory(
        event=event,
        title="Andra samtalet",
        room=RoomFactory(event=event, code="B"),
        time_slot=topic.time_slot,
    )
    for session in (topic, second):
        Report.objects.create(
            topic=session, event=event, discussion="Vad vi pratade om.", published_at=timezone.now()
        )
    page = facilitator_context(browser, live_server, facilitator, viewport=PROJECTOR).new_page()
    page.clock.install()
    page.goto(f"{live_server.url}/e/{event.slug}/wall/reports/")
    title = page.locator(".slide--current .wall__title")
    first = title.inner_text()
    page.clock.run_for(21_000)
    expect(title).not_to_have_text(first)
    held = title.inner_text()

    page.get_by_role("button", name="Pause").click()
    page.clock.run_for(61_000)
    expect(title).to_have_text(held)
    expect(page.get_by_role("button", name="Resume")).to_be_visible()
    shoot(page, "news-wall-paused")
    assert_no_axe_violations(page)

    page.keyboard.press("p")
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    page.clock.run_for(21_000)
    expect(title).not_to_have_text(held)


def test_a_wall_with_nothing_to_turn_shows_no_pause(
    browser, live_server, event, topic, facilitator
):
    Report.objects.create(
        topic=topic, event=event, discussion="Vad vi pratade om.", published_at=timezone.now()
    )
    page = facilitator_context(browser, live_server, facilitator, viewport=PROJECTOR).new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/wall/reports/")
    expect(page.locator(".slide--current")).to_be_visible()
    expect(page.locator("[data-wall-pause]")).to_be_hidden()
