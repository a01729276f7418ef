"""The renderer fetches nothing but the app's own static and media files.

Two layers are tested: the print template escapes whatever people type (so a
URL in a report is text, never a request), and the shared renderer refuses
every address that is not a static or media file, while the PDF still comes out.
"""

import base64
import io

import pikepdf
import pytest

from agenda.models import Room, TimeSlot, Topic
from events.models import Participant
from reports import documentation
from tests.factories import EventFactory

pytestmark = pytest.mark.django_db

HOSTILE_URLS = [
    "file:///etc/passwd",
    "http://127.0.0.1:9/secret.png",
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://127.0.0.1:9/redirect?to=file:///etc/passwd",
    "https://example.org/tracking.png",
]


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), (255, 0, 0)).save(buffer, "PNG")
    return buffer.getvalue()


def test_renderer_refuses_files_networks_and_redirects(no_network):
    from openspace.pdf import render_pdf

    tags = "".join(
        f'<img src="{url}" alt="x"><link rel="stylesheet" href="{url}">' for url in HOSTILE_URLS
    )
    html = (
        f'<!doctype html><html lang="sv"><head><title>t</title>'
        "<style>@import url(file:///etc/passwd);"
        " body { background: url(file:///etc/hosts) }</style>"
        f"</head><body><p>Räksmörgås</p>{tags}</body></html>"
    )

    content = render_pdf(html)

    assert content.startswith(b"%PDF")
    assert no_network == []
    pdf = pikepdf.open(io.BytesIO(content))
    assert sum(len(page.get_images()) for page in pdf.pages) == 0


def test_renderer_survives_a_huge_data_uri(no_network):
    from openspace.pdf import render_pdf

    huge = "data:image/png;base64," + base64.b64encode(b"\0" * (30 * 1024 * 1024)).decode()
    small = "data:image/png;base64," + base64.b64encode(tiny_png()).decode()
    html = (
        '<!doctype html><html lang="sv"><head><title>t</title></head><body>'
        f'<img src="{huge}" alt="huge"><img src="{small}" alt="small"><p>Klart</p></body></html>'
    )

    content = render_pdf(html)

    assert content.startswith(b"%PDF")
    assert len(content) < 1024 * 1024
    assert no_network == []


def test_hostile_text_in_an_event_is_escaped_and_the_pdf_comes_out(no_network, facilitator):
    payloads = [f'<img src="{url}">' for url in HOSTILE_URLS] + [
        '<img src="data:image/png;base64,' + "A" * 5000 + '">',
        "<script>alert(1)</script>",
        '<style>@import url("http://169.254.169.254/")</style>',
    ]
    event = EventFactory(
        facilitators=[facilitator],
        purpose="\n".join(payloads),
        theme_question=payloads[0],
        description=payloads[-1],
    )
    room = Room.objects.create(event=event, name=payloads[1][:80], code="A")
    slot = TimeSlot.objects.create(
        event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
    )
    convener = Participant.objects.create(
        event=event, name=payloads[2][:80], organisation=payloads[3][:120]
    )
    Topic.objects.create(
        event=event, title=payloads[4][:200], convener=convener, room=room, time_slot=slot
    )

    html = documentation.render_html(event)
    for payload in payloads:
        assert payload not in html
    content = documentation.export_documentation_pdf(event).content

    assert content.startswith(b"%PDF")
    assert no_network == []


@pytest.mark.parametrize(
    "url",
    [
        "https://openspace.invalid/static/../../../etc/passwd",
        "https://openspace.invalid/static/%2e%2e/%2e%2e/etc/passwd",
        "https://openspace.invalid/media/../settings.py",
        "https://openspace.invalid/media/link-out.txt",
        "https://openspace.invalid/etc/passwd",
        "https://openspace.invalid/static/css/app.css?x=1",
        "https://other.example/static/css/app.css",
        "http://openspace.invalid/static/css/app.css",
        "file:///work/main/static/css/app.css",
    ],
)
def test_only_static_and_media_files_resolve(url, settings, tmp_path):
    from openspace.pdf import Refused, resolve_local_file

    media = tmp_path / "media"
    media.mkdir()
    (media / "link-out.txt").symlink_to("/etc/passwd")

    with pytest.raises(Refused):
        resolve_local_file(url)


def test_static_and_media_files_resolve(settings, tmp_path):
    from openspace.pdf import resolve_local_file

    media = tmp_path / "media" / "documentation"
    media.mkdir(parents=True)
    (media / "photo.jpg").write_bytes(b"jpeg")

    assert resolve_local_file("https://openspace.invalid/static/css/app.css").name == "app.css"
    assert resolve_local_file("https://openspace.invalid/media/documentation/photo.jpg").is_file()
