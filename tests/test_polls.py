"""Every polled page: a participant's unchanged poll is a 304 from one query, a change
or another viewer gets the page (openspace/live.py, docs/live-updates.md)."""

import pytest
from django.db.models import F
from django.urls import reverse

from events.models import Event, Phase
from tests.conftest import login_participant
from tests.factories import EventFactory, ParticipantFactory

POLLED = [
    ("agenda:home", ""),
    ("agenda:home", "?show=mine"),
    ("agenda:wall", ""),
    ("reports:wall", ""),
    ("reports:wall", "?round=1"),
    ("reports:vernissage", ""),
    ("reports:actions", ""),
    ("reports:actions", "?view=ladder"),
    ("reports:actions-wall", ""),
]
HTMX = {"HX-Request": "true"}


@pytest.fixture
def event(db):
    return EventFactory(phase=Phase.ACTION_PLANNING)


def _url(name, query, event):
    return reverse(name, kwargs={"slug": event.slug}) + query


@pytest.mark.parametrize(("name", "query"), POLLED)
def test_an_unchanged_poll_is_a_304_from_one_query(
    client, event, name, query, django_assert_num_queries
):
    login_participant(client, ParticipantFactory(event=event))
    first = client.get(_url(name, query, event), headers=HTMX)
    assert first.status_code == 200

    with django_assert_num_queries(1):
        again = client.get(
            _url(name, query, event), headers={**HTMX, "If-None-Match": first["ETag"]}
        )

    assert again.status_code == 304
    assert again["ETag"] == first["ETag"]


@pytest.mark.parametrize(("name", "query"), POLLED)
def test_another_viewer_or_a_change_gets_the_page(client, event, name, query, settings):
    settings.POLL_COALESCE_SECONDS = 0  # the agenda's coalescing is tested in tests/agenda
    login_participant(client, ParticipantFactory(event=event))
    url = _url(name, query, event)
    held = {**HTMX, "If-None-Match": client.get(url, headers=HTMX)["ETag"]}

    assert client.get(url, headers=held).status_code == 304
    event.touch()
    assert client.get(url, headers=held).status_code == 200

    held = {**HTMX, "If-None-Match": client.get(url, headers=HTMX)["ETag"]}
    login_participant(client, ParticipantFactory(event=event))  # same browser, someone else
    assert client.get(url, headers=held).status_code == 200


def test_a_version_read_a_moment_ago_answers_the_next_poll_without_a_query(
    client, event, settings, django_assert_num_queries
):
    settings.POLL_COALESCE_SECONDS = 60
    login_participant(client, ParticipantFactory(event=event))
    url = _url("agenda:wall", "", event)  # always current: no coalesced render
    held = {**HTMX, "If-None-Match": client.get(url, headers=HTMX)["ETag"]}
    with django_assert_num_queries(1):
        assert client.get(url, headers=held).status_code == 304

    with django_assert_num_queries(0):
        assert client.get(url, headers=held).status_code == 304


def test_a_write_in_this_process_shows_on_the_next_poll(client, event, settings):
    settings.POLL_COALESCE_SECONDS = 60
    login_participant(client, ParticipantFactory(event=event))
    url = _url("agenda:wall", "", event)  # always current: no coalesced render
    held = {**HTMX, "If-None-Match": client.get(url, headers=HTMX)["ETag"]}
    assert client.get(url, headers=held).status_code == 304

    event.touch()

    assert client.get(url, headers=held).status_code == 200


def test_a_write_in_another_process_shows_once_the_version_read_here_has_aged(
    client, event, settings
):
    settings.POLL_COALESCE_SECONDS = 60
    login_participant(client, ParticipantFactory(event=event))
    url = _url("agenda:wall", "", event)  # always current: no coalesced render
    held = {**HTMX, "If-None-Match": client.get(url, headers=HTMX)["ETag"]}
    assert client.get(url, headers=held).status_code == 304

    # Another gunicorn process's write: the version changes, this process is not told.
    Event.objects.filter(pk=event.pk).update(version=F("version") + 1)

    assert client.get(url, headers=held).status_code == 304  # known here a moment ago
    settings.POLL_COALESCE_SECONDS = 0  # ... and now too old
    assert client.get(url, headers=held).status_code == 200


@pytest.mark.parametrize("value", ["abc", "9" * 40, "-1", "", "1e9", "Ù£"])
@pytest.mark.parametrize(("name", "query"), [("agenda:home", ""), ("reports:wall", "")])
def test_a_forged_wrote_cookie_is_only_a_number_or_nothing(client, event, name, query, value):
    login_participant(client, ParticipantFactory(event=event))
    client.cookies[f"wrote_{event.pk}"] = value

    assert client.get(_url(name, query, event)).status_code == 200
