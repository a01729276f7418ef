"""The error pages a participant can meet: in their language, with a way on."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation
from django.views.defaults import server_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "text"),
    [("en", "Page not found"), ("sv", "Sidan finns inte"), ("da", "Siden findes ikke")],
)
def test_a_mistyped_event_address_gets_a_page_in_the_browsers_language(language, text):
    response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/e/no-such-event/")
    assert response.status_code == 404
    body = response.content.decode()
    assert text in body
    assert f'href="{reverse("events:join")}"' in body  # a way on: join with the code


def test_a_page_that_is_not_the_viewers_says_so(client, event):
    response = client.post(reverse("agenda:signup", kwargs={"slug": event.slug, "pk": 1}))
    assert response.status_code == 403
    assert "Not for you to open" in response.content.decode()


def test_an_expired_form_says_nothing_was_saved_and_what_to_do():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    response = client.post(reverse("events:join"), {"code": "X"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "The form had expired" in body
    assert "was not saved" in body


def test_the_server_error_page_needs_no_request_context():
    with translation.override("nb"):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Noe gikk galt" in response.content.decode()


def test_pages_answer_head_requests_as_link_checkers_send_them(client, event):
    for path in ("/join/", f"/e/{event.slug}/join/", f"/e/{event.slug}/"):
        response = client.head(path)
        assert response.status_code in (200, 302), path
        assert response.content == b""


@pytest.mark.parametrize("method", ["get", "put", "delete"])
def test_a_forms_address_opened_as_a_page_says_what_it_is(event, method):
    """require_POST's 405 had an empty body: a blank page in the browser."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"  # the switcher's choice
    url = reverse("agenda:signup", kwargs={"slug": event.slug, "pk": 1})
    response = getattr(client, method)(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    body = response.content.decode()
    assert "Adressen är till för att skicka ett formulär" in body
    assert f'href="{reverse("events:join")}"' in body


def test_a_head_request_to_a_forms_address_stays_empty(event):
    response = Client().head(reverse("agenda:signup", kwargs={"slug": event.slug, "pk": 1}))
    assert response.status_code == 405
    assert response.content == b""


def test_an_unreadable_form_gets_a_page_in_the_persons_language():
    """Django's own 400 page was English, without the site around it."""
    client = Client(HTTP_ACCEPT_LANGUAGE="da")
    response = client.generic("POST", reverse("events:join"), b"garbage", "multipart/form-data")
    assert response.status_code == 400
    body = response.content.decode()
    assert '<html lang="da"' in body
    assert "Forespørgslen kunne ikke læses" in body
    assert "intet blev gemt" in body


@pytest.mark.parametrize("hx", [False, True])
def test_a_form_over_the_size_limit_is_a_413_that_says_so(settings, hx):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    headers = {"HX-Request": "true"} if hx else {}
    response = client.post(reverse("events:join"), {"code": "x" * 2000}, headers=headers)
    assert response.status_code == 413
    body = response.content.decode()
    assert "Too much sent at once" in body
    assert "nothing was saved" in body
