"""Exports of the agenda: calendar files (.ics, RFC 5545).

Each exporter takes an event (and whatever else it needs) and returns
(bytes, content type, file name); views only wrap them.
"""

import datetime
import re
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from events.models import Event
from openspace.text import slugify

from .models import Topic

# Control characters other than the tab, which TEXT may not hold (RFC 5545 3.3.11).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _escape(text: str) -> str:
    """TEXT values: backslash, semicolon, comma and newlines escaped (RFC 5545 3.3.11),
    other control characters dropped. No typed text can start a line of its own."""
    return CONTROL.sub(
        "",
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n"),
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # never split a UTF-8 character
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74  # continuation lines start with a space
    return "\r\n ".join(parts)


def _utc(event: Event, time: datetime.time) -> str:
    local = datetime.datetime.combine(event.date, time, tzinfo=ZoneInfo(settings.TIME_ZONE))
    return local.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _vevent(event: Event, topic: Topic, host: str, stamp: str) -> list[str]:
    slot = topic.time_slot
    description = topic.description
    if topic.convener:
        description = f"{topic.convener.display_name}\n\n{description}".strip()
    return [
        "BEGIN:VEVENT",
        f"UID:topic-{topic.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(event, slot.starts_at)}",
        f"DTEND:{_utc(event, slot.ends_at)}",
        f"SUMMARY:{_escape(f'{topic.code} {topic.title}')}",
        f"LOCATION:{_escape(topic.room.name)}",
        f"DESCRIPTION:{_escape(description)}",
        "END:VEVENT",
    ]


def agenda_ics(event: Event, topics, *, host: str, name_suffix: str = "") -> tuple[bytes, str, str]:
    """The placed sessions among `topics` as one calendar."""
    stamp = timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Open Space//agenda//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(event.title)}",
    ]
    for topic in topics:
        if topic.is_placed:
            lines += _vevent(event, topic, host, stamp)
    lines.append("END:VCALENDAR")
    body = "\r\n".join(_fold(line) for line in lines) + "\r\n"
    filename = f"{slugify(event.title) or 'agenda'}{name_suffix}.ics"
    return body.encode(), "text/calendar; charset=utf-8", filename


def _qr_data_uri(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_data_uri(scale=4, border=1)


def topic_sheets_pdf(event: Event, topics, *, site: str) -> tuple[bytes, str, str]:
    """An A4 sheet per topic for the physical wall: title, convener, code, room, time,
    and QR codes to the session page and to its report form."""
    from django.template.loader import render_to_string
    from django.urls import reverse

    from openspace.pdf import render_pdf

    sheets = []
    for topic in topics:
        page = site + reverse("agenda:topic", kwargs={"slug": event.slug, "pk": topic.pk})
        report = site + reverse("reports:report-edit", kwargs={"slug": event.slug, "pk": topic.pk})
        sheets.append(
            {
                "topic": topic,
                "page_qr": _qr_data_uri(page),
                "report_qr": _qr_data_uri(report),
                "page_url": page,
            }
        )
    html = render_to_string(
        "agenda/print/topic_sheets.html",
        {"event": event, "sheets": sheets, "lang": event.language},
    )
    name = f"{slugify(event.title) or 'event'}-topic-sheets.pdf"
    return render_pdf(html, variant="pdf/ua-1"), "application/pdf", name


def agenda_poster_pdf(event: Event, grid) -> tuple[bytes, str, str]:
    """An A3 landscape poster of the grid: rounds × rooms, code, title and convener."""
    from django.template.loader import render_to_string

    from openspace.pdf import render_pdf

    html = render_to_string(
        "agenda/print/agenda_poster.html", {"event": event, "grid": grid, "lang": event.language}
    )
    name = f"{slugify(event.title) or 'event'}-agenda.pdf"
    return render_pdf(html, variant="pdf/ua-1"), "application/pdf", name
