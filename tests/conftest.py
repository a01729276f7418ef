import os
import socket

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation

from events.identity import remember_participant
from openspace import live

from .factories import EventFactory, ParticipantFactory, UserFactory

# Django's live_server runs in a thread beside sync Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

PHONE = {"width": 360, "height": 740}
LAPTOP = {"width": 1366, "height": 800}
PROJECTOR = {"width": 1920, "height": 1080}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": LAPTOP, "locale": "en-GB"}


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters, the cached event language (keyed by slug, and the fixtures
    reuse slugs) and the shared renders (keyed by event id, and ids are used again) must
    not leak from one test into the next."""
    cache.clear()
    live.forget_shared_renders()
    yield
    cache.clear()
    live.forget_shared_renders()


@pytest.fixture(autouse=True)
def _english_outside_requests():
    """Code run outside a request (services, exporters, commands) speaks the default
    language, Swedish; the tests read the English source strings. Requests still choose
    their language themselves (tests/test_languages.py, tests/test_translations.py)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """Django's test client, asking for English like the browser tests (en-GB): pages
    outside an event otherwise fall back to Swedish, the default language."""
    return Client(headers={"Accept-Language": "en"})


@pytest.fixture
def facilitator(db):
    return UserFactory(username="facilitator")


@pytest.fixture
def other_facilitator(db):
    return UserFactory(username="other-facilitator")


@pytest.fixture
def event(facilitator):
    return EventFactory(slug="natverk", facilitators=[facilitator])


@pytest.fixture
def other_event(other_facilitator):
    return EventFactory(slug="annat", facilitators=[other_facilitator])


@pytest.fixture
def participant(event):
    return ParticipantFactory(event=event, name="Anna Andersson", organisation="Kommunen")


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    return client


def login_participant(client, participant):
    """Give a test client the signed cookie of `participant`."""
    from django.http import HttpRequest, HttpResponse

    response = HttpResponse()
    remember_participant(HttpRequest(), response, participant)
    for key, morsel in response.cookies.items():
        client.cookies[key] = morsel.value
    return client


@pytest.fixture
def participant_client(client, participant):
    return login_participant(client, participant)


@pytest.fixture
def no_network(monkeypatch):
    """Record (and block) every attempt to open a network connection."""
    attempts = []

    def refuse(self, address, *args, **kwargs):
        attempts.append(address)
        raise OSError("network use in a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts
