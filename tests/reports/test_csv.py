"""CSV exports: content, encoding and formula injection."""

import csv
import io

import pytest

from agenda.models import Room, TimeSlot, Topic
from events.models import Participant
from reports import csv_export
from tests.factories import EventFactory

from .documentation_demo import SESSIONS, make_demo_event

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+46 70", "'+46 70"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=x", "'\t=x"),
        ("Åsa = bäst", "Åsa = bäst"),
        (None, ""),
        (3, "3"),
    ],
)
def test_cells_that_spreadsheets_would_run_get_an_apostrophe(value, expected):
    assert csv_export.safe_cell(value) == expected


def test_agenda_csv_lists_sessions_in_cell_order(facilitator):
    event = make_demo_event(facilitators=[facilitator])

    export = csv_export.export_agenda_csv(event)

    assert export.content_type.startswith("text/csv")
    assert export.filename.endswith("-agenda.csv")
    table = rows_of(export.content)
    assert table[0][0] == "Code"
    assert [row[0] for row in table[1:]] == ["A1", "A2", "B1", "B2", "C1"]
    assert table[1][5] == SESSIONS[0][2]
    assert table[1][6:8] == ["Åsa Öberg", "Malmö stad"]


def test_agenda_csv_guards_against_formula_injection(facilitator):
    event = EventFactory(facilitators=[facilitator])
    room = Room.objects.create(event=event, name="-Rum", code="A")
    slot = TimeSlot.objects.create(
        event=event, number=1, label="=Pass", starts_at="10:00", ends_at="11:00"
    )
    convener = Participant.objects.create(event=event, name="@admin", organisation="+Org")
    Topic.objects.create(
        event=event,
        title='=HYPERLINK("http://evil.example","klicka")',
        convener=convener,
        room=room,
        time_slot=slot,
    )

    row = rows_of(csv_export.export_agenda_csv(event).content)[1]

    assert row[1] == "'=Pass"
    assert row[4] == "'-Rum"
    assert row[5] == '\'=HYPERLINK("http://evil.example","klicka")'
    assert row[6:8] == ["'@admin", "'+Org"]


def test_action_plan_csv_has_the_five_columns_and_guards_cells(facilitator, monkeypatch):
    from reports.documentation_context import ActionRow

    event = EventFactory(facilitators=[facilitator])
    rows = [
        ActionRow(
            who="Åsa Öberg, Malmö stad",
            what="=cmd|' /C calc'!A0",
            level="G",
            level_label="carry out",
            when="i augusti",
            joins="-Örjan, Märta",
            step=2,
            next_step="+Samsyn",
        )
    ]
    monkeypatch.setattr(csv_export, "action_rows", lambda e: rows)

    export = csv_export.export_action_plan_csv(event)

    assert export.filename.endswith("-action-plan.csv")
    table = rows_of(export.content)
    assert table[0][:5] == ["Who", "What", "Level", "When", "Who joins"]
    assert table[1] == [
        "Åsa Öberg, Malmö stad",
        "'=cmd|' /C calc'!A0",
        "G",
        "i augusti",
        "'-Örjan, Märta",
        "2",
        "'+Samsyn",
    ]
