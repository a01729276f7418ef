"""CSV exports of an event: the agenda and the action plan.

Spreadsheets treat a cell starting with =, +, -, @ (or a tab, carriage return or
line feed) as a formula; a participant's topic title must never run as one on the
organiser's computer, so such cells get a leading apostrophe. As a precaution the
full-width forms (＝ ＋ － ＠) and these characters after leading spaces get it too.
The files are UTF-8 with a byte-order mark so Excel shows å, ä, ö correctly.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from django.utils import translation
from django.utils.translation import gettext as _

from agenda.models import Topic
from events.models import Event
from openspace.text import slugify

from .documentation import Export
from .documentation_context import action_rows, session_sort_key

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
LEADING_SPACES = " \u00a0\u3000"


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS) or text.lstrip(LEADING_SPACES).startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_bytes(header: list[str], rows: Iterable[Iterable]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _filename(event: Event, what: str) -> str:
    return f"{slugify(event.title) or event.slug}-{what}.csv"


def export_agenda_csv(event: Event) -> Export:
    """One row per placed session, in cell order (A1, A2, ... B1 ...)."""
    sessions = sorted(
        Topic.objects.active()
        .filter(event=event, room__isnull=False, time_slot__isnull=False)
        .select_related("room", "time_slot", "convener"),
        key=session_sort_key,
    )
    with translation.override(event.language):
        header = [
            _("Code"),
            _("Round"),
            _("Starts"),
            _("Ends"),
            _("Room"),
            _("Title"),
            _("Convener"),
            _("Organisation"),
            _("Co-convener"),
        ]
    rows = (
        [
            topic.code,
            topic.time_slot.label,
            topic.time_slot.starts_at.strftime("%H:%M"),
            topic.time_slot.ends_at.strftime("%H:%M"),
            topic.room.name,
            topic.title,
            topic.convener.name if topic.convener else "",
            topic.convener.organisation if topic.convener else "",
            topic.co_convener,
        ]
        for topic in sessions
    )
    return Export(
        content=_csv_bytes(header, rows),
        content_type="text/csv; charset=utf-8",
        filename=_filename(event, "agenda"),
    )


def export_action_plan_csv(event: Event) -> Export:
    """The action plan: Who, What, Level, When, Who joins, and the ladder step."""
    with translation.override(event.language):
        header = [
            _("Who"),
            _("What"),
            _("Level"),
            _("When"),
            _("Who joins"),
            _("Ladder step"),
            _("Next step"),
        ]
        rows = [
            [
                row.who,
                row.what,
                row.level,
                row.when,
                row.joins,
                row.step or "",
                row.next_step,
            ]
            for row in action_rows(event)
        ]
    return Export(
        content=_csv_bytes(header, rows),
        content_type="text/csv; charset=utf-8",
        filename=_filename(event, "action-plan"),
    )
