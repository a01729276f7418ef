"""Every shipped language is complete: no untranslated or fuzzy entry, and placeholders
survive translation (msgfmt --check compares python-format placeholders)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if code != "en"]

needs_gettext = pytest.mark.skipif(
    shutil.which("msgattrib") is None, reason="gettext tools are installed by scripts/test"
)


def po_file(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def entries(output: str) -> list[str]:
    """The msgids msgattrib printed, without the header entry."""
    lines = output.splitlines()
    return [line for line in lines if line.startswith("msgid ") and line != 'msgid ""']


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_every_language_ships_a_catalogue(language):
    assert po_file(language).is_file()


@needs_gettext
@pytest.mark.parametrize("language", TRANSLATED)
def test_no_untranslated_or_fuzzy_entries(language):
    for flag in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(  # noqa: S603 (fixed arguments)
            [shutil.which("msgattrib"), flag, "--no-wrap", str(po_file(language))],
            capture_output=True,
            text=True,
            check=True,
        )
        assert entries(result.stdout) == [], f"{language} {flag}"


@needs_gettext
@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_compiles_with_placeholders_intact(language):
    result = subprocess.run(  # noqa: S603 (fixed arguments)
        [shutil.which("msgfmt"), "--check", "-o", "/dev/null", str(po_file(language))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "word"), [("sv", "Gå med"), ("da", "Deltag"), ("nb", "Bli med")]
)
def test_an_events_pages_speak_its_language(client, language, word):
    from tests.factories import EventFactory

    event = EventFactory(language=language)
    page = client.get(f"/e/{event.slug}/join/").content.decode()
    assert f'<html lang="{language}">' in page
    assert word in page


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("sv", "- Välj ett alternativ -"),
        ("nb", "- Velg et alternativ -"),
        ("da", "- Vælg en valgmulighed -"),
    ],
)
def test_djangos_empty_choice_label_is_translated(language, label):
    """Django 6's "- Select an option -" is missing from its own sv and nb catalogues;
    ours has it (openspace/django_strings.py)."""
    from django.db.models.fields import BLANK_CHOICE_LABEL
    from django.utils import translation

    with translation.override(language):
        assert str(BLANK_CHOICE_LABEL) == label


@pytest.mark.parametrize(
    ("source", "swedish"),
    [
        # "Bjud in en processledare till" read as "invite a facilitator to …".
        ("Invite a co-facilitator", "Bjud in ytterligare en processledare"),
        # Two requests with one subject take no comma before "och".
        (
            "Post a topic you care about, and sign up for the sessions you want to join.",
            "Lägg upp ett ämne som du brinner för och anmäl dig till de samtal du vill vara med i.",
        ),
        (
            "Raise an initiative you want to take, and join the ones you want to be part of.",
            "Ta ett initiativ som du vill driva och gå med i de initiativ som du vill vara med i.",
        ),
        # "Visningar" are screenings; the links are ways of showing the plan.
        ("Action plan views", "Sätt att visa handlingsplanen"),
    ],
)
def test_swedish_wording_a_facilitator_reads_on_the_day(source, swedish):
    from django.utils import translation

    with translation.override("sv"):
        assert translation.gettext(source) == swedish
