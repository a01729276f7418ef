"""Each crash the fuzzing found, pinned by a plain example (the fix is named in each test)."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from events.models import Event, Series
from reports import event_io
from reports.models import ReportPhoto

from .conftest import rolled_back

pytestmark = pytest.mark.django_db


# -- requests -------------------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib"])
@pytest.mark.parametrize(
    "body, content_type",
    [
        (b"code=ABC", "application/x-www-form-urlencoded"),
        (
            b'--B\r\nContent-Disposition: form-data; name="code"\r\n\r\nABC\r\n--B--\r\n',
            "multipart/form-data; boundary=B",
        ),
    ],
)
def test_a_body_in_a_charset_that_is_no_text_encoding_is_a_400(client, charset, body, content_type):
    """Django took "rot13" (codecs.lookup knows it) and failed decoding the form: a 500 on
    every POST. Fixed by openspace.middleware.BodyCharsetMiddleware."""
    response = client.generic(
        "POST", reverse("events:join"), body, f"{content_type}; charset={charset}"
    )
    assert response.status_code == 400


URLENCODED = (b"code=ABC", "application/x-www-form-urlencoded")
MULTIPART = (
    b'--B\r\nContent-Disposition: form-data; name="code"\r\n\r\nABC\r\n--B--\r\n',
    "multipart/form-data; boundary=B",
)


@pytest.mark.parametrize(
    "charset, body, content_type",
    [
        ("rot13", *URLENCODED),
        ("rot13", *MULTIPART),
        ("latin-1", *URLENCODED),
        ("utf-16", *URLENCODED),
        ("UTF8", *URLENCODED),
    ],
)
@pytest.mark.parametrize("hx", [False, True])
def test_a_form_in_a_charset_django_refuses_is_a_400_with_csrf_checks_on(
    charset, body, content_type, hx
):
    """Through the real server (CSRF checks on) each of these was gunicorn's bare 500:
    Django refuses a urlencoded body in any charset but UTF-8 with a BadRequest, and its
    400 page read request.POST again (its CSRF check) and raised again. The test client
    skips CSRF checks unless asked, so the test above never saw it. Fixed in
    openspace.middleware.BodyCharsetMiddleware: the body is refused before anything
    parses it, and marked as read."""
    client = Client(enforce_csrf_checks=True)
    headers = {"HX-Request": "true"} if hx else {}
    response = client.generic(
        "POST",
        reverse("events:join"),
        body,
        f"{content_type}; charset={charset}",
        headers=headers,
    )
    assert response.status_code == 400


def test_a_multipart_body_in_a_real_charset_still_works(client):
    body = b'--B\r\nContent-Disposition: form-data; name="code"\r\n\r\n' + "ÅÄÖ".encode("latin-1")
    response = client.generic(
        "POST",
        reverse("events:join"),
        body + b"\r\n--B--\r\n",
        "multipart/form-data; boundary=B; charset=latin-1",
    )
    assert response.status_code == 200
    assert "ÅÄÖ" in response.content.decode()


@pytest.mark.parametrize("next_url", ["topic", "agenda", "events:join", "x"])
def test_joining_with_a_next_that_is_no_path_goes_to_the_agenda(client, event, next_url):
    """redirect("topic") looked "topic" up as a URL name: NoReverseMatch, a 500. Fixed in
    events.views._safe_next: only paths of this site."""
    response = client.post(
        reverse("events:join-event", kwargs={"slug": event.slug}),
        {"name": "Ada", "next": next_url},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("agenda:home", kwargs={"slug": event.slug})


def test_a_photo_caption_with_a_nul_byte_is_refused(world):
    """The caption went from request.POST straight to the database: stored on SQLite, a 500
    on PostgreSQL. Fixed by reports.forms.CaptionForm in reports.views.photo_edit."""
    url = reverse(
        "reports:photo-edit",
        kwargs={"slug": world.event.slug, "pk": world.topic.pk, "photo_pk": world.photo.pk},
    )
    response = world.client("participant").post(url, {"caption": "fl\x00ip"})
    assert response.status_code == 302
    assert ReportPhoto.objects.get(pk=world.photo.pk).caption == "Blädderblock"
    response = world.client("participant").post(url, {"caption": "x" * 301})
    assert ReportPhoto.objects.get(pk=world.photo.pk).caption == "Blädderblock"
    world.client("participant").post(url, {"caption": "  Ny text "})
    assert ReportPhoto.objects.get(pk=world.photo.pk).caption == "Ny text"
    # Control and direction characters leave it, as they leave every one-line text.
    world.client("participant").post(url, {"caption": "Ny\x1b text\u202e\x07"})
    assert ReportPhoto.objects.get(pk=world.photo.pk).caption == "Ny text"


@pytest.mark.parametrize("length", ["abc", "1e3", "0x10"])
def test_a_photo_upload_with_a_malformed_content_length_is_no_500(world, length):
    """int() on the Content-Length header raised ValueError. Fixed in
    reports.views.photo_upload: a malformed length counts as none, as in Django's parser."""
    url = reverse("reports:photo-upload", kwargs={"slug": world.event.slug, "pk": world.topic.pk})
    response = world.client("participant").post(url, {"caption": "x"}, CONTENT_LENGTH=length)
    # No file came: the report page again, saying so at the file field.
    assert response.status_code == 200
    assert "Choose a photo to send." in response.content.decode()


@pytest.mark.parametrize("query", [{"round": "²"}, {"round": "9" * 5000}, {"room": "A\x00"}])
def test_a_news_wall_filter_that_is_no_plain_number_or_code_is_ignored(world, query):
    """ "²".isdigit() is true and int() refuses it; 5,000 digits pass the limit of int();
    a NUL byte reached PostgreSQL. Fixed in reports.views.wall."""
    url = reverse("reports:wall", kwargs={"slug": world.event.slug})
    assert world.client("participant").get(url, query).status_code == 200


def test_a_new_initiative_from_a_topic_that_is_no_plain_number(world):
    """The same str.isdigit() trap in ?topic=. Fixed in reports.action_views.initiative_new."""
    url = reverse("reports:action-new", kwargs={"slug": world.event.slug})
    assert world.client("facilitator").get(url, {"topic": "²"}).status_code == 200


def test_an_agenda_filter_with_a_newline_stays_out_of_the_etag_header(world):
    """?show= went into the ETag header as it came: a newline raised BadHeaderError. Fixed in
    agenda.rendering.show_filter: only the known filters."""
    url = reverse("agenda:home", kwargs={"slug": world.event.slug})
    response = world.client("participant").get(url, {"show": "mine\nX-Evil: 1"})
    assert response.status_code == 200
    assert "\n" not in response["ETag"]
    assert response["ETag"] == world.client("participant").get(url)["ETag"]


@pytest.mark.parametrize("token", ["%00", "a%00b", "%ED%A0%80"])
def test_a_token_in_the_address_with_a_nul_byte_is_a_404(world, token):
    """Resume and invitation links took any text: a NUL byte reached the query, a 500 on
    PostgreSQL. Fixed in events/urls.py: tokens are slugs (URL-safe base64)."""
    client = world.client("anonymous")
    assert client.get(f"/e/{world.event.slug}/resume/{token}/").status_code == 404
    assert client.get(f"/facilitate/invite/{token}/").status_code == 404


# -- the JSON import ------------------------------------------------------------------------


def document(**event):
    return {
        "format": "openspace-event",
        "format_version": 1,
        "event": {
            "title": "Träff",
            "date": "2026-05-04",
            "start_time": "09:00:00",
            "end_time": "12:00:00",
            **event,
        },
    }


def refused(raw) -> str:
    before = Event.objects.count()
    with pytest.raises(event_io.EventImportError) as error:
        event_io.import_event(raw)
    assert Event.objects.count() == before
    return str(error.value)


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_an_import_with_a_lone_surrogate_is_refused(text):
    """JSON carries "\\ud800"; both databases' UTF-8 encoders failed on it (a 500). Fixed
    by event_io.check_storable_text."""
    message = refused(json.dumps(document(title=text)).encode())
    assert "broken Unicode" in message
    message.encode("utf-8")  # the message itself can be shown


def test_an_import_with_a_nul_byte_is_refused_everywhere_in_the_document():
    """Stored on SQLite, a 500 on PostgreSQL; keys count too."""
    refused(json.dumps(document(venue="Rum\x00A")).encode())
    refused(json.dumps({**document(), "rooms": [{"name": "A", "code": "A", "x\x00": 1}]}))
    refused({**document(), "closing_summary": "slut\x00"})  # a dict, not bytes


@pytest.mark.parametrize("value", [20260504, 1.5, [2026, 5, 4], {"y": 2026}, True])
def test_an_import_with_a_date_that_is_no_text_is_refused(value):
    """Django's date parsers raise TypeError on a number (a 500). Fixed in
    event_io._load_value: dates and times must be text."""
    assert "date or time" in refused(json.dumps(document(date=value)))
    assert "date or time" in refused(json.dumps(document(start_time=value)))


@pytest.mark.parametrize(
    "stamp", ["0001-01-01T00:00:00", "0001-01-01T00:30:00+14:00", "9999-12-31T23:59:59-12:00"]
)
def test_an_import_with_a_time_stamp_at_the_end_of_the_calendar_is_refused(stamp):
    """Converting to UTC (to store) or to local time (to show) overflowed: a 500."""
    raw = {**document(), "participants": [{"name": "Ada", "created_at": stamp}]}
    assert "out of range" in refused(json.dumps(raw))
    raw = {**document(), "participants": [{"name": "Ada", "removed_at": stamp}]}
    assert "out of range" in refused(json.dumps(raw))


@pytest.mark.parametrize("ref_id", [[1], {"a": 1}, "1", 1.0, True])
def test_an_import_whose_id_is_no_whole_number_is_refused(ref_id):
    """A list as "id" was used as a dict key: TypeError, a 500."""
    raw = {**document(), "participants": [{"id": ref_id, "name": "Ada"}]}
    assert "whole number" in refused(json.dumps(raw))


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": "openspace-event", "format_version": 1, "event": {"title": '
        + b"1" * 5000
        + b"}}",
    ],
    ids=["nested-too-deep", "huge-number"],
)
def test_an_import_nested_too_deep_or_with_a_huge_number_is_refused(raw):
    """json.loads raised RecursionError and ValueError (not JSONDecodeError): a 500."""
    refused(raw)


def test_an_import_with_a_series_name_too_long_is_refused():
    """The series name was saved unchecked: DataError on PostgreSQL (a 500)."""
    assert "series" in refused(json.dumps(document(series="S" * 201)))
    assert not Series.objects.filter(name__startswith="SSS").exists()


def test_the_import_page_shows_the_refusal_of_broken_unicode(world):
    raw = json.dumps(document(title="\ud800")).encode()
    with rolled_back():
        response = world.client("facilitator").post(
            reverse("reports:event-import"),
            {"file": SimpleUploadedFile("e.json", raw, "application/json"), "slug": "typed-slug"},
        )
        assert response.status_code == 400
        assert "typed-slug" in response.content.decode()


def test_the_import_command_refuses_with_a_command_error(tmp_path):
    path = tmp_path / "e.json"
    path.write_bytes(json.dumps(document(date=5)).encode())
    with pytest.raises(CommandError, match="date or time"):
        call_command("import_event", str(path), stdout=io.StringIO())
