"""The event as one versioned JSON document: export and import (see docs/event-format.md).

The document lists the event's parts (rooms, time slots, participants, topics,
sign-ups, reports, photos, comments, initiatives, reflections ...) as arrays of
plain objects. Objects refer to each other by "id", a number local to the
document (1, 2, 3 ... in export order), never by database keys, so exporting an
imported event gives the same document again.

Import is all or nothing: one transaction, every value validated by the model's
own fields; any problem raises EventImportError with a message for people.
Photos are referenced by their storage name and must already be in the media
storage (the same server, or copied beside it first); a missing one is an error.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.core.validators import MaxLengthValidator
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Room, SignUp, TimeSlot, Topic
from events.forms import RETENTION_MAX_DAYS
from events.models import Event, Participant, RunSheetItem, Series
from openspace.text import slugify

from .documentation import Export
from .models import (
    ClosingSummary,
    Initiative,
    InitiativeMember,
    Reflection,
    Report,
    ReportComment,
    ReportPhoto,
)
from .models.documentation import DocumentationSettings

FORMAT_NAME = "openspace-event"
FORMAT_VERSION = 1
# Far above any real event (2,000 participants, 200 sessions, long reports: ~3 MB).
MAX_IMPORT_BYTES = 10 * 1024 * 1024

EVENT_FIELDS = [
    "slug",
    "title",
    "theme_question",
    "purpose",
    "description",
    "date",
    "start_time",
    "end_time",
    "venue",
    "language",
    "principles",
    "phase",
    "participant_visibility",
    # Added within format version 1 (optional: older files import without them).
    "locked_at",
    "privacy_controller",
    "privacy_notice",
    "retention_days",
    "accessibility_statement_url",
]
DOCUMENTATION_FIELDS = ["intro", "purpose", "include_comments", "published"]


class EventImportError(ValueError):
    """The file cannot be imported; the message says why, for the person importing."""


@dataclass(frozen=True)
class Part:
    """One array of the document: which model, which fields, which references."""

    key: str
    model: type[models.Model]
    fields: list[str]
    # field name -> the key of the part it refers to
    refs: dict[str, str] = field(default_factory=dict)
    # The part's objects of an event, in a stable order.
    queryset: Callable[[Event], models.QuerySet] | None = None
    # auto_now_add fields: written after creation so the round trip is exact.
    timestamps: list[str] = field(default_factory=list)
    # File fields: the file must exist in storage.
    files: list[str] = field(default_factory=list)
    # Whether the model has an `event` foreign key to set on import.
    has_event: bool = True
    # Rules across fields, checked on import before the object is saved.
    check: Callable[[models.Model, str], None] | None = None

    def objects(self, event: Event) -> models.QuerySet:
        if self.queryset is not None:
            return self.queryset(event)
        return self.model.objects.filter(event=event).order_by("pk")


def _parts() -> list[Part]:
    """The parts in dependency order: a part refers only to parts before it."""
    parts = [
        Part(
            "run_sheet",
            RunSheetItem,
            ["phase", "label", "starts_at", "ends_at", "position"],
        ),
        Part(
            "participants",
            Participant,
            ["name", "organisation", "removed_at", "anonymised_at"],
            timestamps=["created_at"],
        ),
        Part(
            "rooms",
            Room,
            ["name", "code", "location_hint", "capacity", "position"],
        ),
        Part(
            "time_slots",
            TimeSlot,
            ["label", "starts_at", "ends_at", "number"],
        ),
        Part(
            "topics",
            Topic,
            ["title", "description", "co_convener", "locked", "withdrawn_at", "hidden_at"],
            refs={"convener": "participants", "room": "rooms", "time_slot": "time_slots"},
            timestamps=["created_at"],
            check=_check_topic,
        ),
        Part(
            "signups",
            SignUp,
            ["waiting"],
            refs={"topic": "topics", "participant": "participants"},
            queryset=lambda event: SignUp.objects.filter(topic__event=event).order_by("pk"),
            timestamps=["created_at"],
            has_event=False,
        ),
        Part(
            "reports",
            Report,
            [
                "participant_count",
                "participant_names",
                "discussion",
                "insights",
                "proposals",
                "other",
                "version",
                "published_at",
                "hidden_at",
                "last_edited_by",
            ],
            # Optional: older files import without it.
            refs={"topic": "topics", "last_editor": "participants"},
            timestamps=["created_at"],
        ),
        Part(
            "report_photos",
            ReportPhoto,
            ["caption", "position", "width", "height"],
            # Optional: older files import without it.
            refs={"report": "reports", "uploaded_by": "participants"},
            queryset=lambda event: ReportPhoto.objects.filter(report__event=event).order_by("pk"),
            timestamps=["created_at"],
            files=["image", "thumbnail"],
            has_event=False,
        ),
        Part(
            "report_comments",
            ReportComment,
            ["author_name", "text", "hidden"],
            refs={"report": "reports", "participant": "participants"},
            queryset=lambda event: ReportComment.objects.filter(report__event=event).order_by("pk"),
            timestamps=["created_at"],
            has_event=False,
        ),
        Part(
            "initiatives",
            Initiative,
            [
                "who",
                "what",
                "levels",
                "when",
                "guests",
                "ladder_step",
                "ladder_position",
                "next_step",
                "state",
                "withdrawn_at",
                "hidden_at",
            ],
            refs={
                "created_by": "participants",
                "topic": "topics",
                "merged_into": "initiatives",
            },
            timestamps=["created_at"],
        ),
        Part(
            "initiative_members",
            InitiativeMember,
            [],
            refs={"initiative": "initiatives", "participant": "participants"},
            queryset=lambda event: InitiativeMember.objects.filter(
                initiative__event=event
            ).order_by("pk"),
            timestamps=["created_at"],
            has_event=False,
        ),
        Part(
            "reflections",
            Reflection,
            ["text", "anonymous", "hidden_at"],
            refs={"participant": "participants"},
            timestamps=["created_at"],
        ),
    ]
    return parts


def _check_topic(topic: Topic, where: str) -> None:
    # Hiding a topic withdraws it too (reports/moderation.py): hidden but not withdrawn,
    # it would stay on every page while the moderation page lists it as hidden.
    if topic.hidden_at is not None and topic.withdrawn_at is None:
        raise EventImportError(
            _("%(where)s: a hidden topic must also be withdrawn (withdrawn_at).") % {"where": where}
        )


def _check_event(event: Event) -> None:
    """What the privacy settings form allows, and a last day of names that is a date."""
    if event.retention_days is None:
        return
    if event.retention_days > RETENTION_MAX_DAYS:
        message = _("at most %(limit)d days") % {"limit": RETENTION_MAX_DAYS}
    else:
        try:
            event.date + datetime.timedelta(days=event.retention_days)
            return
        except OverflowError:
            message = _("the names would be kept past the year 9999")
    raise EventImportError(
        _("%(where)s, %(field)s: %(message)s")
        % {"where": _("event"), "field": "retention_days", "message": message}
    )


# -- values ---------------------------------------------------------------------------------


def _dump_value(model_field: models.Field, value):
    if value is None:
        return None
    if isinstance(model_field, models.FileField):
        return value.name or None
    if isinstance(model_field, models.DateTimeField):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.isoformat()
    if isinstance(model_field, models.DateField | models.TimeField):
        return value.isoformat()
    return value


def _load_value(model_field: models.Field, value, where: str):
    try:
        if value is None:
            if not model_field.null and not isinstance(model_field, models.FileField):
                if isinstance(model_field, models.CharField | models.TextField):
                    return ""
                raise ValidationError(_("a value is required"))
            return None
        if isinstance(model_field, models.FileField):
            if not isinstance(value, str):
                raise ValidationError(_("a file name is expected"))
            return value
        if isinstance(model_field, models.BooleanField) and not isinstance(value, bool):
            raise ValidationError(_("true or false is expected"))
        if isinstance(model_field, models.CharField | models.TextField) and not isinstance(
            value, str
        ):
            raise ValidationError(_("text is expected"))
        if isinstance(model_field, models.IntegerField) and (
            isinstance(value, bool) or not isinstance(value, int)
        ):
            raise ValidationError(_("a whole number is expected"))
        # DateTimeField is a DateField. Django's parsers take text only (a number: TypeError).
        if isinstance(model_field, models.DateField | models.TimeField) and not isinstance(
            value, str
        ):
            raise ValidationError(_("a date or time written as text is expected"))
        result = model_field.to_python(value)
        if isinstance(model_field, models.DateTimeField) and result:
            if timezone.is_naive(result):
                result = timezone.make_aware(result)
            try:  # stored in UTC, shown in local time: neither may fall outside years 1-9999
                result.astimezone(datetime.UTC)
                timezone.localtime(result)
            except OverflowError:
                raise ValidationError(_("the date is out of range")) from None
        return result
    except ValidationError as exc:
        message = "; ".join(str(m) for m in exc.messages)
        raise EventImportError(
            _("%(where)s, %(field)s: %(message)s")
            % {"where": where, "field": model_field.name, "message": message}
        ) from None


# -- export ---------------------------------------------------------------------------------


def export_event(event: Event) -> dict:
    """The event as a JSON-ready dict."""
    document: dict = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "event": {
            name: _dump_value(Event._meta.get_field(name), getattr(event, name))
            for name in EVENT_FIELDS
        },
    }
    document["event"]["series"] = event.series.name if event.series_id else None
    ids: dict[str, dict[int, int]] = {}
    for part in _parts():
        rows = []
        objects = list(part.objects(event))
        # All ids first: a part may refer to itself (an initiative merged into another).
        ids[part.key] = {obj.pk: index for index, obj in enumerate(objects, start=1)}
        for index, obj in enumerate(objects, start=1):
            row = {"id": index}
            for name in part.fields + part.timestamps + part.files:
                row[name] = _dump_value(part.model._meta.get_field(name), getattr(obj, name))
            for name, target in part.refs.items():
                pk = getattr(obj, f"{name}_id")
                row[name] = ids[target].get(pk) if pk is not None else None
            rows.append(row)
        document[part.key] = rows
    doc_settings = DocumentationSettings.objects.filter(event=event).first()
    document["documentation"] = (
        {name: getattr(doc_settings, name) for name in DOCUMENTATION_FIELDS}
        if doc_settings
        else None
    )
    summary = ClosingSummary.objects.filter(event=event).first()
    document["closing_summary"] = summary.text if summary else None
    return document


def export_event_json(event: Event) -> Export:
    content = json.dumps(export_event(event), ensure_ascii=False, indent=2).encode("utf-8")
    return Export(
        content=content,
        content_type="application/json; charset=utf-8",
        filename=f"{event.slug}-{event.date:%Y-%m-%d}.json",
    )


# -- import ---------------------------------------------------------------------------------


def parse_document(raw: bytes | str) -> dict:
    """The document in `raw`, checked for size, syntax, format and version."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise EventImportError(
            _("The file is too large (%(size)d MB); at most %(limit)d MB can be imported.")
            % {"size": len(raw) // (1024 * 1024), "limit": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    try:
        document = json.loads(raw)
    except UnicodeDecodeError:
        raise EventImportError(_("The file is not a text file in UTF-8.")) from None
    except json.JSONDecodeError as exc:
        raise EventImportError(
            _("The file is not valid JSON (line %(line)d, column %(column)d: %(problem)s).")
            % {"line": exc.lineno, "column": exc.colno, "problem": exc.msg}
        ) from None
    except (RecursionError, ValueError):  # nested too deep; a number of over 4,300 digits
        raise EventImportError(
            _("The file is not an exported event: it is nested too deeply or has huge numbers.")
        ) from None
    check_storable_text(document)
    if not isinstance(document, dict) or document.get("format") != FORMAT_NAME:
        raise EventImportError(_("The file is not an exported Open Space event."))
    version = document.get("format_version")
    if version != FORMAT_VERSION:
        raise EventImportError(
            _(
                "The file has format version %(found)s; this server reads version %(expected)d. "
                "Export the event again from a server of the same version."
            )
            % {"found": version, "expected": FORMAT_VERSION}
        )
    if not isinstance(document.get("event"), dict):
        raise EventImportError(_("The file has no event in it."))
    return document


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def check_storable_text(document) -> None:
    """No NUL character and no lone surrogate anywhere in the document.

    JSON carries both (as \\u0000 and \\ud800); PostgreSQL cannot store the first and
    neither database the second, and no export ever holds them.
    """
    stack = [document]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, str) and _unstorable(node):
            shown = node.encode("utf-8", "replace").decode().replace("\x00", "\ufffd")
            raise EventImportError(
                _(
                    "The file holds text that cannot be stored "
                    "(a NUL character or broken Unicode): “%(text)s”."
                )
                % {"text": shown[:80]}
            )


def unique_slug(wanted: str) -> str:
    base = slugify(wanted)[:50] or "event"
    slug, number = base, 2
    while Event.objects.filter(slug=slug).exists():
        slug = f"{base}-{number}"
        number += 1
    return slug


def import_event(raw: bytes | str | dict, *, slug: str | None = None, facilitators=()) -> Event:
    """Create a new event from an exported document; all or nothing."""
    if isinstance(raw, dict):
        document = raw
        check_storable_text(document)
    else:
        document = parse_document(raw)
    try:
        with transaction.atomic():
            return _import(document, slug=slug, facilitators=facilitators)
    except IntegrityError as exc:
        raise EventImportError(
            _("The file contradicts itself and was not imported (%(problem)s).") % {"problem": exc}
        ) from None


def _rows(document: dict, key: str) -> list[dict]:
    rows = document.get(key, [])
    if rows is None:
        return []
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise EventImportError(_("“%(key)s” must be a list of objects.") % {"key": key})
    return rows


def _import(document: dict, *, slug: str | None, facilitators) -> Event:
    data = document["event"]
    event = Event()
    for name in EVENT_FIELDS:
        if name in data:
            value = _load_value(Event._meta.get_field(name), data[name], _("event"))
            setattr(event, name, value)
    event.slug = unique_slug(slug or data.get("slug") or data.get("title") or "event")
    series_name = data.get("series")
    if series_name:
        if not isinstance(series_name, str):
            raise EventImportError(_("The series must be a name."))
        _validate(Series(name=series_name), _("series"), exclude=[])
        event.series = Series.objects.filter(name=series_name).order_by("pk").first()
        if event.series is None:
            event.series = Series.objects.create(name=series_name)
    _validate(event, _("event"), exclude=["join_code", "series"])
    _check_event(event)
    event.save()
    if facilitators:
        event.facilitators.add(*facilitators)

    created: dict[str, dict[int, models.Model]] = {}
    for part in _parts():
        local = created.setdefault(part.key, {})
        rows = _rows(document, part.key)
        self_refs = [name for name, target in part.refs.items() if target == part.key]
        later: list[tuple[models.Model, str, object, str]] = []
        for position, row in enumerate(rows, start=1):
            where = _("%(part)s, item %(number)d") % {"part": part.key, "number": position}
            obj = part.model()
            if part.has_event:
                obj.event = event
            for name in part.fields + part.files:
                if name in row:
                    value = _load_value(part.model._meta.get_field(name), row[name], where)
                    # Checked before it is set: an image field reads its file when set.
                    if name in part.files and value and not _stored(value):
                        raise EventImportError(
                            _(
                                "%(where)s refers to the file “%(file)s”, "
                                "which is not on this server."
                            )
                            % {"where": where, "file": value}
                        )
                    setattr(obj, name, value)
            for name, target in part.refs.items():
                ref = row.get(name)
                if ref is None:
                    continue
                if name in self_refs:
                    later.append((obj, name, ref, where))
                    continue
                setattr(obj, name, _referenced(created[target], ref, target, where))
            _validate(obj, where, exclude=list(part.refs))
            if part.check is not None:
                part.check(obj, where)
            obj.save()
            stamps = {}
            for name in part.timestamps:
                if row.get(name):
                    stamps[name] = _load_value(part.model._meta.get_field(name), row[name], where)
            if stamps:
                part.model.objects.filter(pk=obj.pk).update(**stamps)
            ref_id = row.get("id", position)
            if isinstance(ref_id, bool) or not isinstance(ref_id, int):
                raise EventImportError(
                    _("%(where)s: the id must be a whole number.") % {"where": where}
                )
            if ref_id in local:
                raise EventImportError(
                    _("%(where)s: the id %(id)s is used twice.") % {"where": where, "id": ref_id}
                )
            local[ref_id] = obj
        for obj, name, ref, where in later:
            setattr(obj, name, _referenced(local, ref, part.key, where))
            obj.save(update_fields=[name])

    summary = document.get("closing_summary")
    if summary:
        if not isinstance(summary, str):
            raise EventImportError(_("“closing_summary” must be text."))
        closing = ClosingSummary(event=event, text=summary)
        _validate(closing, "closing_summary", exclude=["event", "updated_by"])
        closing.save()

    doc_data = document.get("documentation")
    if doc_data:
        if not isinstance(doc_data, dict):
            raise EventImportError(_("“documentation” must be an object."))
        doc_settings = DocumentationSettings(event=event)
        for name in DOCUMENTATION_FIELDS:
            if name in doc_data:
                field_ = DocumentationSettings._meta.get_field(name)
                setattr(doc_settings, name, _load_value(field_, doc_data[name], "documentation"))
        _validate(doc_settings, "documentation", exclude=["event"])
        doc_settings.save()
    return event


def _stored(name: str) -> bool:
    try:
        return default_storage.exists(name)
    except SuspiciousFileOperation:  # "../../etc/passwd"
        return False


def _referenced(objects: dict, ref, target: str, where: str):
    if isinstance(ref, bool) or not isinstance(ref, int) or ref not in objects:
        raise EventImportError(
            _("%(where)s refers to %(target)s %(ref)s, which is not in the file.")
            % {"where": where, "target": target, "ref": ref}
        )
    return objects[ref]


def _check_text_lengths(obj: models.Model, exclude: list[str]) -> None:
    errors = {}
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.TextField) and f.max_length and f.name not in exclude:
            try:
                MaxLengthValidator(f.max_length)(getattr(obj, f.attname) or "")
            except ValidationError as exc:
                errors[f.name] = exc.messages
    if errors:
        raise ValidationError(errors)


def _validate(obj: models.Model, where: str, *, exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
        # A TextField's max_length binds only its form field: check it here as the forms do.
        _check_text_lengths(obj, exclude)
    except ValidationError as exc:
        problems = "; ".join(
            f"{name}: {' '.join(str(m) for m in messages)}"
            for name, messages in exc.message_dict.items()
        )
        raise EventImportError(
            _("%(where)s is not valid: %(problems)s") % {"where": where, "problems": problems}
        ) from None
