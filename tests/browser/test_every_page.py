"""axe-core on every page a person can reach: a crawler follows the links of the demo
event as a participant who convenes sessions (on a phone) and as its facilitator (on a
laptop), and checks each HTML page it finds once per URL pattern. A new page linked from
anywhere is checked without anyone adding it here."""

import io
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import Resolver404, resolve

from agenda.models import Topic
from events.models import Event

from .helpers import (
    assert_no_axe_violations,
    assert_no_horizontal_scroll,
    facilitator_context,
    participant_context,
)

pytestmark = pytest.mark.browser

# Downloads and actions that are not pages to read.
SKIP_SUFFIXES = (".pdf", ".ics", ".json", ".csv", ".svg", ".png", ".jpg", ".webp", ".zip")
SKIP_PREFIXES = ("/admin/", "/logout/", "/static/", "/media/", "/i18n/")
MAX_PAGES = 80


@pytest.fixture
def demo(settings, tmp_path, transactional_db):
    settings.BASE_DIR = tmp_path
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", stdout=io.StringIO())
    event = Event.objects.get(slug="demo")
    convener = Topic.objects.filter(event=event).order_by("pk").first().convener
    return {"event": event, "convener": convener, "facilitator": event.facilitators.first()}


def route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.route


def crawl(
    context, live_server, start: str, *, phone: bool, text_size: int | None = None, axe=True
) -> list[str]:
    """Visit every page reachable from start, one per URL pattern; return the paths.
    text_size: the browser's default font size in px (16 unless a person changed it)."""
    page = context.new_page()
    if text_size:
        # What a phone's "larger text" setting does: every rem and em grows with it.
        session = context.new_cdp_session(page)
        session.send(
            "Page.setFontSizes", {"fontSizes": {"standard": text_size, "fixed": text_size}}
        )
    queue, seen_routes, visited = [start], set(), []
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        route = route_of(path)
        if route is None or route in seen_routes:
            continue
        seen_routes.add(route)
        response = page.goto(live_server.url + path)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        assert response.status == 200, f"{path} answered {response.status}"
        visited.append(path)
        try:
            if axe:
                assert_no_axe_violations(page)
            if phone:
                assert_no_horizontal_scroll(page)
        except AssertionError as error:
            raise AssertionError(f"{path}: {error}") from error
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            parts = urlsplit(href)
            if parts.netloc != urlsplit(live_server.url).netloc:
                continue
            link = parts.path
            if link.endswith(SKIP_SUFFIXES) or link.startswith(SKIP_PREFIXES):
                continue
            queue.append(link)
    page.close()
    return visited


def test_every_participant_page_is_accessible_on_a_phone(browser, live_server, demo):
    context = participant_context(browser, live_server, demo["convener"])
    visited = crawl(context, live_server, f"/e/{demo['event'].slug}/", phone=True)
    context.close()
    # The agenda, a session, the news wall, a report, the action board, "me", at least.
    assert len(visited) >= 6, visited


def test_no_participant_page_scrolls_sideways_with_double_text_size(browser, live_server, demo):
    """WCAG 1.4.4 and 1.4.10: a phone set to twice the text size still shows each page
    in one column (the news wall's cards and the language menu did not fit)."""
    context = participant_context(browser, live_server, demo["convener"])
    visited = crawl(
        context, live_server, f"/e/{demo['event'].slug}/", phone=True, text_size=32, axe=False
    )
    context.close()
    assert len(visited) >= 6, visited


def test_every_facilitator_page_is_accessible(browser, live_server, demo):
    user = get_user_model().objects.get(pk=demo["facilitator"].pk)
    context = facilitator_context(browser, live_server, user)
    visited = crawl(context, live_server, "/facilitate/", phone=False)
    context.close()
    assert len(visited) >= 10, visited
