"""Writes for session reports, their photos and comments.

Saving a report is a conditional UPDATE on its version: two people editing at
once never overwrite each other; the later save gets ReportConflict with the
text that is stored now, and the person merges.
"""

from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Topic
from events.models import Participant

from .models import REPORT_SECTIONS, Report, ReportComment, ReportPhoto
from .photos import process_photo

TEXT_FIELDS = [name for name, _heading in REPORT_SECTIONS] + ["participant_names"]
FIELDS = [*TEXT_FIELDS, "participant_count"]


class ReportError(Exception):
    """A rule stopped the change; the message is for the person."""


class ReportsClosed(ReportError):
    """The event is closed: its documentation is made, and participants change no more."""


# After the day, until a facilitator closes the event, conveners may still finish their
# reports: the documentation is made from them once it is closed. Comments belong to the
# day (the sheet hung back on the wall) and stop with it too. Facilitators may always
# correct a report, for the documentation's sake.
def writing_open(event, *, by_facilitator: bool = False) -> bool:
    """Whether a report of `event` may be changed (text, photos) by this person now."""
    return by_facilitator or not event.is_closed


def closed_message() -> str:
    return _(
        "The event is closed: its reports can no longer be changed. "
        "Ask a facilitator if something must be corrected."
    )


def check_writing_open(event, *, by_facilitator: bool = False) -> None:
    if not writing_open(event, by_facilitator=by_facilitator):
        raise ReportsClosed(closed_message())


def comments_open(event) -> bool:
    """Whether comments may be added to the reports of `event` now."""
    return not event.is_closed


class ReportConflict(ReportError):
    """Someone saved the report since this person's version; `current` is what is stored."""

    def __init__(self, current: Report):
        super().__init__(_("Someone else saved this report while you were writing."))
        self.current = current


def report_for(topic: Topic) -> Report:
    """The topic's report, made empty on first use."""
    report, _created = Report.objects.get_or_create(topic=topic, defaults={"event": topic.event})
    report.topic, report.event = topic, topic.event
    return report


@transaction.atomic
def save_report(
    *,
    report: Report,
    base_version: int,
    fields: dict,
    author: str = "",
    editor: Participant | None = None,
    publish: bool = False,
    by_facilitator: bool = False,
) -> Report:
    """Save the fields if nobody saved since `base_version`; else raise ReportConflict.

    `author` is the name shown as "Last edited by"; `editor` the participant it names
    (None for a facilitator), whom a rename or deleting their data later finds.
    ReportsClosed once the event is closed, unless `by_facilitator`."""
    check_writing_open(report.event, by_facilitator=by_facilitator)
    values = {name: fields[name] for name in FIELDS if name in fields}
    for name in TEXT_FIELDS:
        if values.get(name):
            values[name] = values[name].replace("\r\n", "\n")  # browsers send CRLF
    if publish:
        values["published_at"] = report.published_at or timezone.now()
    updated = Report.objects.filter(pk=report.pk, version=base_version).update(
        **values,
        version=F("version") + 1,
        last_edited_by=author[:200],
        last_editor=editor,
        updated_at=timezone.now(),
    )
    if not updated:
        current = Report.objects.get(pk=report.pk)
        if all(getattr(current, name) == value for name, value in values.items()):
            return current  # the same text saved twice (a retried request): no conflict
        raise ReportConflict(current)
    report.refresh_from_db()
    if publish or report.is_published:
        report.event.touch()
    return report


@transaction.atomic
def unpublish_report(*, report: Report) -> None:
    Report.objects.filter(pk=report.pk).update(published_at=None, version=F("version") + 1)
    report.event.touch()


@transaction.atomic
def add_photo(
    *,
    report: Report,
    upload,
    caption: str = "",
    uploader: Participant | None = None,
    by_facilitator: bool = False,
) -> ReportPhoto:
    """`uploader`: the participant who adds it (None for a facilitator), whose data it is."""
    check_writing_open(report.event, by_facilitator=by_facilitator)
    processed = process_photo(upload)  # raises PhotoError before anything is stored
    position = (report.photos.aggregate(last=Max("position"))["last"] or 0) + 1
    photo = ReportPhoto(
        report=report, caption=caption[:300], position=position, uploaded_by=uploader
    )
    photo.image.save("photo.jpg", processed.display, save=False)
    photo.thumbnail.save("thumb.jpg", processed.thumbnail, save=False)
    photo.save()
    _touch_if_published(report)
    return photo


def _touch_if_published(report: Report) -> None:
    if report.published_at is not None:
        report.event.touch()


@transaction.atomic
def update_photo(*, photo: ReportPhoto, caption: str, by_facilitator: bool = False) -> None:
    check_writing_open(photo.report.event, by_facilitator=by_facilitator)
    photo.caption = caption[:300]
    photo.save(update_fields=["caption"])
    _touch_if_published(photo.report)


@transaction.atomic
def move_photo(*, photo: ReportPhoto, offset: int, by_facilitator: bool = False) -> None:
    check_writing_open(photo.report.event, by_facilitator=by_facilitator)
    photos = list(photo.report.photos.all())
    index = next(i for i, p in enumerate(photos) if p.pk == photo.pk)
    target = index + offset
    if 0 <= target < len(photos):
        photos[index], photos[target] = photos[target], photos[index]
    for position, each in enumerate(photos):
        ReportPhoto.objects.filter(pk=each.pk).update(position=position)
    _touch_if_published(photo.report)


@transaction.atomic
def delete_photo(*, photo: ReportPhoto, by_facilitator: bool = False) -> None:
    report = photo.report
    check_writing_open(report.event, by_facilitator=by_facilitator)
    image, thumbnail = photo.image, photo.thumbnail
    photo.delete()
    transaction.on_commit(lambda: (image.delete(save=False), thumbnail.delete(save=False)))
    _touch_if_published(report)


@transaction.atomic
def add_comment(*, report: Report, participant: Participant, text: str) -> ReportComment:
    if not comments_open(report.event):
        raise ReportError(_("The event is closed: comments can no longer be added."))
    if not report.is_published:
        raise ReportError(_("You can comment once the report is published."))
    # The same text again from the same person, right after: the phone's back button
    # brings the page back with the text still in the box (the browser keeps it, with
    # a fresh idempotency key), and "Add comment" sent it twice.
    latest = report.comments.filter(participant=participant).order_by("-created_at", "-pk")
    if (previous := latest.first()) is not None and previous.text == text:
        return previous
    comment = ReportComment.objects.create(
        report=report, participant=participant, author_name=participant.display_name, text=text
    )
    report.event.touch()
    return comment


@transaction.atomic
def moderate_comment(*, comment: ReportComment, action: str) -> None:
    if action == "delete":
        comment.delete()
    else:
        comment.hidden = action == "hide"
        comment.save(update_fields=["hidden"])
    comment.report.event.touch()
