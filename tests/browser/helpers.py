"""Shared helpers for the browser tests (Playwright driving Debian's Chromium)."""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client

from events.identity import remember_participant
from tests.conftest import LAPTOP, PHONE

SHOTS = Path("/tmp/shots/browser-tests")


def shoot(page, name: str) -> None:
    """A full-page screenshot to look at by hand (not asserted on)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def assert_no_axe_violations(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_no_horizontal_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"page is {width}px wide"


def participant_context(browser, live_server, participant, viewport=PHONE, **options):
    """A browser that knows `participant`; `options` go to new_context
    (java_script_enabled=False for a phone without scripts)."""
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    response = HttpResponse()
    remember_participant(HttpRequest(), response, participant)
    context.add_cookies(
        [
            {"name": key, "value": morsel.value, "url": live_server.url}
            for key, morsel in response.cookies.items()
        ]
    )
    return context


def facilitator_context(browser, live_server, user, viewport=LAPTOP, **options):
    """A logged-in browser; `options` go to new_context (e.g. timezone_id)."""
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport=viewport, locale="en-GB", **options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context
