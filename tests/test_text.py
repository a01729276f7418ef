import datetime

import pytest

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
    ],
)
def test_one_line_fields_lose_direction_controls_and_extra_space(typed, kept):
    assert one_line(typed) == kept
