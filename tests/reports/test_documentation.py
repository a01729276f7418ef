"""The documentation PDF: content, order, structure, variants, safety, caching."""

import io
import re
import shutil
import subprocess

import pikepdf
import pytest
from django.utils import translation
from django.utils.translation import gettext

from agenda.models import Room, TimeSlot, Topic
from events.models import Event, Participant, ParticipantVisibility
from reports import documentation, documentation_context
from reports.models.documentation import DocumentationRender, PdfVariant, RenderStatus
from tests.factories import EventFactory

from .documentation_demo import INITIATIVES, REFLECTIONS, REPORTED, SESSIONS, make_demo_event

pytestmark = pytest.mark.django_db

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) is not installed"
)


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    return subprocess.run(  # noqa: S603
        ["pdftotext", str(path), "-"],  # noqa: S607
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def outline_titles(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    titles = []
    with pdf.open_outline() as outline:

        def walk(items, level):
            for item in items:
                titles.append((level, str(item.title)))
                walk(item.children, level + 1)

        walk(outline.root, 1)
    return titles


def assert_in_order(text: str, needles: list[str]) -> None:
    position = 0
    for needle in needles:
        found = text.find(needle, position)
        assert found >= 0, f"{needle!r} missing (or out of order) after position {position}"
        position = found + len(needle)


@pytest.fixture
def demo(facilitator):
    return make_demo_event(facilitators=[facilitator])


@needs_poppler
def test_demo_pdf_has_every_section_session_and_swedish_letters_in_order(demo, tmp_path):
    export = documentation.export_documentation_pdf(demo)

    assert export.content_type == "application/pdf"
    assert export.filename.endswith(".pdf")
    # Line breaks in long titles: compare with collapsed whitespace.
    text = " ".join(pdf_text(export.content, tmp_path).split())
    body = text[text.find("Purpose", text.find("Summary and closing reflections")) :]
    assert_in_order(
        body,
        [
            "Purpose",
            "Facilitators and participants",
            "The method: Open Space",
            "Earlier meetings in the series",
            "Agenda",
            "Reports from the sessions",
            "Action plan",
            "Summary and closing reflections",
        ],
    )
    reports = body[body.find("Reports from the sessions") :]
    assert_in_order(reports, [f"{room}{number} {title}" for room, number, title, *_ in SESSIONS])
    plan = body[body.find("Action plan") :]
    assert_in_order(plan, [what for _who, what, *_ in INITIATIVES])
    closing = body[body.find("Summary and closing reflections") :]
    assert_in_order(closing, ["En dag full av idéer", *REFLECTIONS])
    for word in ["Nätverksträff", "Åsa Öberg", "Märta Ängström", "Försäkringskassan"]:
        assert word in text
    assert "Nätverket för enklare förvaltning" in text


@needs_poppler
def test_pdf_of_the_seeded_demo_event_has_every_session_and_initiative(tmp_path):
    """The demo event of `manage.py seed_demo`, whatever its content is today."""
    from django.core.management import call_command

    from reports.action_queries import documentation_initiatives

    call_command("seed_demo", "--quiet")
    event = Event.objects.get(slug="demo")
    sessions = sorted(
        Topic.objects.active()
        .filter(event=event, room__isnull=False)
        .select_related("room", "time_slot"),
        key=documentation_context.session_sort_key,
    )
    assert sessions

    content = documentation.export_documentation_pdf(event).content
    text = " ".join(pdf_text(content, tmp_path).split())

    with translation.override(event.language):  # the demo is Swedish
        heading_reports, heading_agenda, heading_plan = map(
            gettext, ["Reports from the sessions", "Agenda", "Action plan"]
        )
    reports = text[text.find(heading_reports, text.find(heading_agenda + " ")) :]
    assert_in_order(reports, [f"{topic.code} {topic.title}" for topic in sessions])
    plan = reports[reports.find(heading_plan) :]
    for row in documentation_initiatives(event):
        assert " ".join(row.what.split())[:40] in plan
    assert "å" in text and "ä" in text and "ö" in text
    pdf = pikepdf.open(io.BytesIO(content))
    assert len(pdf.pages) < 10 + 3 * len(sessions)
    codes = [title.split()[0] for level, title in outline_titles(pdf) if level == 2]
    assert codes == [topic.code for topic in sessions]


def test_demo_pdf_is_tagged_titled_and_has_bookmarks(facilitator):
    demo = make_demo_event(facilitators=[facilitator], language="sv")
    content = documentation.export_documentation_pdf(demo).content

    pdf = pikepdf.open(io.BytesIO(content))
    assert 5 <= len(pdf.pages) <= 20
    assert str(pdf.Root.Lang) == "sv"
    assert "/StructTreeRoot" in pdf.Root
    assert pdf.Root.MarkInfo.Marked
    assert str(pdf.docinfo.Title).startswith(demo.title)
    with pdf.open_metadata() as meta:
        assert meta.get("{http://www.aiim.org/pdfua/ns/id/}part") == "1"
    titles = outline_titles(pdf)
    top = [title for level, title in titles if level == 1]
    assert demo.title in top
    with translation.override("sv"):  # the event's language, whatever the page was asked in
        sections = ["Contents", "Purpose", "Agenda", "Reports from the sessions", "Action plan"]
        for section in map(gettext, sections):
            assert section in top
    sessions = [title for level, title in titles if level == 2]
    assert [title.split()[0] for title in sessions] == ["A1", "A2", "B1", "B2", "C1"]


def test_archival_variant_is_pdf_a(demo):
    content = documentation.export_documentation_pdf(demo, variant=PdfVariant.ARCHIVAL).content

    pdf = pikepdf.open(io.BytesIO(content))
    with pdf.open_metadata() as meta:
        assert meta.get("{http://www.aiim.org/pdfa/ns/id/}part") == "2"
        assert meta.get("{http://www.aiim.org/pdfa/ns/id/}conformance") == "B"
    assert str(pdf.Root.Lang) == demo.language
    assert "/OutputIntents" in pdf.Root


def test_html_is_in_the_event_language_and_lists_the_agenda_grid(demo):
    html = documentation.render_html(demo)

    assert f'<html lang="{demo.language}">' in html
    # Three rooms and two rounds: C2 is an empty cell.
    agenda = html[html.find('id="agenda"') : html.find('id="reports"')]
    assert agenda.count("<td>") == 6
    assert agenda.count("<td></td>") == 1
    assert "Åsa Öberg (Malmö stad)" in agenda


@pytest.mark.parametrize(
    ("visibility", "shown", "hidden"),
    [
        (ParticipantVisibility.NAMES, ["Åke Östlund"], []),
        (ParticipantVisibility.ORGANISATIONS, ["Malmö stad (2)"], ["Åke Östlund"]),
        (ParticipantVisibility.COUNT, ["6 participants"], ["Åke Östlund", "Malmö stad (2)"]),
    ],
)
def test_participants_follow_the_events_privacy_setting(demo, visibility, shown, hidden):
    Event.objects.filter(pk=demo.pk).update(participant_visibility=visibility)
    demo.refresh_from_db()

    html = documentation.render_html(demo)
    people = html[html.find('id="people"') : html.find('id="method"')]

    for text in shown:
        assert text in people
    for text in hidden:
        assert text not in people


@pytest.mark.parametrize("what", ["nothing", "rooms only", "topics unplaced"])
def test_pdf_of_an_event_with_no_rooms_topics_or_reports_still_renders(what, facilitator):
    event = EventFactory(facilitators=[facilitator])
    if what == "rooms only":
        Room.objects.create(event=event, name="Rum", code="A")
    if what == "topics unplaced":
        TimeSlot.objects.create(
            event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
        )
        Topic.objects.create(event=event, title="Ej placerat")

    content = documentation.export_documentation_pdf(event).content

    assert content.startswith(b"%PDF")
    assert len(pikepdf.open(io.BytesIO(content)).pages) >= 3


def agenda_page_text(content: bytes, tmp_path) -> str:
    """The agenda page(s) of the PDF with all whitespace removed, so a name wrapped over
    several lines of a table cell is one string again."""
    pages = pdf_text(content, tmp_path).split("\f")
    agenda = [page for page in pages if "Sessions by round and room" in page]
    assert agenda, "no agenda table in the PDF"
    # Hyphenation breaks (U+2010, a word hyphenated at a line's end) are taken out too.
    return "".join("".join(agenda).replace("\u2010", "").split())


@needs_poppler
def test_long_unbroken_names_wrap_inside_the_agenda_table(facilitator, tmp_path):
    """A room name of the form's maximum, 80 characters without a space, made the agenda
    table run off the page and the other rooms' columns vanish from the PDF."""
    event = EventFactory(facilitators=[facilitator])
    slot = TimeSlot.objects.create(
        event=event, number=1, label="Förmiddagspasset" * 5, starts_at="10:00", ends_at="11:00"
    )
    names = []
    for position, code in enumerate("ABCD"):
        room = Room.objects.create(
            event=event,
            name=(f"{code}sammanträdesrummet" * 8)[:80],
            code=code,
            position=position,
        )
        names.append(room.name)
        convener = Participant.objects.create(
            event=event, name=f"{code}Långnamn" * 8, organisation="Arbetsförmedlingen" * 6
        )
        Topic.objects.create(
            event=event,
            title=f"{code}" + "Samverkansöverenskommelse" * 7,
            convener=convener,
            room=room,
            time_slot=slot,
        )
    assert max(len(name) for name in names) == Room._meta.get_field("name").max_length

    text = agenda_page_text(documentation.export_documentation_pdf(event).content, tmp_path)

    for name in names:
        assert name in text
    # pdftotext reads the small print of neighbouring cells line by line, so only the
    # first part of each convener's name is whole.
    for code in "ABCD":
        assert f"{code}" + "Samverkansöverenskommelse" * 7 in text
        assert f"{code}Långnamn{code}" in text
    assert "Förmiddagspasset" * 5 in text


HOSTILE = [
    '<img src="file:///etc/passwd">',
    '<img src="http://127.0.0.1:9/x.png">',
    '<link rel="stylesheet" href="http://169.254.169.254/latest/meta-data/">',
    '<img src="http://127.0.0.1:9/redirect?to=file:///etc/passwd">',
    '<img src="data:image/png;base64,' + "A" * 1500 + '">',
]


@needs_poppler
def test_user_text_with_markup_and_urls_is_printed_as_text(facilitator, tmp_path):
    event = EventFactory(facilitators=[facilitator], purpose="\n".join(HOSTILE))
    room = Room.objects.create(event=event, name="Rum", code="A")
    slot = TimeSlot.objects.create(
        event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
    )
    convener = Participant.objects.create(event=event, name='<img src="file:///etc/hostname">')
    Topic.objects.create(
        event=event, title=HOSTILE[1][:200], convener=convener, room=room, time_slot=slot
    )

    html = documentation.render_html(event)
    for hostile in HOSTILE:
        assert hostile not in html
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in html

    content = documentation.export_documentation_pdf(event).content
    text = pdf_text(content, tmp_path)
    assert '<img src="file:///etc/passwd">' in text
    assert "root:" not in text


def embedded_fonts(content: bytes) -> set[str]:
    pdf = pikepdf.open(io.BytesIO(content))
    return {
        str(font.get("/BaseFont", ""))
        for page in pdf.pages
        for font in page.obj.get("/Resources", {}).get("/Font", {}).values()
    }


def test_emoji_in_user_text_are_printed_not_boxes(facilitator, tmp_path):
    """Participants write emoji in titles; the PDF draws them with the emoji font that
    scripts/run and scripts/test install (fonts-noto-color-emoji), not as empty boxes."""
    event = EventFactory(facilitators=[facilitator])
    room = Room.objects.create(event=event, name="Rum", code="A")
    slot = TimeSlot.objects.create(
        event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
    )
    Topic.objects.create(event=event, title="Tillit 🤝 och samverkan 🌱", room=room, time_slot=slot)
    content = documentation.export_documentation_pdf(event).content
    fonts = embedded_fonts(content)
    assert any("Emoji" in font for font in fonts), fonts
    assert any("DejaVu" in font for font in fonts), fonts  # the text's own font stays


def test_print_photo_is_upright_small_and_without_metadata(media_root):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    image = Image.new("RGB", (4000, 3000), (200, 120, 40))
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° to view
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    name = default_storage.save("reports/photo.jpg", ContentFile(buffer.getvalue()))

    class Field:
        storage = default_storage

    Field.name = name
    path = documentation.prepare_print_photo(Field)

    with Image.open(media_root / path) as printed:
        assert printed.size == (1050, 1400)  # portrait after EXIF rotation
        assert not printed.getexif()
    # Made once: a second call returns the cached copy.
    assert documentation.prepare_print_photo(Field) == path


def test_missing_photo_is_left_out_not_fatal():
    from django.core.files.storage import default_storage

    class Field:
        storage = default_storage
        name = "reports/does-not-exist.jpg"

    assert documentation.prepare_print_photo(Field) is None


def test_finished_pdf_is_reused_until_the_event_changes(demo, monkeypatch):
    calls = []
    real = documentation.export_documentation_pdf

    def counting(event, **kwargs):
        calls.append(kwargs.get("variant"))
        return real(event, **kwargs)

    monkeypatch.setattr(documentation, "export_documentation_pdf", counting)

    first = documentation.request_pdf(event=demo, variant=PdfVariant.ACCESSIBLE)
    again = documentation.request_pdf(event=demo, variant=PdfVariant.ACCESSIBLE)
    assert first.status == again.status == RenderStatus.DONE
    assert again.file.name == first.file.name
    assert len(calls) == 1

    demo.touch()
    changed = documentation.request_pdf(event=demo, variant=PdfVariant.ACCESSIBLE)
    assert len(calls) == 2
    assert changed.file.name != first.file.name
    assert not first.file.storage.exists(first.file.name)


def test_settings_change_makes_a_new_pdf(demo, monkeypatch):
    first = documentation.request_pdf(event=demo, variant=PdfVariant.ACCESSIBLE)
    documentation.save_documentation_settings(
        event=demo,
        intro="Välkommen!",
        purpose="",
        summary="Sammanfattning",
        user=None,
        include_comments=False,
        published=False,
    )
    second = documentation.request_pdf(event=demo, variant=PdfVariant.ACCESSIBLE)
    assert second.key != first.key


def test_large_event_is_rendered_by_the_task_worker(demo, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import task_backends

    task_backends["default"].clear()

    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        render = documentation.request_pdf(event=demo, variant=PdfVariant.ARCHIVAL, inline=False)
    assert render.status == RenderStatus.QUEUED
    results = task_backends["default"].results
    assert len(results) == 1
    assert results[0].args == [render.pk]

    documentation.run_render(render.pk)
    render.refresh_from_db()
    assert render.status == RenderStatus.DONE
    assert render.progress == 100
    assert render.file.read().startswith(b"%PDF")


def test_failed_render_is_recorded(demo, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no fonts")

    monkeypatch.setattr(documentation, "export_documentation_pdf", broken)
    render = documentation.request_pdf(event=demo, variant=PdfVariant.ACCESSIBLE, inline=True)

    assert render.status == RenderStatus.FAILED
    assert "no fonts" in render.error
    assert DocumentationRender.objects.get(pk=render.pk).status == RenderStatus.FAILED


def test_context_queries_do_not_grow_with_the_event(django_assert_max_num_queries, facilitator):
    def count_for(sessions):
        event = EventFactory(facilitators=[facilitator])
        rooms = [Room.objects.create(event=event, name=f"R{i}", code=chr(65 + i)) for i in range(5)]
        slot = TimeSlot.objects.create(
            event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
        )
        for i in range(sessions):
            convener = Participant.objects.create(event=event, name=f"P{i}")
            Topic.objects.create(
                event=event, title=f"T{i}", convener=convener, room=rooms[i], time_slot=slot
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            documentation.build_context(event)
        return len(queries)

    assert count_for(1) == count_for(5)


def test_css_strings_are_escaped():
    assert documentation_context.css_string('Sida "x" \\') == '"Sida \\22 x\\22  \\5c "'
    assert re.fullmatch(r'"[^"\n]*"', documentation_context.css_string("a\nb"))
    # Nothing a translation holds can end the string or the <style> element.
    hostile = documentation_context.css_string('"; } </style><script>x</script>')
    assert re.fullmatch(r'"[^"<>\n]*"', hostile)
    assert documentation_context.css_string("Side 1 av 2 – å") == '"Side 1 av 2 \\2013  å"'


def test_page_counter_follows_the_translated_sentence():
    assert documentation_context.page_counter_css("Sida %(page)s av %(pages)s") == (
        '"Sida " counter(page) " av " counter(pages)'
    )
    assert documentation_context.page_counter_css("%(page)s/%(pages)s") == (
        'counter(page) "/" counter(pages)'
    )


@needs_poppler
def test_reports_photos_and_comments_are_in_the_pdf(demo, tmp_path):
    from reports.models.documentation import DocumentationSettings

    content = documentation.export_documentation_pdf(demo).content
    text = " ".join(pdf_text(content, tmp_path).split())
    body = text[text.find("Purpose", text.find("Summary and closing reflections")) :]
    reports = body[body.find("Reports from the sessions") :]
    for code in REPORTED:
        block = reports[reports.find(f"{code} ") :]
        assert block.find("Blädderblock 1 från " + code) >= 0
    # B2 has only a draft and C1 no report at all.
    for code in ["B2", "C1"]:
        block = reports[reports.find(f"{code} ") :][:400]
        assert "No report was written for this session." in block
    assert "Vi på regionen vill gärna" not in text

    DocumentationSettings.objects.create(event=demo, include_comments=True)
    content = documentation.export_documentation_pdf(demo).content
    text = " ".join(pdf_text(content, tmp_path).split())
    assert text.count("Vi på regionen vill gärna vara med") == len(REPORTED)


def test_photos_are_embedded_at_print_size(demo):
    content = documentation.export_documentation_pdf(demo).content

    pdf = pikepdf.open(io.BytesIO(content))
    images = {
        image.objgen: (int(image.Width), int(image.Height))
        for page in pdf.pages
        for image in page.get_images().values()
    }
    sizes = list(images.values())
    assert len(sizes) == 2 * len(REPORTED)
    assert all(max(size) <= documentation_context.PRINT_PHOTO_LONG_EDGE for size in sizes)


@needs_poppler
@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("da", ["Forberede", "Gennemføre", "Udforske"]),
        ("nb", ["Forberede", "Gjennomføre", "Utforske"]),
        ("sv", ["Förbereda", "Genomföra", "Utforska"]),
    ],
)
def test_the_action_plans_level_names_are_printed_whole(facilitator, tmp_path, language, labels):
    """The level column is narrow: "Gennemføre" came out as "Gennemfør" and "e"."""
    from reports import action_plan

    event = EventFactory(facilitators=[facilitator], language=language)
    for levels in ["F", "G", "U", "FGU"]:
        action_plan.raise_initiative(
            event=event,
            participant=None,
            who="Nätverket",
            what="Idé",
            levels=levels,
            as_facilitator=True,
        )
    text = pdf_text(documentation.export_documentation_pdf(event).content, tmp_path)
    words = set(re.findall(r"\w+", text))
    for label in labels:
        assert label in words


def test_only_action_plan_rows_of_half_a_page_or_more_may_break():
    row = documentation_context.ActionRow(
        who="Nätverket", what="Idé", level="F", level_label="Prepare", when="", joins=""
    )
    assert not row.tall
    row.what = "Vi bygger en mötesplats för äldre i varje stadsdel. " * 6  # ~300 characters
    assert not row.tall
    row.what = ("Vi bygger en mötesplats för äldre i varje stadsdel. " * 40)[:2000]
    assert row.tall
    many = documentation_context.ActionRow(
        who="Nätverket",
        what="Idé",
        level="F",
        level_label="Prepare",
        when="",
        joins=", ".join(f"Deltagare {n} (Arbetsförmedlingen)" for n in range(40)),
    )
    assert many.tall


@needs_poppler
def test_a_tall_first_action_plan_row_starts_under_the_heading(facilitator, tmp_path):
    """A 2,000-character first initiative was moved whole to the next page, leaving a
    page with only the heading and the table's caption, and that page had no column
    heads. Now the row starts under the heading and the heads repeat over the page."""
    from reports import action_plan

    event = EventFactory(facilitators=[facilitator])
    what = ("Vi bygger en mötesplats för äldre i varje stadsdel. " * 40)[:2000]
    action_plan.raise_initiative(
        event=event, participant=None, who="Nätverket", what=what, levels="F", as_facilitator=True
    )
    action_plan.raise_initiative(
        event=event,
        participant=None,
        who="Skolan",
        what="Läxhjälp",
        levels="G",
        as_facilitator=True,
    )
    html = documentation.render_html(event)
    assert html.count('class="doc-row--tall"') == 1

    pages = pdf_text(documentation.export_documentation_pdf(event).content, tmp_path).split("\f")
    first = next(n for n, page in enumerate(pages) if "Initiatives: who takes them" in page)
    assert "Nätverket" in pages[first]
    assert "mötesplats" in pages[first]
    # The row goes on over the next page, under the repeated column heads.
    following = pages[first + 1]
    assert "mötesplats" in following
    assert "Who joins" in following
    assert "Läxhjälp" in "".join(pages[first:])


@needs_poppler
def test_the_co_convener_is_in_the_agenda_and_the_report(facilitator, tmp_path):
    """The web pages, the topic sheets and the CSV name the co-convener; the PDF did not."""
    event = EventFactory(facilitators=[facilitator])
    room = Room.objects.create(event=event, name="Rum", code="A")
    slot = TimeSlot.objects.create(
        event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
    )
    convener = Participant.objects.create(event=event, name="Åsa Öberg", organisation="Kommunen")
    Topic.objects.create(
        event=event,
        title="Tillit",
        convener=convener,
        co_convener="Jörgen <Lind>",
        room=room,
        time_slot=slot,
    )
    Topic.objects.create(
        event=event,
        title="Utan initiativtagare",
        co_convener="Märta Ängström",
        room=room,
        time_slot=TimeSlot.objects.create(
            event=event, number=2, label="Pass 2", starts_at="11:00", ends_at="12:00"
        ),
    )

    html = documentation.render_html(event)
    assert "Jörgen &lt;Lind&gt;" in html
    text = " ".join(
        pdf_text(documentation.export_documentation_pdf(event).content, tmp_path).split()
    )
    agenda = text[text.find("Sessions by round and room") :]
    assert_in_order(agenda, ["Tillit", "Åsa Öberg (Kommunen)", "Jörgen <Lind>", "Märta Ängström"])
    reports = text[text.find("A1 Tillit", text.find("Reports from the sessions")) :]
    assert_in_order(
        reports,
        [
            "Convener: Åsa Öberg (Kommunen) · Co-convener: Jörgen <Lind>",
            "Utan initiativtagare",
            "Co-convener: Märta Ängström",
        ],
    )


@needs_poppler
def test_a_session_heading_is_never_left_alone_at_the_foot_of_a_page(facilitator, tmp_path):
    """A session's code, title and convener stood at the foot of a page and its report
    began on the next. Reports of many lengths put some heading near a page's foot."""
    from django.utils import timezone

    from reports.models import Report

    event = EventFactory(facilitators=[facilitator])
    slots = [
        TimeSlot.objects.create(
            event=event, number=n, label=f"Pass {n}", starts_at=f"{9 + n}:00", ends_at=f"{9 + n}:45"
        )
        for n in (1, 2, 3, 4)
    ]
    convener = Participant.objects.create(event=event, name="Åsa Öberg")
    for position, code in enumerate("ABCD"):
        room = Room.objects.create(event=event, name=f"Rum {code}", code=code, position=position)
        for slot in slots:
            n = position * 4 + slot.number
            topic = Topic.objects.create(
                event=event, title=f"Ämne {n}", convener=convener, room=room, time_slot=slot
            )
            Report.objects.create(
                topic=topic,
                event=event,
                discussion="Vi pratade om blanketter och dubbelarbete. " * (5 * n + 2),
                published_at=timezone.now(),
            )

    pages = pdf_text(documentation.export_documentation_pdf(event).content, tmp_path).split("\f")
    reports = [page for page in pages if "Convener: Åsa Öberg" in page]
    assert len(reports) > 5
    for page in reports:
        after_last_heading = page[page.rfind("Convener: Åsa Öberg") :]
        assert "What was discussed" in after_last_heading, page


@needs_poppler
def test_the_running_header_takes_a_long_title_cut_short(facilitator, tmp_path):
    """A title of 200 wide letters made a running header of five or six lines, which ran
    off the top of the page; the header now shows it cut to 80 characters."""
    title = ("Æ" * 35 + " ") * 5 + "<b>" + "Ø" * 17
    event = EventFactory(facilitators=[facilitator], title=title)
    assert len(event.title) == Event._meta.get_field("title").max_length

    html = documentation.render_html(event)
    assert 'data-running-title="' + ("Æ" * 35 + " ") * 2 + "Æ" * 7 + '…"' in html
    assert "&lt;b&gt;" in html

    pages = pdf_text(documentation.export_documentation_pdf(event).content, tmp_path).split("\f")
    header = "".join(pages[1].split())
    assert header.startswith("Æ" * 77 + "…")
    # The whole title is on the cover.
    assert "Æ" * 35 * 5 + "<b>" + "Ø" * 17 in "".join(pages[0].split())


@pytest.mark.parametrize(
    ("visibility", "took_part"),
    [
        (ParticipantVisibility.NAMES, "Took part: 40 people: Åsa Öberg, Örjan Lind"),
        (ParticipantVisibility.COUNT, "Took part: 40 people"),
    ],
)
def test_the_number_who_took_part_is_kept_beside_their_names(facilitator, visibility, took_part):
    """The report's page says "40 people: Åsa, Örjan"; the PDF dropped the 40 when
    names were typed too (often only a few of the names)."""
    from django.utils import timezone

    from reports.models import Report

    event = EventFactory(facilitators=[facilitator], participant_visibility=visibility)
    room = Room.objects.create(event=event, name="Rum", code="A")
    slot = TimeSlot.objects.create(
        event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
    )
    topic = Topic.objects.create(event=event, title="Tillit", room=room, time_slot=slot)
    Report.objects.create(
        topic=topic,
        event=event,
        participant_count=40,
        participant_names="Åsa Öberg\n\nÖrjan Lind\n",
        discussion="Om tillit.",
        published_at=timezone.now(),
    )
    html = documentation.render_html(event)
    assert took_part in " ".join(html.split())
    assert "Åsa" not in html or visibility == ParticipantVisibility.NAMES


def test_a_report_written_in_arabic_is_printed_right_to_left(facilitator):
    """The PDF's renderer ignores dir="auto": an Arabic report came out left to right,
    its full stops at the wrong end. The direction is now worked out from the text."""
    from django.utils import timezone

    from reports.models import Report, ReportComment
    from reports.templatetags.report_text import text_direction

    assert text_direction("مرحبا بكم.") == "rtl"
    assert text_direction("- «מה למדנו»") == "rtl"
    assert text_direction("<b>Ahmad أحمد") == "ltr"
    assert text_direction("123 – ") == "ltr"

    event = EventFactory(facilitators=[facilitator])
    room = Room.objects.create(event=event, name="Rum", code="A")
    slot = TimeSlot.objects.create(
        event=event, number=1, label="Pass 1", starts_at="10:00", ends_at="11:00"
    )
    topic = Topic.objects.create(event=event, title="Språk", room=room, time_slot=slot)
    report = Report.objects.create(
        topic=topic,
        event=event,
        discussion="تحدثنا عن اللغة والثقافة.",
        insights="Vi pratade om språk.",
        published_at=timezone.now(),
    )
    ReportComment.objects.create(report=report, author_name="Gäst", text="شكرا!")
    documentation.save_documentation_settings(
        event=event, intro="", purpose="", include_comments=True, published=False
    )
    html = documentation.render_html(event)
    assert '<div dir="rtl"><p>تحدثنا عن اللغة والثقافة.</p></div>' in html
    assert '<div dir="ltr"><p>Vi pratade om språk.</p></div>' in html
    assert '<li dir="rtl">شكرا!' in html
    assert 'dir="auto"' not in html


def _three_rounds(event) -> list:
    """Pass 1 to 3, an hour each with an hour between."""
    return [
        TimeSlot.objects.create(
            event=event,
            number=n,
            label=f"Pass {n}",
            starts_at=f"{8 + 2 * n}:00",
            ends_at=f"{9 + 2 * n}:00",
        )
        for n in (1, 2, 3)
    ]


def _six_rooms_three_rounds(facilitator):
    """An event like a municipality's day on elderly care: six rooms (two agenda tables,
    A to D and E to F), three rounds, long Swedish titles and organisations."""
    event = EventFactory(facilitators=[facilitator], language="sv")
    slots = _three_rounds(event)
    names = [
        "Sal A – Storsalen",
        "Sal B – Lilla salen",
        "Grupprum 2 (plan 3)",
        "Grupprum 3 (plan 3)",
        "Biblioteket – soffhörnan vid fönstret",
        "Utomhus vid sjön",
    ]
    convener = Participant.objects.create(
        event=event, name="Mohammed Al-Hassan", organisation="Vård- och omsorgsförvaltningen"
    )
    for position, (code, name) in enumerate(zip("ABCDEF", names, strict=True)):
        room = Room.objects.create(event=event, name=name, code=code, position=position)
        for slot in slots:
            Topic.objects.create(
                event=event,
                title="Välfärdsteknik som faktiskt används: vad krävs för att digital tillsyn "
                "ska kännas trygg för både brukare, anhöriga och personal i hemtjänsten?",
                convener=convener,
                co_convener="Birgitta Ståhl (PRO Sjöbo), Göran Öberg (Hemtjänsten Sjöbo)",
                room=room,
                time_slot=slot,
            )
    return event


@needs_poppler
def test_a_second_agenda_tables_caption_stays_with_its_table(facilitator, tmp_path):
    """'Rooms E to F' stood alone at the foot of the agenda's first page, its table on
    the next. Six rooms make two tables; these rows leave room for the caption only."""
    event = EventFactory(facilitators=[facilitator], language="sv")
    slots = _three_rounds(event)
    convener = Participant.objects.create(event=event, name="Åsa Öberg")
    for position, code in enumerate("ABCDEF"):
        room = Room.objects.create(event=event, name=f"Rum {code}", code=code, position=position)
        for slot in slots:
            title = "Ämne " + "ord " * (36 + 3 * slot.number)
            Topic.objects.create(
                event=event, title=title, convener=convener, room=room, time_slot=slot
            )
    with translation.override("sv"):
        content = documentation.export_documentation_pdf(event).content
    pages = pdf_text(content, tmp_path).split("\f")
    [caption_page] = [page for page in pages if "Rum E till F" in page]
    assert "Rum F" in caption_page


@needs_poppler
def test_long_words_in_the_agenda_are_hyphenated_not_cut(facilitator, tmp_path):
    """In a cell a quarter of the page wide, 'omsorgsförvaltningen' was cut before its
    last letter; it is hyphenated in the document's language, as in the action plan."""
    event = _six_rooms_three_rounds(facilitator)
    with translation.override("sv"):
        content = documentation.export_documentation_pdf(event).content
    text = "\n".join(
        page for page in pdf_text(content, tmp_path).split("\f") if "Rum A till D" in page
    )
    # WeasyPrint ends a hyphenated line with U+2010 HYPHEN; pdftotext reads a table
    # row's cells line by line, so the word's two halves are not side by side.
    words = text.split()
    heads = [w[:-1] for w in words if w.endswith("\u2010") and len(w) > 2]
    assert any("omsorgsförvaltningen".startswith(head) for head in heads), words
    assert "omsorgsförvaltninge" not in words


@needs_poppler
@pytest.mark.parametrize("participants", [26, 32])
def test_the_principles_are_printed_on_one_page(facilitator, tmp_path, participants):
    """With 26 to 35 participants listed before it, the method section's principles
    were split three on one page and two on the next, which was otherwise empty."""
    from events.services import default_principles

    event = EventFactory(
        facilitators=[facilitator], language="sv", principles=default_principles("sv")
    )
    for number in range(participants):
        Participant.objects.create(
            event=event, name=f"Deltagare {number}", organisation="Sjöbo kommun"
        )
    with translation.override("sv"):
        content = documentation.export_documentation_pdf(event).content
    pages = pdf_text(content, tmp_path).split("\f")
    [page] = [page for page in pages if "De som kommer är rätt personer." in page]
    assert "Principerna och lagen" in page
    assert "Lagen om två fötter" in page
