import pytest
from django.test import RequestFactory

from openspace.middleware import language_for_request

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("no", "nb"),
        ("no-NO,no;q=0.9", "nb"),
        ("nn-NO", "nb"),
        ("da-DK", "da"),
        ("en-GB,en;q=0.8", "en"),
        ("fr-FR,de;q=0.5", "sv"),
        ("", "sv"),
    ],
)
def test_browser_languages_outside_events(header, expected):
    request = RequestFactory().get("/join/", headers={"Accept-Language": header})
    assert language_for_request(request) == expected


def test_event_pages_use_the_event_language(event):
    event.language = "da"
    event.save()
    request = RequestFactory().get(f"/e/{event.slug}/", headers={"Accept-Language": "en"})
    assert language_for_request(request) == "da"


def test_the_switcher_wins(event):
    request = RequestFactory().get(f"/e/{event.slug}/")
    request.COOKIES["lang"] = "nb"
    assert language_for_request(request) == "nb"


def test_pages_say_their_language_and_use_a_24_hour_clock(participant_client, event):
    from django.utils import formats, translation

    for code in ("sv", "da", "nb", "en"):
        with translation.override(code):
            assert formats.time_format(__import__("datetime").time(13, 45)) in ("13:45", "13.45")
    participant_client.cookies["lang"] = "en"
    response = participant_client.get(f"/e/{event.slug}/")
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
