"""Render report text typed on a phone: paragraphs and bullet lists, nothing else.

Blank lines separate paragraphs; lines starting with "- ", "* " or "• " are list
items; other line breaks are kept. Everything is escaped first, so no HTML typed
by anyone reaches the page (or the PDF, which uses the same filter).
"""

import re
import unicodedata

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

BULLET = re.compile(r"^\s*[-*•]\s+")


def blocks(text: str) -> list[tuple[str, list[str]]]:
    """[("p", lines) or ("ul", items)] from plain text."""
    result: list[tuple[str, list[str]]] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()):
        lines = [line.rstrip() for line in chunk.split("\n") if line.strip()]
        paragraph: list[str] = []
        items: list[str] = []
        for line in lines:
            if BULLET.match(line):
                if paragraph:
                    result.append(("p", paragraph))
                    paragraph = []
                items.append(BULLET.sub("", line))
            elif items and line.startswith((" ", "\t")):
                items[-1] += " " + line.strip()  # a wrapped bullet line
            else:
                if items:
                    result.append(("ul", items))
                    items = []
                paragraph.append(line.strip())
        if paragraph:
            result.append(("p", paragraph))
        if items:
            result.append(("ul", items))
    return result


@register.filter(is_safe=True)
def report_text(text: str) -> str:
    html = []
    for kind, lines in blocks(text or ""):
        if kind == "ul":
            html.append("<ul>" + "".join(f"<li>{escape(item)}</li>" for item in lines) + "</ul>")
        else:
            html.append("<p>" + "<br>".join(escape(line) for line in lines) + "</p>")
    return mark_safe("\n".join(html))  # noqa: S308 - every piece above is escaped


@register.filter
def text_direction(text: str) -> str:
    """ "rtl" or "ltr", from the first letter with a strong direction, as dir="auto" does.

    For the PDF: its renderer (WeasyPrint) ignores dir="auto", so a report written in
    Arabic printed left to right, its full stops at the wrong end of the line."""
    for char in text or "":
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"
