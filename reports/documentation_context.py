"""What goes into the documentation (reports.documentation renders it): build_context()
gathers everything the print template needs with a fixed number of queries, and the
photos are prepared at print size.

Photos go into the PDF at print size: prepare_print_photo() decodes the camera
image at a reduced scale (JPEG draft mode), turns it upright from its EXIF
orientation, drops all metadata (GPS!) and caches the result under
MEDIA_ROOT/documentation/print/, keyed by the source file, so a second render
skips the work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from PIL import Image, ImageOps

from agenda.models import Room, TimeSlot, Topic
from events.models import Event, Participant, ParticipantVisibility

from . import action_queries
from .models import Report, ReportComment, ReportPhoto
from .models.documentation import (
    DocumentationSettings,
)

logger = logging.getLogger(__name__)

# The long edge of a photo in the PDF. The text block is 170 mm wide; 1400 px
# over at most 170 mm is >= 200 dpi: sharp on paper, a fraction of camera size.
PRINT_PHOTO_LONG_EDGE = 1400
PRINT_PHOTO_QUALITY = 78
PRINT_PHOTO_DIR = "documentation/print"
# Rooms per agenda table: more columns would not be readable on A4 portrait.
AGENDA_ROOMS_PER_TABLE = 4
# About how many characters a line of each action-plan column holds (its share of
# the 170 mm text width at 9 pt, print-documentation.css), and how many lines make
# a row "tall": about half an A4 page.
ACTION_COLUMN_CHARS = {"who": 13, "what": 24, "when": 11, "joins": 29}
TALL_ROW_LINES = 25

Progress = Callable[[int], None]


def get_documentation_settings(event: Event) -> DocumentationSettings:
    """The event's documentation settings, or unsaved defaults if none were saved."""
    try:
        return event.documentation
    except DocumentationSettings.DoesNotExist:
        return DocumentationSettings(event=event)


# -- photos ---------------------------------------------------------------------------------


def prepare_print_photo(file_field) -> str | None:
    """The MEDIA_ROOT-relative path of a print-size copy of a photo, made once.

    Returns None when the source is missing or not an image: the document says
    so instead of failing.
    """
    storage = file_field.storage
    name = file_field.name
    if not name:
        return None
    try:
        stat_key = f"{name}:{storage.size(name)}:{storage.get_modified_time(name).timestamp()}"
    except (OSError, NotImplementedError):
        return None
    digest = hashlib.sha256(stat_key.encode()).hexdigest()[:32]
    target = f"{PRINT_PHOTO_DIR}/{digest}.jpg"
    target_path = Path(settings.MEDIA_ROOT) / target
    if target_path.exists():
        return target
    try:
        with storage.open(name, "rb") as source, Image.open(source) as image:
            # Decode a JPEG at 1/2, 1/4 or 1/8 scale straight away: a 12-megapixel
            # phone photo then costs a few MB of memory, not 36.
            image.draft("RGB", (PRINT_PHOTO_LONG_EDGE, PRINT_PHOTO_LONG_EDGE))
            image = ImageOps.exif_transpose(image)
            image = image.convert("RGB")
            image.thumbnail(
                (PRINT_PHOTO_LONG_EDGE, PRINT_PHOTO_LONG_EDGE), Image.Resampling.LANCZOS
            )
            target_path.parent.mkdir(parents=True, exist_ok=True)
            # A unique temporary name: two renders may prepare the same photo at once.
            tmp = target_path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            # No exif= argument: location and camera data stay out of the PDF.
            image.save(tmp, "JPEG", quality=PRINT_PHOTO_QUALITY)
            tmp.replace(target_path)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        logger.warning("Documentation: photo %s left out: %s", name, exc)
        return None
    return target


def prepare_print_photos(
    file_fields: list, *, progress: Progress | None = None, start: int = 5, end: int = 55
) -> dict[str, str | None]:
    """Print-size copies of many photos, two or more at a time: {source name: path or None}.

    Pillow releases the GIL while it decodes, scales and encodes, so threads use
    every core; progress goes from `start` to `end` percent.
    """
    unique = {f.name: f for f in file_fields if f and f.name}
    results: dict[str, str | None] = {}
    if not unique:
        return results
    workers = max(1, min(4, os.cpu_count() or 1))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(prepare_print_photo, f): name for name, f in unique.items()}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress(start + (end - start) * done // len(unique))
    return results


# -- context --------------------------------------------------------------------------------


@dataclass
class AgendaTable:
    rooms: list[Room]
    rows: list[tuple[TimeSlot, list[Topic | None]]]


# What the print template shows, in plain values: the template never reaches
# into the reports app's models, so their field names live in one place here.


@dataclass
class PrintPhoto:
    src: str | None  # None: the file is missing or not an image
    caption: str
    alt: str


@dataclass
class PrintComment:
    text: str
    author: str = ""


@dataclass
class ReportItem:
    """One session in the reports section, with its report (report=False if nobody wrote one)."""

    session: Topic
    report: bool = False
    people: str = ""
    # (heading, text) in the order of the report template.
    sections: list[tuple[str, str]] = field(default_factory=list)
    photos: list[PrintPhoto] = field(default_factory=list)
    comments: list[PrintComment] = field(default_factory=list)


@dataclass
class ActionRow:
    who: str
    what: str
    level: str  # "F", "G", "U" or ""
    level_label: str
    when: str
    joins: str
    step: int | None = None  # 1-4 on the collaboration ladder
    next_step: str = ""

    @property
    def what_short(self) -> str:
        return Truncator(self.what).chars(120)

    @property
    def tall(self) -> bool:
        """Whether the row would take more than about half a page.

        Rows are kept whole on a page, but one that does not fit under the table's
        head was moved to the next page, leaving a page with only the heading and
        the caption (a 2,000-character "what" is taller than a page, so it was
        broken there all the same). A tall row may break; short ones stay whole.
        """
        return any(
            _line_count(getattr(self, column), chars) > TALL_ROW_LINES
            for column, chars in ACTION_COLUMN_CHARS.items()
        )


def _line_count(text: str, chars_per_line: int) -> int:
    """About how many lines `text` takes in a column of `chars_per_line` characters."""
    return sum(max(1, -(-len(line) // chars_per_line)) for line in text.splitlines())


@dataclass
class LadderStep:
    number: int
    label: str
    rows: list[ActionRow]


@dataclass
class PrintReflection:
    text: str
    author: str = ""


@dataclass
class PeopleSection:
    visibility: str
    count: int
    names: list[Participant] = field(default_factory=list)
    organisations: list[tuple[str, int]] = field(default_factory=list)


def _facilitator_names(event: Event) -> list[str]:
    users = get_user_model().objects.filter(facilitated_events=event).order_by("pk")
    return [user.get_full_name() or user.get_username() for user in users]


def _people(event: Event, participants: list[Participant]) -> PeopleSection:
    section = PeopleSection(visibility=event.participant_visibility, count=len(participants))
    if event.participant_visibility == ParticipantVisibility.NAMES:
        # Anonymised people are counted, not listed ("Anonymous participant" × 40).
        section.names = [p for p in participants if p.anonymised_at is None]
    elif event.participant_visibility == ParticipantVisibility.ORGANISATIONS:
        counts: dict[str, int] = {}
        for participant in participants:
            if participant.organisation:
                counts[participant.organisation] = counts.get(participant.organisation, 0) + 1
        section.organisations = sorted(counts.items(), key=lambda item: item[0].casefold())
    return section


def _agenda_tables(
    rooms: list[Room], slots: list[TimeSlot], sessions: Iterable[Topic]
) -> list[AgendaTable]:
    by_cell = {(topic.room_id, topic.time_slot_id): topic for topic in sessions}
    tables = []
    for start in range(0, len(rooms), AGENDA_ROOMS_PER_TABLE):
        chunk = rooms[start : start + AGENDA_ROOMS_PER_TABLE]
        rows = [(slot, [by_cell.get((room.pk, slot.pk)) for room in chunk]) for slot in slots]
        tables.append(AgendaTable(rooms=chunk, rows=rows))
    return tables


def session_sort_key(topic: Topic) -> tuple:
    """Cell order: A1, A2, ... B1 ... (room position, then round)."""
    return (topic.room.position, topic.room.code, topic.time_slot.number)


def _report_items(
    event: Event,
    sessions: list[Topic],
    doc_settings: DocumentationSettings,
    *,
    photo_src: Callable[[str], str],
    progress: Progress | None,
) -> list[ReportItem]:
    """Every session in code order, with its published report, photos and comments."""
    comments = ReportComment.objects.filter(hidden=False).select_related("participant")
    reports = {
        report.topic_id: report
        for report in Report.objects.published()
        .filter(event=event)
        .prefetch_related(
            Prefetch("photos", queryset=ReportPhoto.objects.order_by("position", "pk")),
            Prefetch("comments", queryset=comments.order_by("created_at", "pk")),
        )
    }
    photos = [photo for report in reports.values() for photo in report.photos.all()]
    prepared = prepare_print_photos([photo.image for photo in photos], progress=progress)
    names_allowed = event.participant_visibility == ParticipantVisibility.NAMES
    items = []
    for topic in sessions:
        report = reports.get(topic.pk)
        item = ReportItem(session=topic)
        if report is not None:
            item.report = True
            item.people = _took_part(report, names_allowed=names_allowed)
            item.sections = [(str(heading), text) for _name, heading, text in report.sections()]
            for number, photo in enumerate(report.photos.all(), start=1):
                path = prepared.get(photo.image.name)
                item.photos.append(
                    PrintPhoto(
                        src=photo_src(path) if path else None,
                        caption=photo.caption,
                        alt=photo.caption
                        or _("Photo %(number)d from session %(code)s")
                        % {"number": number, "code": topic.code},
                    )
                )
            if doc_settings.include_comments:
                item.comments = [
                    PrintComment(
                        text=comment.text,
                        author=(
                            (comment.participant.name if comment.participant else "")
                            or comment.author_name
                        )
                        if names_allowed
                        else "",
                    )
                    for comment in report.comments.all()
                ]
        items.append(item)
    return items


def _took_part(report: Report, *, names_allowed: bool) -> str:
    """How many took part, and who as the event's privacy setting allows: as on the
    report's page, "7 people: Åsa, Örjan" (the count stays when names are typed too)."""
    count = ""
    if report.participant_count:
        count = ngettext("%(count)d person", "%(count)d people", report.participant_count) % {
            "count": report.participant_count
        }
    names = ""
    if names_allowed:
        names = ", ".join(
            line.strip() for line in report.participant_names.splitlines() if line.strip()
        )
    if count and names:
        return f"{count}: {names}"
    return names or count


def build_context(
    event: Event, *, photo_src: Callable[[str], str] | None = None, progress: Progress | None = None
) -> dict:
    """Everything the print template shows, with a fixed number of queries.

    photo_src turns a MEDIA_ROOT-relative path of a print-size photo into the
    address the renderer (or the browser) loads it from.
    """
    photo_src = photo_src or (lambda path: settings.MEDIA_URL + path)
    doc_settings = get_documentation_settings(event)
    event = Event.objects.select_related("series").get(pk=event.pk)

    participants = list(Participant.objects.active().filter(event=event).order_by("name", "pk"))
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    slots = list(TimeSlot.objects.filter(event=event).order_by("starts_at", "number", "pk"))
    sessions = sorted(
        Topic.objects.active()
        .filter(event=event, room__isnull=False, time_slot__isnull=False)
        .select_related("room", "time_slot", "convener"),
        key=session_sort_key,
    )
    earlier = []
    if event.series_id:
        earlier = list(
            Event.objects.filter(series_id=event.series_id, date__lt=event.date)
            .exclude(pk=event.pk)
            .order_by("date", "start_time")
        )

    return {
        "event": event,
        "doc": doc_settings,
        "purpose": doc_settings.purpose or event.purpose,
        "facilitators": _facilitator_names(event),
        "people": _people(event, participants),
        "principles": event.principle_lines() or default_principles(),
        "earlier_meetings": earlier,
        "agenda_tables": _agenda_tables(rooms, slots, sessions),
        "has_agenda": bool(rooms and slots),
        "report_items": _report_items(
            event, sessions, doc_settings, photo_src=photo_src, progress=progress
        ),
        "action_rows": (rows := action_rows(event)),
        "ladder": ladder(rows),
        "summary": action_queries.documentation_summary(event),
        "reflections": [
            PrintReflection(text=r.text, author=r.author)
            for r in action_queries.documentation_reflections(event)
        ],
        "generated_at": timezone.localtime(),
    }


def action_rows(event: Event) -> list[ActionRow]:
    """The action plan of the event as printable rows, oldest first."""
    return [
        ActionRow(
            who=row.who,
            what=row.what,
            level=row.level,
            level_label=row.level_label,
            when=row.when,
            joins=row.joins,
            step=row.step,
            next_step=row.next_step,
        )
        for row in action_queries.documentation_initiatives(event)
    ]


LADDER_STEPS = {
    1: gettext_lazy("Conversation"),
    2: gettext_lazy("Shared view"),
    3: gettext_lazy("Collaboration"),
    4: gettext_lazy("Cooperation"),
}


def ladder(rows: list[ActionRow]) -> list[LadderStep]:
    """The collaboration ladder, top step first; empty when no initiative is placed on it."""
    if not any(row.step for row in rows):
        return []
    return [
        LadderStep(number=n, label=str(LADDER_STEPS[n]), rows=[r for r in rows if r.step == n])
        for n in sorted(LADDER_STEPS, reverse=True)
    ]


def default_principles() -> list[str]:
    return [
        _("Whoever comes are the right people."),
        _("Whatever happens is the only thing that could have."),
        _("Whenever it starts is the right time."),
        _("When it's over, it's over."),
        _(
            "The law of two feet: if you are neither learning nor contributing where you are, "
            "move somewhere you can."
        ),
    ]


def css_string(text: str) -> str:
    """`text` as a CSS string literal, for the page-margin boxes of the PDF.

    Every character but letters, digits and a few marks is written as a CSS escape,
    so no text (a translation, here) can end the string or the <style> element."""
    escaped = "".join(
        char if char.isalnum() or char in " .,:;!?/-" else f"\\{ord(char):x} "
        for char in text.replace("\n", " ")
    )
    return f'"{escaped}"'


def page_counter_css(text: str) -> str:
    """A CSS `content` value from a sentence with %(page)s and %(pages)s in it."""
    parts = []
    for piece in re.split(r"(%\(page\)s|%\(pages\)s)", text):
        if piece == "%(page)s":
            parts.append("counter(page)")
        elif piece == "%(pages)s":
            parts.append("counter(pages)")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts)
