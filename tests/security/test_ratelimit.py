"""Rate limits: per participant and per address, a clear 429 in the form the page can
show, counters shared and atomic, no address stored, and defaults a venue never hits."""

import threading
import time

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse

from agenda.models import Topic
from events.models import Phase
from openspace import ratelimit
from openspace.models import RateLimitCounter
from tests.conftest import login_participant
from tests.factories import ParticipantFactory, TopicFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):
    """Set a few limits low for one test: limits(topic=(2, 100)) -> (per person, per ip)."""

    def set_limits(**actions):
        table = {name: dict(value) for name, value in django_settings.RATE_LIMITS.items()}
        for action, (person, ip) in actions.items():
            table[action.replace("_", "-")] = {
                "person": (person, 600) if person else None,
                "ip": (ip, 600) if ip else None,
            }
        settings.RATE_LIMITS = table

    return set_limits


def post_topic(client, event, title="Ämne", **extra):
    return client.post(
        reverse("agenda:topic-new", kwargs={"slug": event.slug}), {"title": title}, **extra
    )


# -- per participant and per address ---------------------------------------------------


def test_a_participant_over_the_limit_gets_the_clear_429_page(client, event, participant, limits):
    limits(topic=(2, 100))
    login_participant(client, participant)
    assert post_topic(client, event).status_code == 302
    assert post_topic(client, event).status_code == 302
    response = post_topic(client, event)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "<h1>" in response.content.decode()
    assert Topic.objects.count() == 2


def test_another_participant_behind_the_same_address_may_still_post(
    client, event, participant, limits
):
    limits(topic=(1, 100))
    login_participant(client, participant)
    post_topic(client, event)
    assert post_topic(client, event).status_code == 429
    client.cookies.clear()
    login_participant(client, ParticipantFactory(event=event))
    assert post_topic(client, event).status_code == 302


def test_the_per_address_limit_covers_everyone_behind_one_address(client, event, limits):
    limits(topic=(100, 3))
    for _ in range(3):
        client.cookies.clear()
        login_participant(client, ParticipantFactory(event=event))
        assert post_topic(client, event).status_code == 302
    client.cookies.clear()
    login_participant(client, ParticipantFactory(event=event))
    assert post_topic(client, event).status_code == 429
    assert post_topic(client, event, REMOTE_ADDR="192.0.2.7").status_code == 302


def test_facilitators_are_not_limited_on_their_event(client, event, facilitator, limits):
    limits(topic=(1, 1))
    client.force_login(facilitator)
    for _ in range(3):
        assert post_topic(client, event).status_code == 302


def test_pages_are_never_counted(client, event, participant, limits):
    limits(topic=(1, 1))
    login_participant(client, participant)
    for _ in range(5):
        assert client.get(reverse("agenda:topic-new", kwargs={"slug": event.slug})).status_code
    assert post_topic(client, event).status_code == 302


def test_rate_limits_can_be_turned_off(client, event, participant, limits, settings):
    limits(topic=(1, 1))
    settings.RATELIMIT_ENABLED = False
    login_participant(client, participant)
    assert post_topic(client, event).status_code == 302
    assert post_topic(client, event).status_code == 302


# -- the answer, as each kind of page needs it -------------------------------------------


def test_htmx_gets_the_message_as_a_fragment_put_at_the_top_of_the_page(
    client, event, participant, limits
):
    limits(signup=(1, 100))
    topic = TopicFactory(event=event)
    login_participant(client, participant)
    url = reverse("agenda:signup", kwargs={"slug": event.slug, "pk": topic.pk})
    client.post(url, headers={"HX-Request": "true"})
    response = client.post(url, {"action": "leave"}, headers={"HX-Request": "true"})
    assert response.status_code == 429
    body = response.content.decode()
    assert "<html" not in body and 'role="alert"' in body
    assert response["HX-Retarget"] == "#main"
    assert response["HX-Reswap"] == "afterbegin"


def test_the_htmx_config_lets_429_and_423_answers_be_shown(client):
    page = client.get(reverse("events:join")).content.decode()
    assert '"code": "42[39]", "swap": true, "error": false' in page


def test_autosave_gets_the_message_in_the_shape_of_a_form_error(client, event, participant, limits):
    limits(report=(1, 100))
    topic = TopicFactory(event=event, convener=participant)
    event.phase = Phase.ROUNDS
    event.save()
    login_participant(client, participant)
    url = reverse("reports:report-autosave", kwargs={"slug": event.slug, "pk": topic.pk})
    assert client.post(url, {"version": 1, "discussion": "a"}).status_code == 200
    response = client.post(url, {"version": 2, "discussion": "ab"})
    assert response.status_code == 429
    assert "minute" in response.json()["errors"]["__all__"][0]["message"]


def test_a_scripted_photo_upload_gets_the_message_as_text(client, event, participant, limits):
    limits(photo=(1, 100))
    topic = TopicFactory(event=event, convener=participant)
    login_participant(client, participant)
    url = reverse("reports:photo-upload", kwargs={"slug": event.slug, "pk": topic.pk})
    client.post(url, headers={"X-Requested-With": "fetch"})
    response = client.post(url, headers={"X-Requested-With": "fetch"})
    assert response.status_code == 429
    assert response["Content-Type"].startswith("text/plain")
    assert "minute" in response.content.decode()


@pytest.mark.parametrize(
    ("action", "name", "data"),
    [
        ("comment", "reports:comment-add", {"text": "Bra!"}),
        ("initiative", "reports:action-new", {"what": "Något", "levels": ["F"]}),
        ("reflection", "reports:closing", {"text": "Tack"}),
    ],
)
def test_comments_initiatives_and_reflections_are_limited(
    client, event, participant, limits, action, name, data
):
    limits(**{action: (1, 100)})
    topic = TopicFactory(event=event, convener=participant)
    login_participant(client, participant)
    kwargs = {"slug": event.slug}
    if name == "reports:comment-add":
        kwargs["pk"] = topic.pk
    url = reverse(name, kwargs=kwargs)
    client.post(url, data)
    assert client.post(url, data).status_code == 429


# -- joining, join codes, logging in -----------------------------------------------------


def test_joining_is_limited_per_address(client, event, limits):
    limits(join=(None, 2))
    url = reverse("events:join-event", kwargs={"slug": event.slug})
    for name in ("Anna", "Bo"):
        client.cookies.clear()
        assert client.post(url, {"name": name}).status_code == 302
    client.cookies.clear()
    assert client.post(url, {"name": "Cecilia"}).status_code == 429
    assert event.participants.count() == 2


def test_only_wrong_join_codes_count(client, event, limits):
    limits(join_code=(None, 3))
    url = reverse("events:join")
    for _ in range(10):
        assert client.post(url, {"code": event.join_code}).status_code == 302
    for _ in range(3):
        assert client.post(url, {"code": "WRONG1"}).status_code == 200
    response = client.post(url, {"code": event.join_code})
    assert response.status_code == 429
    assert client.post(url, {"code": event.join_code}, REMOTE_ADDR="192.0.2.9").status_code == 302


def test_failed_logins_are_limited_per_user_name_and_per_address(client, limits):
    limits(login=(2, 5))
    UserFactory(username="anna")
    url = reverse("login")
    for _ in range(2):
        assert client.post(url, {"username": "anna", "password": "wrong"}).status_code == 200
    # The right password too: the name is locked for the window.
    response = client.post(url, {"username": "Anna", "password": "a-long-test-password"})
    assert response.status_code == 429
    # Another name from another address is not.
    UserFactory(username="bo")
    response = client.post(
        url, {"username": "bo", "password": "a-long-test-password"}, REMOTE_ADDR="192.0.2.3"
    )
    assert response.status_code == 302
    # Five attempts from one address, whatever the name.
    for name in ("c", "d"):
        client.post(url, {"username": name, "password": "x"})
    assert client.post(url, {"username": "e", "password": "x"}).status_code == 429


# -- who is the client ----------------------------------------------------------------


def request_from(remote, forwarded=None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_a_proxy_the_socket_address_counts_and_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert ratelimit.client_ip(request_from("203.0.113.5", "198.51.100.1")) == "203.0.113.5"


def test_behind_one_proxy_the_address_it_added_counts_not_what_the_client_wrote(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = request_from("127.0.0.1", "1.2.3.4, 203.0.113.5")
    assert ratelimit.client_ip(spoofed) == "203.0.113.5"
    assert ratelimit.client_ip(request_from("127.0.0.1", "203.0.113.5")) == "203.0.113.5"


def test_ipv6_clients_are_counted_by_their_64_network():
    assert ratelimit.address_bucket("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert ratelimit.address_bucket("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert ratelimit.address_bucket("::ffff:192.0.2.1") == "192.0.2.1"
    assert ratelimit.address_bucket("not an address") == "unknown"


# -- the counters -----------------------------------------------------------------------


def test_no_address_or_participant_id_is_stored(client, event, participant, limits):
    limits(topic=(5, 5))
    login_participant(client, participant)
    post_topic(client, event, REMOTE_ADDR="203.0.113.77")
    keys = " ".join(RateLimitCounter.objects.values_list("key", flat=True))
    assert keys and "203.0.113" not in keys and f"participant:{participant.pk}" not in keys


def test_counters_of_ended_windows_are_deleted(monkeypatch):
    RateLimitCounter.objects.create(key="old", count=3, expires_at=int(time.time()) - 1)
    monkeypatch.setattr(ratelimit, "PURGE_ONE_IN", 1)
    ratelimit.count(request_from("192.0.2.1"), "topic")
    assert not RateLimitCounter.objects.filter(key="old").exists()


@pytest.mark.django_db(transaction=True)
def test_counting_is_atomic_across_threads(settings):
    """Eight threads, each its own database connection, count 200 hits: exactly 200."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "topic": {"person": None, "ip": (10**6, 600)}}
    errors = []

    def work():
        try:
            for _ in range(25):
                ratelimit.count(request_from("192.0.2.50"), "topic")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert RateLimitCounter.objects.get(key__startswith="topic:ip:").count == 200


def test_a_venue_of_2000_behind_one_address_never_hits_the_default_limits():
    """The defaults with the busiest ten minutes of a 2,000-person event, all through
    one NAT address: everyone joins (and a quarter again on a second device), signs up
    for five sessions, 200 topics, 300 comments, 200 photos, 200 initiatives."""
    request = request_from("198.51.100.10")
    peak = {
        "join": 2500,
        "join-code": 150,
        "topic": 200,
        "signup": 10000,
        "comment": 300,
        "photo": 200,
        "initiative": 200,
        "reflection": 2000,
    }
    for action, times in peak.items():
        limit = django_settings.RATE_LIMITS[action]["ip"]
        assert limit[0] >= times * 1.2, action
    # And counted for real, for joining: the busiest action that has only an address.
    for _ in range(peak["join"]):
        assert ratelimit.count(request, "join") == 0


# -- the settings ---------------------------------------------------------------------


def test_limits_are_set_by_environment_variables_and_bad_ones_stop_start_up():
    from tests.test_settings import load_settings

    result = load_settings(
        "s.RATE_LIMITS['topic'], s.RATE_LIMITS['join']",
        DEBUG="true",
        RATELIMIT_TOPIC_PER_IP="2000/10m",
        RATELIMIT_TOPIC_PER_PERSON="off",
        RATELIMIT_JOIN_PER_IP="50/30s",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "({'person': None, 'ip': (2000, 600)}, {'person': None, 'ip': (50, 30)})"
    )
    result = load_settings(DEBUG="true", RATELIMIT_COMMENT_PER_IP="lots")
    assert result.returncode != 0
    assert "RATELIMIT_COMMENT_PER_IP must be a count per period" in result.stderr


def test_behind_a_proxy_one_proxy_is_trusted_unless_told_otherwise():
    from tests.test_settings import load_settings

    assert load_settings("s.TRUSTED_PROXY_COUNT", DEBUG="true").stdout.strip() == "0"
    behind = load_settings("s.TRUSTED_PROXY_COUNT", DEBUG="true", BEHIND_PROXY="true")
    assert behind.stdout.strip() == "1"
    two = load_settings(
        "s.TRUSTED_PROXY_COUNT", DEBUG="true", BEHIND_PROXY="true", TRUSTED_PROXY_COUNT="2"
    )
    assert two.stdout.strip() == "2"
