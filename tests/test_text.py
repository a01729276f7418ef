import datetime

import pytest

from openspace.forms import Textarea
from openspace.text import one_line, slugify
from reports.documentation import pdf_filename
from tests.factories import EventFactory


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Møde på Ærø", "moede-pa-aeroe"),
        ("Økonomistyring i Østlandet", "oekonomistyring-i-oestlandet"),
        ("Nätverksträff 4: Tillit", "natverkstraff-4-tillit"),
        ("Straße", "strasse"),
        ("Þingvellir og Łódź", "thingvellir-og-lodz"),
    ],
)
def test_danish_and_norwegian_letters_stay_readable_in_slugs(title, slug):
    assert slugify(title) == slug


@pytest.mark.django_db
def test_the_documentation_file_is_named_after_a_danish_title():
    event = EventFactory(title="Årsmøde: Ældreplejen", date=datetime.date(2026, 11, 19))
    assert pdf_filename(event) == "arsmoede-aeldreplejen-2026-11-19.pdf"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Bo\u202e Berg", "Bo Berg"),  # right-to-left override
        ("\u202bAnna\u202c", "Anna"),  # embedding and its end
        ("\u2067Anna\u2069  Andersson", "Anna Andersson"),  # an isolate, two spaces
        ("\u200fسارة", "\u200fسارة"),  # the right-to-left mark is no override: kept
        ("مرحبا بالعالم", "مرحبا بالعالم"),
        (" \u202e \n", ""),
        ("x\x01\x07\x08\x1b[31m\x7f\x9by", "x[31my"),  # control characters
        ("Anna\x0bBerg\x0c", "Anna Berg"),  # vertical tab and form feed are white space
        ("\u200b\u200d\ufeff\u2060", ""),  # zero-width characters only: nothing shows
        ("\u200f", ""),
        ("\u200b Anna", "\u200b Anna"),  # kept where something shows
        ("👨\u200d👩\u200d👧", "👨\u200d👩\u200d👧"),  # the joiners of an emoji family
        ("a\x00b", "a\x00b"),  # NUL: Django's form fields refuse it with their own message
    ],
)
def test_one_line_fields_lose_direction_controls_and_extra_space(typed, kept):
    assert one_line(typed) == kept


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Rad 1\r\nRad 2\r\n", "Rad 1\nRad 2\n"),
        ("Tab\there\x07\x1b[0m\x0b\x0c\x7f\x85!", "Tab\there[0m!"),  # controls but tab
        ("\u200b\u200d\n\ufeff", ""),  # nothing shows: as empty as spaces
        ("a\x00b", "a\x00b"),  # NUL: the form field refuses it with its own message
    ],
)
def test_textareas_lose_control_characters_and_invisible_text(typed, kept):
    assert Textarea().value_from_datadict({"text": typed}, {}, "text") == kept
