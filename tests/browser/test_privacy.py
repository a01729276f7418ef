"""A participant on a phone reads the privacy notice, sees and downloads their data,
and deletes it; the facilitator's privacy page on a phone too."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from agenda.models import SignUp
from events.models import Participant
from reports.models import ReportComment
from tests.conftest import PHONE
from tests.factories import ParticipantFactory, SignUpFactory, TopicFactory

from .helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    facilitator_context,
    participant_context,
    shoot,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_phone_downloads_and_deletes_its_data(browser, live_server, event, participant):
    event.privacy_controller = "Region Exempel, dataskydd@region.se"
    event.retention_days = 90
    event.save()
    bertil = ParticipantFactory(event=event, name="Bertil Berg")
    topic = TopicFactory(event=event, convener=participant, title="Klarspråk i beslut")
    SignUpFactory(topic=topic, participant=bertil)
    SignUpFactory(topic=TopicFactory(event=event, convener=bertil), participant=participant)

    context = participant_context(browser, live_server, participant, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/me/")
    page.locator(f"a[href='/e/{event.slug}/me/data/']").click()
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/me/data/")
    expect(page.locator("main")).to_contain_text("Klarspråk i beslut")
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    shoot(page, "privacy-my-data-phone")

    with page.expect_download() as download_info:
        page.locator(f"main a[href='/e/{event.slug}/me/data.json']").first.click()
    download = download_info.value
    assert download.suggested_filename == f"{event.slug}-my-data.json"
    data = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    assert data["you"]["name"] == "Anna Andersson"
    assert [t["title"] for t in data["topics"]] == ["Klarspråk i beslut"]
    assert "Bertil" not in json.dumps(data, ensure_ascii=False)

    page.locator(f"main a[href='/e/{event.slug}/me/delete/']").click()
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/me/delete/")
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    shoot(page, "privacy-delete-phone")
    page.locator("main form button[type=submit]").click()

    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/privacy/")
    expect(page.locator(".message--success")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Region Exempel, dataskydd@region.se")
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    shoot(page, "privacy-notice-after-delete-phone")
    participant.refresh_from_db()
    assert participant.name != "Anna Andersson" and participant.anonymised_at is not None
    assert not SignUp.objects.filter(participant=participant).exists()
    assert not ReportComment.objects.filter(participant=participant).exists()
    assert SignUp.objects.filter(participant=bertil).exists()
    # This phone no longer knows anyone: the agenda asks it to join.
    page.goto(f"{live_server.url}/e/{event.slug}/me/data/")
    expect(page).to_have_url(
        f"{live_server.url}/e/{event.slug}/join/?next=%2Fe%2F{event.slug}%2Fme%2Fdata%2F"
    )
    expect(page.locator(f"main a[href='/e/{event.slug}/privacy/']")).to_be_visible()
    assert_no_axe_violations(page)
    shoot(page, "privacy-join-phone")
    context.close()
    assert Participant.objects.filter(event=event).count() == 2


def test_the_facilitators_privacy_pages_on_a_phone(browser, live_server, event, facilitator):
    ParticipantFactory(event=event, name="Bertil Berg")
    context = facilitator_context(browser, live_server, facilitator, viewport=PHONE)
    page = context.new_page()
    page.goto(f"{live_server.url}/e/{event.slug}/facilitate/privacy/")
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    shoot(page, "privacy-settings-phone")
    page.locator("#id_privacy_controller").fill("Region Exempel")
    page.locator("#id_retention_days").fill("30")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".message--success")).to_be_visible()
    page.locator(f"main a[href='/e/{event.slug}/facilitate/privacy/anonymise/']").click()
    assert_no_axe_violations(page)
    shoot(page, "privacy-anonymise-phone")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/e/{event.slug}/facilitate/privacy/")
    assert not event.participants.filter(name="Bertil Berg").exists()
    page.goto(f"{live_server.url}/e/{event.slug}/facilitate/delete/")
    assert_no_horizontal_scroll(page)
    assert_no_axe_violations(page)
    shoot(page, "privacy-delete-event-phone")
    page.locator("#id_confirmation").fill("fel")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".errorlist")).to_be_visible()
    assert_no_axe_violations(page)
    page.locator("#id_confirmation").fill(event.slug)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{live_server.url}/facilitate/")
    context.close()
