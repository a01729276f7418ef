"""The documentation pages in a real browser: accessibility, layout on a phone and a projector."""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from reports.models.documentation import DocumentationSettings
from tests.browser.helpers import assert_no_axe_violations as assert_accessible
from tests.browser.helpers import assert_no_horizontal_scroll
from tests.conftest import PHONE, PROJECTOR

from .documentation_demo import make_demo_event

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp/shots/h7-docs"))


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def login(page, live_server, user):
    """Give the browser the session cookie of a logged-in `user`."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


@pytest.mark.parametrize(("label", "viewport"), [("phone", PHONE), ("projector", PROJECTOR)])
def test_preview_and_settings_pages(page, live_server, facilitator, label, viewport):
    event = make_demo_event(facilitators=[facilitator])
    DocumentationSettings.objects.create(event=event, intro="Tack för en fin dag!")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size(viewport)
    login(page, live_server, facilitator)

    for name in ["documentation-preview", "documentation-settings"]:
        page.goto(f"{live_server.url}{reverse(f'reports:{name}', kwargs={'slug': event.slug})}")
        page.screenshot(path=str(SHOTS / f"{name}-{label}.png"), full_page=True)
        assert_accessible(page)
        assert_no_horizontal_scroll(page)


def test_import_page(page, live_server, facilitator):
    page.set_viewport_size(PHONE)
    login(page, live_server, facilitator)
    page.goto(f"{live_server.url}{reverse('reports:event-import')}")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "event.json", "mimeType": "application/json", "buffer": b"{broken"}],
    )
    page.click("main button[type=submit]")
    assert page.locator(".errorlist").inner_text().startswith("The file is not valid JSON")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-error-phone.png"), full_page=True)
    assert_accessible(page)


def test_progress_page_of_a_background_render(
    page, live_server, facilitator, settings, monkeypatch
):
    from reports import documentation

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(documentation, "renders_inline", lambda event: False)
    event = make_demo_event(facilitators=[facilitator])
    page.set_viewport_size(PHONE)
    login(page, live_server, facilitator)

    pdf_url = reverse("reports:documentation-pdf", kwargs={"slug": event.slug})
    page.goto(f"{live_server.url}{pdf_url}")

    assert "/documentation/status/" in page.url
    assert page.locator("progress").count() == 1
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "documentation-progress-phone.png"), full_page=True)
    assert_accessible(page)
    assert_no_horizontal_scroll(page)
