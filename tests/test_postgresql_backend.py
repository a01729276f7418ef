"""openspace/postgresql: Django's health check of a kept connection, without a round trip
while the connection is quiet, and still closing a connection the server has ended."""

import select
import time
from unittest import mock

import pytest
from django.db import connection, connections
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend"),
]


@pytest.fixture
def kept():
    """A connection of its own, as a gunicorn worker keeps one between requests."""
    other = connections.create_connection("default")
    other.ensure_connection()
    yield other
    other.close()


def wait_readable(wrapper, seconds=5.0):
    poller = select.poll()
    poller.register(wrapper.connection.fileno(), select.POLLIN)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not poller.poll(50):
        pass


def test_the_backend_is_ours():
    assert connection.settings_dict["ENGINE"] == "openspace.postgresql"
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_connection_is_usable_without_asking_the_server(kept):
    with mock.patch.object(DjangoWrapper, "is_usable", side_effect=AssertionError("asked")):
        assert kept.is_usable()
        kept.health_check_done = False
        kept.close_if_health_check_failed()
    assert kept.connection is not None


def test_a_connection_the_server_ended_is_closed_and_opened_again(kept):
    pid = kept.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_readable(kept)
    assert not kept.is_usable()

    # What Django does at the start of the next request: close it, then connect anew.
    kept.health_check_done = False
    kept.close_if_health_check_failed()
    assert kept.connection is None
    with kept.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def test_something_to_read_makes_it_ask_the_server(kept):
    """A notification arrives unasked: Django's SELECT 1 runs, reads it and answers."""
    with kept.cursor() as cursor:
        cursor.execute("LISTEN openspace_test")
    notifier = connections.create_connection("default")
    try:
        with notifier.cursor() as cursor:  # autocommit: sent at once
            cursor.execute("NOTIFY openspace_test")
    finally:
        notifier.close()
    wait_readable(kept)
    with mock.patch.object(
        DjangoWrapper, "is_usable", autospec=True, side_effect=DjangoWrapper.is_usable
    ) as django_check:
        assert kept.is_usable()
        assert django_check.call_count == 1
        assert kept.is_usable()  # read: quiet again
        assert django_check.call_count == 1
