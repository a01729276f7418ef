"""The error pages a participant can meet: in their language, with a way on."""

import pytest
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
