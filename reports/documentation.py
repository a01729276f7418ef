"""The documentation of an event: the document sent to every participant afterwards.

reports.documentation_context.build_context() gathers everything the print template
needs, and prepares the photos at print size; render_html() renders
templates/reports/documentation/ in the event's language; export_documentation_pdf()
turns it into a PDF through the shared, sandboxed renderer (openspace.pdf.render_pdf)
and returns an Export the views and the background task wrap. The rest keeps the
organiser's settings and the renders made, in the request or in the background.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agenda.models import Topic
from events.models import Event
from openspace.text import slugify

from . import action_queries
from .documentation_context import (
    Progress,
    build_context,
    get_documentation_settings,
    page_counter_css,
    prepare_print_photo,
)
from .models import ReportPhoto
from .models.documentation import (
    DocumentationRender,
    DocumentationSettings,
    PdfVariant,
    RenderStatus,
)

logger = logging.getLogger(__name__)


# WeasyPrint's variant for each of our variants (see docs/documentation-pdf.md).
WEASYPRINT_VARIANTS = {
    PdfVariant.ACCESSIBLE: "pdf/ua-1",
    PdfVariant.ARCHIVAL: "pdf/a-2b",
}


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


# -- settings and cache key ---------------------------------------------------------------


def documentation_key(event: Event, doc_settings: DocumentationSettings | None = None) -> str:
    """Changes whenever anything printed in the document may have changed."""
    doc_settings = doc_settings or get_documentation_settings(event)
    version = Event.objects.filter(pk=event.pk).values_list("version", flat=True).first()
    return f"{version}.{doc_settings.revision if doc_settings.pk else 0}"


def pdf_filename(event: Event, variant: str = PdfVariant.ACCESSIBLE) -> str:
    name = slugify(event.title) or event.slug
    suffix = "-arkiv" if variant == PdfVariant.ARCHIVAL else ""
    return f"{name}-{event.date:%Y-%m-%d}{suffix}.pdf"


# -- rendering ------------------------------------------------------------------------------


def render_html(event: Event, *, progress: Progress | None = None) -> str:
    """The print document as one HTML string, in the event's language."""
    with translation.override(event.language):
        context = build_context(event, progress=progress)
        context.update(
            {
                "stylesheet": static("css/print-documentation.css"),
                "page_counter": page_counter_css(
                    _("Page %(page)s of %(pages)s") % {"page": "%(page)s", "pages": "%(pages)s"}
                ),
            }
        )
        return render_to_string("reports/documentation/document.html", context)


def export_documentation_pdf(
    event: Event, *, variant: str = PdfVariant.ACCESSIBLE, progress: Progress | None = None
) -> Export:
    from openspace.pdf import render_pdf

    html = render_html(event, progress=progress)
    if progress:
        progress(60)
    content = render_pdf(html, variant=WEASYPRINT_VARIANTS[PdfVariant(variant)])
    if progress:
        progress(100)
    return Export(
        content=content, content_type="application/pdf", filename=pdf_filename(event, variant)
    )


# -- writes: settings and cached renders ------------------------------------------------------

# Up to this size an event's PDF is made in the request (well under the "few seconds"
# line, see docs/performance.md); larger ones go to the background worker.
INLINE_RENDER_MAX_PHOTOS = 8
INLINE_RENDER_MAX_SESSIONS = 40
# A render still "running" after this long is taken as lost (a worker restarted).
STALE_RENDER_SECONDS = 15 * 60


def save_documentation_settings(
    *,
    event: Event,
    intro: str,
    purpose: str,
    summary: str | None = None,
    include_comments: bool,
    published: bool,
    user=None,
) -> DocumentationSettings:
    """Save the organisers' texts; `summary` is the action plan's closing summary."""
    from .action_plan import write_summary

    with transaction.atomic():
        doc_settings, _created = DocumentationSettings.objects.select_for_update().get_or_create(
            event=event
        )
        if summary is not None and summary != action_queries.documentation_summary(event):
            write_summary(event=event, text=summary, user=user)
        doc_settings.intro = intro
        doc_settings.purpose = purpose
        doc_settings.include_comments = include_comments
        if doc_settings.published != published:
            event.touch()  # the news wall's link to it comes or goes for every reader
        doc_settings.published = published
        doc_settings.revision = F("revision") + 1
        doc_settings.save()
        doc_settings.refresh_from_db()
    return doc_settings


def event_photo_fields(event: Event) -> list:
    """The image file fields of the photos of the event's published reports."""
    photos = ReportPhoto.objects.filter(
        report__event=event,
        report__published_at__isnull=False,
        report__hidden_at__isnull=True,
        report__topic__withdrawn_at__isnull=True,
    ).order_by("pk")
    return [photo.image for photo in photos]


def _count_photos(event: Event) -> int:
    return len(event_photo_fields(event))


def print_photo_for_event(event: Event, name: str) -> Path | None:
    """The print-size copy called `name`, if it is one of this event's report photos."""
    for file_field in event_photo_fields(event):
        path = prepare_print_photo(file_field)
        if path and path.rsplit("/", 1)[-1] == name:
            return Path(settings.MEDIA_ROOT) / path
    return None


def renders_inline(event: Event) -> bool:
    """Whether this event's PDF is small enough to make while the person waits."""
    sessions = Topic.objects.active().filter(event=event, room__isnull=False).count()
    return (
        _count_photos(event) <= INLINE_RENDER_MAX_PHOTOS and sessions <= INLINE_RENDER_MAX_SESSIONS
    )


def request_pdf(*, event: Event, variant: str, inline: bool | None = None) -> DocumentationRender:
    """The render of the event's current state: reused if made already, else started.

    inline=True makes it now, in this process; False queues it for the worker;
    None decides by the event's size.
    """
    key = documentation_key(event)
    with transaction.atomic():
        render, _created = DocumentationRender.objects.select_for_update().get_or_create(
            event=event, variant=variant, defaults={"key": key}
        )
        fresh = render.key == key and not _created
        if (
            fresh
            and render.status == RenderStatus.DONE
            and render.file
            and render.file.storage.exists(render.file.name)
        ):
            return render
        if fresh and render.status in (RenderStatus.QUEUED, RenderStatus.RUNNING):
            age = (timezone.now() - (render.started_at or render.requested_at)).total_seconds()
            if age < STALE_RENDER_SECONDS:
                return render
        render.key = key
        render.status = RenderStatus.QUEUED
        render.progress = 0
        render.error = ""
        render.started_at = None
        render.finished_at = None
        render.requested_at = timezone.now()
        render.save()
    if inline is None:
        inline = renders_inline(event)
    if inline:
        run_render(render.pk)
    else:
        from .tasks import render_documentation_pdf

        transaction.on_commit(lambda: render_documentation_pdf.enqueue(render.pk))
    render.refresh_from_db()
    return render


def run_render(render_id: int) -> None:
    """Make the PDF of a queued render and store it; the worker and inline renders call this."""
    render = DocumentationRender.objects.select_related("event").get(pk=render_id)
    if render.status == RenderStatus.DONE:
        return
    key = render.key
    DocumentationRender.objects.filter(pk=render.pk).update(
        status=RenderStatus.RUNNING, started_at=timezone.now(), progress=1
    )
    last = [0]

    def progress(percent: int) -> None:
        if percent - last[0] >= 5 or percent == 100:
            last[0] = percent
            DocumentationRender.objects.filter(pk=render.pk).update(progress=min(percent, 99))

    try:
        export = export_documentation_pdf(render.event, variant=render.variant, progress=progress)
    except Exception as exc:
        logger.exception("Documentation PDF of %s failed", render.event.slug)
        DocumentationRender.objects.filter(pk=render.pk).update(
            status=RenderStatus.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        return
    old_name = render.file.name if render.file else ""
    # MEDIA_ROOT may be served by the web server as it is: a random part keeps
    # the file (personal data) from being found by guessing its name.
    name = f"{render.event.slug}-{render.variant}-{key}-{secrets.token_urlsafe(18)}.pdf"
    render.file.save(name, ContentFile(export.content), save=False)
    DocumentationRender.objects.filter(pk=render.pk).update(
        file=render.file.name,
        size=len(export.content),
        status=RenderStatus.DONE,
        progress=100,
        finished_at=timezone.now(),
    )
    if old_name and old_name != render.file.name:
        render.file.storage.delete(old_name)
