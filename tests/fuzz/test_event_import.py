"""Hostile event documents at the JSON import: the function, the page and the command.

Documents start as a real export of an event with one of everything; hypothesis then
replaces, deletes, duplicates and adds values anywhere in them (wrong types, NUL bytes,
lone surrogates, dates at the ends of the calendar, numbers out of range ...). Besides,
raw bytes that are hardly JSON at all. Properties: the import either creates an event
or refuses with EventImportError (CommandError, a 400 page) and leaves nothing behind;
what it creates holds no NUL byte or lone surrogate, and its pages and exports render.
"""

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db.models import CharField, TextField
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from events.models import Event
from reports import event_io

from .conftest import FUZZ, rolled_back
from .strategies import HOSTILE_TEXT, hostile_text
from .world import bad_stored_text

pytestmark = pytest.mark.django_db

EDGE_VALUES = [
    "\ud800",
    "a\udfffb",
    "\x00",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00:00",
    "0001-01-01T00:30:00+14:00",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-12:00",
    "2026-02-30",
    "10000-01-01",
    "24:00",
    "23:59:59.9999999",
    "T",
    2**31,
    2**63,
    -(2**63) - 1,
    10**400,
    -1,
    0,
    1.5,
    float("nan"),
    float("inf"),
    True,
    False,
    None,
    [],
    [1, 1],
    {},
    {"id": 1},
]
json_values = st.one_of(
    st.sampled_from(EDGE_VALUES),
    hostile_text(),
    st.integers(),
    st.floats(),
    st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
    st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=8)), max_size=3),
)


@st.composite
def mutated(draw, document: dict) -> dict:
    """The document with one to four values replaced, removed, duplicated or added."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        parent, key = None, None
        node = document
        # Walk down to some value: a key of an object or an item of a list.
        while isinstance(node, dict | list) and node:
            keys = sorted(node) if isinstance(node, dict) else range(len(node))
            parent, key = node, draw(st.sampled_from(list(keys)))
            node = parent[key]
            if not isinstance(node, dict | list) or draw(st.integers(0, 2)) == 0:
                break
        if parent is None:
            continue
        action = draw(st.sampled_from(["replace", "replace", "delete", "duplicate", "add"]))
        if action == "replace":
            parent[key] = draw(json_values)
        elif action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))  # the same "id" twice
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["id", "pk", "event", "slug", "x\x00"]))] = draw(
                json_values
            )
    return document


def encode(document: dict, ascii_only: bool) -> bytes:
    # Without ensure_ascii a lone surrogate can only be written as CESU-8 bytes.
    return json.dumps(document, ensure_ascii=ascii_only, allow_nan=True).encode(
        "utf-8", "surrogatepass"
    )


RAW_GARBAGE = [
    b"",
    b"\xef\xbb\xbf{}",
    b"[" * 100_000 + b"]" * 100_000,
    b'{"format": "openspace-event", "format_version": 1, "event": ' + b"[" * 50_000,
    b'{"format": "openspace-event", "format_version": 1, "event": {"title": ' + b"1" * 5000 + b"}}",
    b'{"format": "openspace-event", "format": "other", "format_version": 1, "event": {}}',
    b'{"format": "openspace-event", "format_version": NaN, "event": {}}',
    b'{"format": "openspace-event", "format_version": 1.0, "event": {"title": "x"}}',
    b'{"format": "openspace-event", "format_version": true, "event": {"title": "x"}}',
    '{"format": "openspace-event"}'.encode("utf-16"),
    b'{"format": "openspace-event", "format_version": 1, "event": {"title": "\\ud800"}}',
    b'{"format": "openspace-event", "format_version": 1, "event": {"title": "a\\u0000b"}}',
    b"\xff\xfe\x00\x00",
    b"null",
    b'"text"',
]
raw_garbage = st.one_of(
    st.sampled_from(RAW_GARBAGE),
    st.binary(max_size=500),
    st.text(max_size=200).map(lambda t: t.encode("utf-8")),
)

VIA = ["function", "page", "command"]


def import_via(via: str, raw: bytes, world, tmp_path) -> Event | None:
    """Import `raw`; the event made, or None when it was refused as it should be."""
    if via == "function":
        try:
            return event_io.import_event(raw, facilitators=[world.facilitator])
        except event_io.EventImportError:
            return None
    if via == "command":
        path = tmp_path / "event.json"
        path.write_bytes(raw)
        try:
            call_command("import_event", str(path), facilitator=[world.facilitator.username])
        except CommandError:
            return None
        return Event.objects.order_by("-pk").first()
    response = world.client("facilitator").post(
        reverse("reports:event-import"),
        {"file": SimpleUploadedFile("event.json", raw, "application/json"), "slug": ""},
    )
    assert response.status_code in (302, 400)
    return Event.objects.order_by("-pk").first() if response.status_code == 302 else None


def check_outcome(world, event: Event | None, before: set[int]) -> None:
    after = set(Event.objects.values_list("pk", flat=True))
    if event is None:
        assert after == before, "a refused import left an event behind"
        assert bad_stored_text() == []
        return
    assert after - before == {event.pk}
    assert bad_stored_text() == []
    client = world.client("facilitator")
    for name in (
        "agenda:home",
        "events:facilitate",
        "reports:documentation-preview",
        "reports:actions",
        "reports:event-json",
        "agenda:ics",
    ):
        response = client.get(reverse(name, kwargs={"slug": event.slug}))
        assert response.status_code < 500, name


def test_hostile_documents(world, tmp_path):
    document = event_io.export_event(world.event)
    before = set(Event.objects.values_list("pk", flat=True))

    @FUZZ
    @given(doc=mutated(document), ascii_only=st.booleans(), via=st.sampled_from(VIA))
    def run(doc, ascii_only, via):
        with rolled_back():
            event = import_via(via, encode(doc, ascii_only), world, tmp_path)
            check_outcome(world, event, before)

    run()


def test_raw_garbage(world, tmp_path):
    before = set(Event.objects.values_list("pk", flat=True))

    @FUZZ
    @given(raw=raw_garbage, via=st.sampled_from(VIA))
    def run(raw, via):
        with rolled_back():
            event = import_via(via, raw, world, tmp_path)
            check_outcome(world, event, before)

    run()


def test_the_unchanged_export_imports(world, tmp_path):
    """The baseline the mutations start from is itself importable, by every path."""
    document = event_io.export_event(world.event)
    before = set(Event.objects.values_list("pk", flat=True))
    for via in VIA:
        with rolled_back():
            event = import_via(via, encode(document, True), world, tmp_path)
            assert event is not None, via
            check_outcome(world, event, before)


def test_hostile_text_in_every_text_field_imports_or_is_refused(world, tmp_path):
    """A NUL byte or a lone surrogate in any text of the document is refused; all the
    other hostile samples at once, one in each text, import and render."""
    document = event_io.export_event(world.event)
    before = set(Event.objects.values_list("pk", flat=True))
    slots = [
        (part, index, key)
        for part, rows in document.items()
        if isinstance(rows, list)
        for index, row in enumerate(rows)
        for key, value in row.items()
        if isinstance(value, str)
    ] + [("event", None, key) for key, value in document["event"].items() if isinstance(value, str)]

    def with_text(doc, part, index, key, text):
        target = doc[part] if index is None else doc[part][index]
        target[key] = text

    for part, index, key in slots:
        for sample in ("a\x00b", "\ud800"):
            doc = copy.deepcopy(document)
            with_text(doc, part, index, key, sample)
            with pytest.raises(event_io.EventImportError):
                event_io.import_event(encode(doc, True))
    assert set(Event.objects.values_list("pk", flat=True)) == before

    # Free text only (no choices, codes, dates or file names), cut to the field's length.
    models_by_part = {part.key: part.model for part in event_io._parts()} | {"event": Event}
    others = [t for t in HOSTILE_TEXT if t and "\x00" not in t]
    doc = copy.deepcopy(document)
    for number, (part, index, key) in enumerate(slots):
        field = models_by_part[part]._meta.get_field(key)
        if type(field) in (CharField, TextField) and not field.choices and key != "code":
            with_text(doc, part, index, key, others[number % len(others)][: field.max_length])
    with rolled_back():
        event = import_via("function", encode(doc, True), world, tmp_path)
        assert event is not None
        check_outcome(world, event, before)
