"""The event as JSON: export, import, round trip, and bad files."""

import json

import pytest
from django.core.management import CommandError, call_command

from agenda.models import SignUp, Topic
from events.models import Event, Participant
from reports import event_io
from reports.models import Initiative, Report
from reports.models.documentation import DocumentationSettings

from .documentation_demo import make_demo_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def demo(facilitator):
    event = make_demo_event(facilitators=[facilitator])
    topics = list(Topic.objects.filter(event=event).order_by("pk"))
    people = list(Participant.objects.filter(event=event).order_by("pk"))
    SignUp.objects.create(topic=topics[0], participant=people[-1])
    SignUp.objects.create(topic=topics[1], participant=people[-1], waiting=True)
    Topic.objects.create(event=event, title='=HYPERLINK("x") ej placerat', convener=people[0])
    DocumentationSettings.objects.create(event=event, intro="Hej", include_comments=True)
    # An initiative merged into a later one: a reference forward within the same array.
    first = Initiative.objects.filter(event=event).order_by("pk").first()
    later = Initiative.objects.create(event=event, who="Åke", what="Dubblett", levels="U")
    Initiative.objects.filter(pk=first.pk).update(merged_into=later)
    return event


def without_volatile(document: dict) -> dict:
    document = json.loads(json.dumps(document))
    document.pop("exported_at")
    document["event"].pop("slug")
    return document


def test_export_has_every_part_and_refers_by_local_ids(demo):
    document = event_io.export_event(demo)

    assert document["format"] == "openspace-event"
    assert document["format_version"] == event_io.FORMAT_VERSION
    assert document["event"]["title"] == demo.title
    assert document["event"]["series"] == "Nätverket för enklare förvaltning"
    assert len(document["rooms"]) == 3
    assert len(document["time_slots"]) == 2
    assert len(document["topics"]) == 6
    assert len(document["signups"]) == 2
    assert len(document["reports"]) == 4
    assert len(document["report_photos"]) == 8
    assert document["report_photos"][0]["image"].startswith(f"reports/{demo.pk}/")
    assert len(document["report_comments"]) == 4
    assert len(document["initiatives"]) == 4
    assert document["initiatives"][0]["merged_into"] == 4
    assert len(document["initiative_members"]) == 3
    assert [r["anonymous"] for r in document["reflections"]] == [False, True]
    assert document["closing_summary"].startswith("En dag full")
    assert [row["id"] for row in document["participants"]] == list(range(1, 7))
    first = document["topics"][0]
    assert first["room"] == 1 and first["time_slot"] == 1 and first["convener"] == 1
    assert document["documentation"]["intro"] == "Hej"
    # No secrets: participants' tokens and the join code stay on the server.
    text = json.dumps(document)
    for participant in Participant.objects.filter(event=demo):
        assert participant.token not in text
    for report in Report.objects.filter(event=demo):
        assert report.write_token not in text
    assert demo.join_code not in text


def test_import_round_trips_exactly(demo, other_facilitator):
    original = event_io.export_event(demo)

    copy = event_io.import_event(json.dumps(original).encode(), facilitators=[other_facilitator])

    assert copy.pk != demo.pk
    assert copy.slug != demo.slug
    assert copy.is_facilitator(other_facilitator)
    assert without_volatile(event_io.export_event(copy)) == without_volatile(original)
    assert copy.series_id == demo.series_id


def test_round_trip_through_the_management_commands(demo, tmp_path):
    path = tmp_path / "event.json"
    call_command("export_event", demo.slug, "--output", str(path))
    call_command("import_event", str(path), "--slug", "kopia")

    copy = Event.objects.get(slug="kopia")
    assert without_volatile(event_io.export_event(copy)) == without_volatile(
        json.loads(path.read_text())
    )


def _assert_nothing_imported(before: int):
    assert Event.objects.count() == before


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe\x00", "UTF-8"),
        (b"[1, 2]", "not an exported Open Space event"),
        (json.dumps({"format": "openspace-event", "format_version": 99}).encode(), "version 99"),
        (json.dumps({"format": "openspace-event", "format_version": 1}).encode(), "no event"),
    ],
)
def test_malformed_files_are_refused_with_a_clear_message(raw, message):
    before = Event.objects.count()
    with pytest.raises(event_io.EventImportError, match=message):
        event_io.import_event(raw)
    _assert_nothing_imported(before)


def test_a_50_mb_file_is_refused_before_parsing():
    raw = b" " * (50 * 1024 * 1024)
    with pytest.raises(event_io.EventImportError, match="too large"):
        event_io.import_event(raw)


def test_bad_reference_rolls_back_everything(demo):
    document = event_io.export_event(demo)
    document["signups"][1]["topic"] = 999
    before = (Event.objects.count(), Topic.objects.count(), Participant.objects.count())

    with pytest.raises(event_io.EventImportError, match="topics 999, which is not in the file"):
        event_io.import_event(json.dumps(document))

    assert (Event.objects.count(), Topic.objects.count(), Participant.objects.count()) == before


def test_bad_value_rolls_back_everything(demo):
    document = event_io.export_event(demo)
    document["rooms"][2]["capacity"] = "many"
    before = Event.objects.count()

    with pytest.raises(event_io.EventImportError, match="rooms, item 3"):
        event_io.import_event(json.dumps(document))
    _assert_nothing_imported(before)


def test_two_sessions_in_one_cell_roll_back_everything(demo):
    document = event_io.export_event(demo)
    document["topics"][1]["room"] = document["topics"][0]["room"]
    document["topics"][1]["time_slot"] = document["topics"][0]["time_slot"]
    before = Topic.objects.count()

    with pytest.raises(event_io.EventImportError, match="contradicts itself"):
        event_io.import_event(json.dumps(document))
    assert Topic.objects.count() == before


def test_missing_file_of_the_import_command_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="not valid JSON"):
        bad = tmp_path / "bad.json"
        bad.write_text("{")
        call_command("import_event", str(bad))
    with pytest.raises(CommandError, match="No event"):
        call_command("export_event", "does-not-exist")


@pytest.mark.parametrize("name", ["reports/0/finns-inte.jpg", "../../../etc/passwd"])
def test_reference_to_a_missing_photo_imports_nothing(demo, name):
    document = event_io.export_event(demo)
    document["report_photos"][3]["image"] = name
    before = (Event.objects.count(), Report.objects.count())

    with pytest.raises(event_io.EventImportError, match="not on this server"):
        event_io.import_event(json.dumps(document))

    assert (Event.objects.count(), Report.objects.count()) == before
