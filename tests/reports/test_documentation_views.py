"""Views of the documentation and of the event's data: permissions, methods, behaviour."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from events.models import Event, Phase
from reports import event_io
from reports.models import ClosingSummary
from reports.models.documentation import DocumentationRender, DocumentationSettings
from tests.conftest import login_participant
from tests.factories import ParticipantFactory

from .documentation_demo import make_demo_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(facilitator):
    return make_demo_event(facilitators=[facilitator])


def url(name, event, query=""):
    return reverse(f"reports:{name}", kwargs={"slug": event.slug}) + query


def as_(who, client, demo, other_event, facilitator, other_facilitator):
    """A client logged in as `who`."""
    if who == "participant":
        login_participant(client, ParticipantFactory(event=demo))
    elif who == "other_participant":
        login_participant(client, ParticipantFactory(event=other_event))
    elif who == "facilitator":
        client.force_login(facilitator)
    elif who == "other_facilitator":
        client.force_login(other_facilitator)
    return client


# -- permission matrix ------------------------------------------------------------------------

READERS = [
    "documentation-preview",
    "documentation-pdf",
    "documentation-status",
    "agenda-csv",
    "action-plan-csv",
]
FACILITATOR_ONLY = ["documentation-settings", "event-json"]


@pytest.mark.parametrize("name", READERS)
@pytest.mark.parametrize(
    ("who", "published", "expected"),
    [
        ("anonymous", False, "join"),
        ("other_participant", False, "join"),
        ("other_facilitator", False, "join"),
        ("participant", False, 403),
        ("participant", True, 200),
        ("facilitator", False, 200),
    ],
)
def test_reading_the_documentation(
    name, who, published, expected, client, demo, other_event, facilitator, other_facilitator
):
    if published:
        DocumentationSettings.objects.create(event=demo, published=True)
    client = as_(who, client, demo, other_event, facilitator, other_facilitator)

    response = client.get(url(name, demo))

    if expected == "join":
        assert response.status_code == 302
        assert "/join/" in response["Location"]
    else:
        assert response.status_code == expected


def test_participants_read_the_documentation_of_a_closed_event(client, demo):
    Event.objects.filter(pk=demo.pk).update(phase=Phase.CLOSED)
    login_participant(client, ParticipantFactory(event=demo))

    assert client.get(url("documentation-preview", demo)).status_code == 200


@pytest.mark.parametrize("name", FACILITATOR_ONLY)
@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("participant", 302),
        ("other_participant", 302),
        ("other_facilitator", 403),
        ("facilitator", 200),
    ],
)
def test_facilitator_only_pages(
    name, who, expected, client, demo, other_event, facilitator, other_facilitator
):
    client = as_(who, client, demo, other_event, facilitator, other_facilitator)

    response = client.get(url(name, demo))

    assert response.status_code == expected
    if expected == 302:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("documentation-preview", "post"),
        ("documentation-pdf", "post"),
        ("documentation-status", "delete"),
        ("agenda-csv", "post"),
        ("action-plan-csv", "post"),
        ("event-json", "post"),
        ("documentation-settings", "put"),
    ],
)
def test_wrong_method_is_refused(name, method, facilitator_client, demo):
    response = getattr(facilitator_client, method)(url(name, demo))
    assert response.status_code == 405


def test_import_needs_a_login(client):
    response = client.get(reverse("reports:event-import"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_import_refuses_wrong_method(facilitator_client):
    assert facilitator_client.delete(reverse("reports:event-import")).status_code == 405


# -- behaviour --------------------------------------------------------------------------------


def test_pdf_download(facilitator_client, demo):
    response = facilitator_client.get(url("documentation-pdf", demo))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename=" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert "private" in response["Cache-Control"]


def test_archival_pdf_download(facilitator_client, demo):
    response = facilitator_client.get(url("documentation-pdf", demo, "?variant=archival"))

    assert response.status_code == 200
    assert "-arkiv.pdf" in response["Content-Disposition"]
    assert DocumentationRender.objects.get(event=demo).variant == "archival"


def test_large_event_redirects_to_the_progress_page(
    facilitator_client, demo, monkeypatch, settings
):
    from reports import documentation

    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    monkeypatch.setattr(documentation, "renders_inline", lambda event: False)

    response = facilitator_client.get(url("documentation-pdf", demo))

    assert response.status_code == 302
    assert response["Location"] == url("documentation-status", demo, "?variant=accessible")
    page = facilitator_client.get(response["Location"])
    assert b"<progress" in page.content
    assert b'hx-trigger="every 2s"' in page.content
    fragment = facilitator_client.get(response["Location"], headers={"HX-Request": "true"})
    assert fragment.content.lstrip().startswith(b'<div id="doc-progress"')
    assert b"<html" not in fragment.content


def test_preview_shows_the_print_template(facilitator_client, demo):
    response = facilitator_client.get(url("documentation-preview", demo))

    content = response.content.decode()
    assert "css/print-documentation.css" in content
    assert 'id="agenda"' in content
    assert "Åsa Öberg" in content
    assert 'style="' not in content


def test_settings_form_saves_texts_and_keeps_bad_input(facilitator_client, demo):
    response = facilitator_client.get(url("documentation-settings", demo))
    assert demo.purpose in response.content.decode()

    response = facilitator_client.post(
        url("documentation-settings", demo),
        {"intro": "Välkomna!", "purpose": "Syfte", "summary": "x" * 10001, "published": "on"},
    )
    assert response.status_code == 200
    assert "Välkomna!" in response.content.decode()
    assert not DocumentationSettings.objects.filter(event=demo).exists()

    response = facilitator_client.post(
        url("documentation-settings", demo),
        {"intro": "Välkomna!", "purpose": "", "summary": "Bra dag", "include_comments": "on"},
    )
    assert response.status_code == 302
    saved = DocumentationSettings.objects.get(event=demo)
    assert (saved.intro, saved.include_comments) == ("Välkomna!", True)
    assert saved.revision == 2
    assert ClosingSummary.objects.get(event=demo).text == "Bra dag"


def test_json_download_and_upload_round_trip(facilitator_client, facilitator, demo):
    response = facilitator_client.get(url("event-json", demo))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    document = json.loads(response.content)

    upload = SimpleUploadedFile("event.json", response.content, "application/json")
    response = facilitator_client.post(
        reverse("reports:event-import"), {"file": upload, "slug": "kopia"}
    )

    assert response.status_code == 302
    copy = Event.objects.get(slug="kopia")
    assert copy.is_facilitator(facilitator)
    exported = event_io.export_event(copy)
    for key in ["rooms", "time_slots", "topics", "participants", "signups"]:
        assert exported[key] == document[key]


def test_upload_of_a_bad_file_says_why_and_imports_nothing(facilitator_client):
    before = Event.objects.count()
    upload = SimpleUploadedFile("event.json", b"{oops", "application/json")

    response = facilitator_client.post(reverse("reports:event-import"), {"file": upload})

    assert response.status_code == 400
    assert "not valid JSON" in response.content.decode()
    assert Event.objects.count() == before


def test_upload_of_a_50_mb_file_is_refused(facilitator_client, settings):
    upload = SimpleUploadedFile("big.json", b" " * (50 * 1024 * 1024), "application/json")

    response = facilitator_client.post(reverse("reports:event-import"), {"file": upload})

    assert response.status_code == 400
    assert "too large" in response.content.decode()


def test_agenda_csv_download(facilitator_client, demo):
    response = facilitator_client.get(url("agenda-csv", demo))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert "Åsa Öberg".encode() in response.content


def test_preview_shows_print_size_photos_of_this_event_only(facilitator_client, demo):
    from django.test import Client

    response = facilitator_client.get(url("documentation-preview", demo))
    photos = re.findall(r'src="(/e/[^"]+/documentation/photos/[^"]+)"', response.content.decode())
    assert len(photos) == 6

    photo = facilitator_client.get(photos[0])
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    other = reverse(
        "reports:documentation-photo", kwargs={"slug": demo.slug, "name": "not-a-photo.jpg"}
    )
    assert facilitator_client.get(other).status_code in (403, 404)
    assert Client().get(photos[0]).status_code == 302


def test_a_participant_is_told_the_documentation_is_not_published_yet(client, demo):
    login_participant(client, ParticipantFactory(event=demo))

    response = client.get(url("documentation-pdf", demo))

    assert response.status_code == 403
    assert "The documentation is not published yet." in response.text


def _documentation_links(client, path) -> int:
    slug = path.split("/")[2]
    return client.get(path).content.decode().count(f'href="/e/{slug}/documentation/"')


def test_participants_find_the_documentation_once_they_may_read_it(client, demo, settings):
    """No link while they may not read it; on the news wall once it is published; on
    every page of the event once the event is closed."""
    settings.POLL_COALESCE_SECONDS = 0  # every page load current
    login_participant(client, ParticipantFactory(event=demo))
    wall, agenda = url("wall", demo), reverse("agenda:home", kwargs={"slug": demo.slug})
    preview = url("documentation-preview", demo)
    assert preview == f"/e/{demo.slug}/documentation/"
    assert _documentation_links(client, wall) == 0
    version = Event.objects.get(pk=demo.pk).version

    from reports import documentation

    documentation.save_documentation_settings(
        event=demo, intro="", purpose="", include_comments=False, published=True
    )
    assert Event.objects.get(pk=demo.pk).version > version  # polled pages see it
    assert _documentation_links(client, wall) == 1
    assert _documentation_links(client, agenda) == 0

    Event.objects.filter(pk=demo.pk).update(phase=Phase.CLOSED, version=version + 10)
    for path in (wall, agenda):
        page = client.get(path).content.decode()
        assert page.count(f'href="{preview}"') == 1
        assert "The event is over" in page


def test_facilitators_and_visitors_get_no_closing_notice(client, demo, facilitator):
    Event.objects.filter(pk=demo.pk).update(phase=Phase.CLOSED)
    agenda = reverse("agenda:home", kwargs={"slug": demo.slug})
    assert "The event is over" not in client.get(agenda).content.decode()
    client.force_login(facilitator)
    assert "The event is over" not in client.get(agenda).content.decode()
