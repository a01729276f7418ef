"""No typed text is ever markup, a formula, a calendar line or a JSON break.

One event is filled with hostile text in every field people type (events, rooms,
slots, run sheet, names, topics, reports, captions, comments, initiatives,
reflections, summaries, documentation and privacy texts). Then:
- HTML: every page and every htmx fragment, for the facilitator, the convener and a
  participant, holds the text only escaped: no tag and no attribute of it survives;
- CSV: no cell starts with what a spreadsheet runs;
- ICS: every line is a property of ours, folded, with no control character;
- JSON: the exports parse, hold the text exactly, and are downloads;
- PDF: the printables and the documentation come out, show the text as text, and
  fetch nothing.
"""

import csv
import io
import json
import re
import subprocess
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from agenda.models import Room, TimeSlot, Topic
from events import services as event_services
from events.models import Participant, Phase, RunSheetItem, Series
from events.privacy import export_participant_data
from reports import action_plan, csv_export, documentation, event_io
from reports import services as report_services
from reports.models import ClosingSummary, DocumentationSettings
from tests.conftest import login_participant
from tests.factories import EventFactory, ParticipantFactory

from .test_every_url import ACCESS, concrete, patterns, values_for

pytestmark = pytest.mark.django_db

# A tag, both kinds of attribute break-out, closers of the raw-text elements, a
# formula and a URL to fetch: short enough for the 80-character fields.
HOSTILE = '=1+2<b id="xss">"data-x="y\'data-z=\'w</textarea></title><img src=//x.invalid/>'
LONG = f"{HOSTILE}\n- {HOSTILE}\n\n@SUM(1)\r\n+{HOSTILE}"
MARKERS = ['<b id="xss">', 'data-x="y', "data-z='w", "<img src=//x.invalid/>"]


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def hostile(event, facilitator):
    """The event, filled in as badly as anyone could."""
    event.title = HOSTILE
    event.theme_question = event.purpose = event.description = LONG
    event.venue = HOSTILE
    event.principles = LONG
    event.privacy_controller = HOSTILE
    event.privacy_notice = LONG
    event.phase = Phase.ACTION_PLANNING
    event.series = Series.objects.create(name=HOSTILE)
    event.save()
    previous = EventFactory(
        series=event.series,
        title=HOSTILE,
        date=event.date - timedelta(days=30),
        facilitators=[facilitator],
    )
    room = Room.objects.create(event=event, name=HOSTILE[:80], code="A", location_hint=HOSTILE)
    slot = TimeSlot.objects.create(
        event=event, number=1, label=HOSTILE[:80], starts_at="10:00", ends_at="11:00"
    )
    item = RunSheetItem.objects.create(
        event=event, phase=Phase.OPENING, label=HOSTILE, starts_at="09:00", ends_at="09:30"
    )
    convener = Participant.objects.create(
        event=event, name=HOSTILE[:80], organisation=HOSTILE[:120]
    )
    reader = Participant.objects.create(event=event, name=HOSTILE[:80])
    topic = Topic.objects.create(
        event=event,
        title=HOSTILE,
        description=LONG,
        co_convener=HOSTILE[:120],
        convener=convener,
        room=room,
        time_slot=slot,
    )
    Topic.objects.create(event=event, title=HOSTILE + " 2", convener=reader)  # unplaced
    report = report_services.report_for(topic)
    fields = {name: LONG for name in report_services.TEXT_FIELDS}
    report_services.save_report(report=report, base_version=1, fields=fields, publish=True)
    photo = report_services.add_photo(
        report=report, upload=SimpleUploadedFile("p.jpg", jpeg()), caption=HOSTILE
    )
    comment = report_services.add_comment(report=report, participant=reader, text=LONG)
    initiative = action_plan.raise_initiative(
        event=event,
        participant=convener,
        who=HOSTILE,
        what=LONG,
        levels="FG",
        when=HOSTILE[:100],
        topic=topic,
        guests=LONG,
    )
    action_plan.move_on_ladder(initiative=initiative, step=2, position=0, next_step=LONG)
    follow_up = action_plan.raise_initiative(
        event=previous,
        participant=ParticipantFactory(event=previous),
        what=LONG,
        who=HOSTILE,
        levels="U",
        as_facilitator=True,
    )
    reflection = action_plan.leave_reflection(event=event, participant=reader, text=HOSTILE)
    ClosingSummary.objects.create(event=event, text=LONG)
    DocumentationSettings.objects.create(event=event, intro=LONG, purpose=LONG, published=True)
    invite = event_services.create_invite(event=event, user=facilitator)
    return {
        "event": event,
        "convener": convener,
        "reader": reader,
        "objects": {
            "event": event,
            "topic": topic.pk,
            "room": room.pk,
            "slot": slot.pk,
            "item": item.pk,
            "bystander": reader.pk,
            "bystander_token": reader.token,
            "photo": photo.pk,
            "comment": comment.pk,
            "initiative": initiative.pk,
            "reflection": reflection.pk,
            "invite_token": invite.token,
            "print_photo": documentation.prepare_print_photo(photo.image).rsplit("/", 1)[-1],
            "follow_up": follow_up.pk,
        },
    }


# -- HTML ----------------------------------------------------------------------------------

HTML_TYPES = ("text/html",)


@pytest.mark.parametrize("role", ["facilitator", "convener", "participant"])
def test_no_page_or_fragment_holds_the_text_unescaped(hostile, facilitator, role):
    client = Client()
    if role == "facilitator":
        client.force_login(facilitator)
    else:
        login_participant(client, hostile["convener" if role == "convener" else "reader"])
    pages = 0
    for name, route in patterns():
        if ACCESS[name] == "public" and name not in ("events:join-event", "events:privacy"):
            continue
        if name in ("reports:documentation-pdf",):  # a PDF, tested below
            continue
        path = route_path(route, name, hostile["objects"])
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(path, headers=headers)
            assert response.status_code < 500, path
            if not response.get("Content-Type", "").startswith(HTML_TYPES):
                continue
            body = response.content.decode()
            pages += 1
            for marker in MARKERS:
                assert marker not in body, f"{role} {path} {headers}: {marker}"
    assert pages > 60


def route_path(route: str, name: str, objects: dict) -> str:
    return concrete(route, values_for(name, objects))


# -- CSV -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://x.invalid")',
        "+1",
        "-1",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "\n=1",
        " =1",
        "\u00a0=1",
        "\uff1d1",
        "\uff0b1",
    ],
)
def test_every_formula_start_is_neutralised(value):
    assert csv_export.safe_cell(value).startswith("'")


def test_csv_cells_never_start_a_formula(hostile, facilitator):
    client = Client()
    client.force_login(facilitator)
    slug = hostile["event"].slug
    for name in ("reports:agenda-csv", "reports:action-plan-csv"):
        response = client.get(reverse(name, kwargs={"slug": slug}))
        assert response["Content-Disposition"].startswith("attachment")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        cells = [cell for row in rows[1:] for cell in row]
        assert any(HOSTILE in cell for cell in cells), name
        for cell in cells:
            assert not cell.lstrip(csv_export.LEADING_SPACES).startswith(
                csv_export.FORMULA_STARTS
            ), (name, cell)


# -- ICS -----------------------------------------------------------------------------------


def test_calendar_lines_are_all_ours(hostile, client):
    topic = Topic.objects.get(pk=hostile["objects"]["topic"])
    topic.title = "Ämne\r\nATTENDEE:mailto:evil@x.invalid\nX-EVIL:1\x0b\x01;,\\" + HOSTILE
    topic.save()
    login_participant(client, hostile["reader"])
    body = client.get(reverse("agenda:ics", kwargs={"slug": hostile["event"].slug})).content
    text = body.decode()
    assert "\r\n" in text and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    unfolded = text.replace("\r\n ", "").split("\r\n")
    names = {line.split(":", 1)[0].split(";", 1)[0] for line in unfolded if line}
    assert names <= {
        "BEGIN",
        "END",
        "VERSION",
        "PRODID",
        "CALSCALE",
        "X-WR-CALNAME",
        "UID",
        "DTSTAMP",
        "DTSTART",
        "DTEND",
        "SUMMARY",
        "LOCATION",
        "DESCRIPTION",
    }, names
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", text.replace("\r\n", ""))
    summary = next(line for line in unfolded if line.startswith("SUMMARY:"))
    assert "ATTENDEE:mailto:evil@x.invalid\\nX-EVIL:1\\;\\,\\\\" in summary


# -- JSON ----------------------------------------------------------------------------------


def test_json_exports_parse_hold_the_text_exactly_and_are_downloads(hostile, facilitator):
    client = Client()
    client.force_login(facilitator)
    response = client.get(reverse("reports:event-json", kwargs={"slug": hostile["event"].slug}))
    assert response["Content-Type"].startswith("application/json")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    document = json.loads(response.content)
    assert document["event"]["title"] == HOSTILE
    again = json.loads(json.dumps(event_io.export_event(hostile["event"])))
    # The export is stamped with its second: the two may fall on both sides of one.
    assert {**again, "exported_at": None} == {**document, "exported_at": None}

    mine = export_participant_data(hostile["convener"])
    assert HOSTILE[:80] in strings(json.loads(mine.content))


def strings(node) -> list[str]:
    if isinstance(node, dict):
        return [text for value in node.values() for text in strings(value)]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [node] if isinstance(node, str) else []


def test_the_autosave_answers_json_that_holds_the_text(hostile, client):
    login_participant(client, hostile["convener"])
    url = reverse(
        "reports:report-autosave",
        kwargs={"slug": hostile["event"].slug, "pk": hostile["objects"]["topic"]},
    )
    response = client.post(url, {"version": 1, "discussion": HOSTILE})  # an old version
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json()["fields"]["discussion"].startswith("=1+2<b")


# -- PDF -----------------------------------------------------------------------------------


def pdf_text(content: bytes) -> str:
    result = subprocess.run(  # noqa: S603 - a fixed command on our own bytes
        ["/usr/bin/pdftotext", "-", "-"], input=content, capture_output=True, check=True
    )
    return " ".join(result.stdout.decode().split())


def test_printables_and_the_documentation_show_the_text_as_text(hostile, facilitator, no_network):
    client = Client()
    client.force_login(facilitator)
    slug, topic = hostile["event"].slug, hostile["objects"]["topic"]
    contents = [
        client.get(reverse("agenda:topic-sheets", kwargs={"slug": slug})).content,
        client.get(reverse("agenda:agenda-poster", kwargs={"slug": slug})).content,
        client.get(reverse("agenda:topic-sheet", kwargs={"slug": slug, "pk": topic})).content,
        documentation.export_documentation_pdf(hostile["event"]).content,
    ]
    for content in contents:
        assert content.startswith(b"%PDF")
        assert '<b id="xss">' in pdf_text(content)
    assert no_network == []
