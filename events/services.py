"""Writes for events: setting up an event, its rooms, time slots and run sheet,
phases, participants joining, and co-facilitators.

Each function is one transaction; every change participants or the wall can
see bumps the event's version (Event.touch).
"""

import datetime
import string

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agenda.models import Room, TimeSlot
from openspace import prepared
from openspace.middleware import event_language_cache_key
from reports.models import Initiative, Report, ReportComment

from .models import (
    Event,
    FacilitatorInvite,
    Participant,
    Phase,
    RunSheetItem,
    Series,
    participant_display_name,
)


class SetupError(Exception):
    """A rule of the event's set-up stopped the change; the message is for the person."""


def default_principles(language: str) -> str:
    """The principles and the law of two feet, in `language`."""
    with translation.override(language):
        return "\n".join(
            [
                _("Whoever comes are the right people."),
                _("Whatever happens is the only thing that could have."),
                _("Whenever it starts is the right time."),
                _("When it's over, it's over."),
                _(
                    "The law of two feet: if you are neither learning nor contributing "
                    "where you are, move somewhere you can."
                ),
            ]
        )


def is_default_principles(text: str) -> bool:
    normalised = text.replace("\r\n", "\n").strip()
    return any(
        normalised == default_principles(code)
        for code, _name in Event._meta.get_field("language").choices
    )


@transaction.atomic
def create_event(*, user, **fields) -> Event:
    principles = fields.get("principles", "")
    if not principles.strip() or is_default_principles(principles):
        # Empty, or the untouched text of another language (the form was pre-filled
        # before the language was chosen): the principles in the event's language.
        fields["principles"] = default_principles(fields.get("language", "sv"))
    event = Event.objects.create(**fields)
    event.facilitators.add(user)
    return event


@transaction.atomic
def update_event(*, event: Event, fields: dict) -> Event:
    if fields.get("language") and fields["language"] != event.language:
        # Untouched default principles follow the event's new language.
        principles = fields.get("principles", event.principles)
        if not principles.strip() or is_default_principles(principles):
            fields["principles"] = default_principles(fields["language"])
    for name, value in fields.items():
        setattr(event, name, value)
    event.save()
    cache.delete(event_language_cache_key(event.slug))
    event.touch()
    return event


@transaction.atomic
def set_phase(*, event: Event, phase: str) -> None:
    if phase not in Phase.values:
        raise SetupError(_("Unknown phase."))
    event.phase = phase
    event.save(update_fields=["phase", "updated_at"])
    event.touch()


@transaction.atomic
def set_locked(*, event: Event, locked: bool) -> None:
    """Lock the event (read only for participants) or unlock it."""
    if locked == event.is_locked:
        return
    event.locked_at = timezone.now() if locked else None
    event.save(update_fields=["locked_at", "updated_at"])
    event.touch()


# -- rooms -------------------------------------------------------------------


def room_code(index: int) -> str:
    """A, B, … Z, AA, AB, …: the letters of the room codes."""
    letters = string.ascii_uppercase
    code = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        code = letters[rest] + code
    return code


def _next_free_code(event: Event) -> str:
    taken = set(event.rooms.values_list("code", flat=True))
    index = 0
    while room_code(index) in taken:
        index += 1
    return room_code(index)


def _check_room_name(event: Event, name: str, exclude: Room | None = None) -> None:
    same = event.rooms.filter(name__iexact=name)
    if exclude is not None:
        same = same.exclude(pk=exclude.pk)
    if same.exists():
        raise SetupError(_("There is already a room called “%(name)s”.") % {"name": name})


@transaction.atomic
def add_room(*, event: Event, name: str, location_hint: str = "", capacity=None) -> Room:
    _check_room_name(event, name)
    position = (event.rooms.aggregate(last=Max("position"))["last"] or 0) + 1
    try:
        with transaction.atomic():
            room = Room.objects.create(
                event=event,
                name=name,
                code=_next_free_code(event),
                location_hint=location_hint,
                capacity=capacity,
                position=position,
            )
    except IntegrityError:
        raise SetupError(_("There is already a room called “%(name)s”.") % {"name": name}) from None
    event.touch()
    return room


@transaction.atomic
def update_room(*, room: Room, name: str, location_hint: str, capacity) -> Room:
    _check_room_name(room.event, name, exclude=room)
    room.name, room.location_hint, room.capacity = name, location_hint, capacity
    room.save()
    room.event.touch()
    return room


@transaction.atomic
def delete_room(*, room: Room) -> None:
    """Delete a room; its sessions become unplaced (nothing else is lost)."""
    room.topics.update(room=None, time_slot=None)
    room.delete()
    room.event.touch()


@transaction.atomic
def move_room(*, room: Room, offset: int) -> None:
    """Move a room one step left (-1) or right (+1) in the grid; codes stay."""
    rooms = list(room.event.rooms.all())
    index = next(i for i, r in enumerate(rooms) if r.pk == room.pk)
    target = index + offset
    if 0 <= target < len(rooms):
        rooms[index], rooms[target] = rooms[target], rooms[index]
    for position, each in enumerate(rooms):
        if each.position != position:
            Room.objects.filter(pk=each.pk).update(position=position)
    room.event.touch()


@transaction.atomic
def renumber_rooms(*, event: Event) -> None:
    """Give the rooms the codes A, B, C … in their current order."""
    rooms = list(event.rooms.all())
    # First out of the way, so the unique codes never collide. By place, not by id: a
    # code has at most 4 characters, and "~1234" did not fit once ids reached 1,000.
    for index, room in enumerate(rooms):
        Room.objects.filter(pk=room.pk).update(code=f"~{index:x}")
    for index, room in enumerate(rooms):
        Room.objects.filter(pk=room.pk).update(code=room_code(index))
    event.touch()


# -- time slots ----------------------------------------------------------------


def _check_slot(event: Event, starts_at, ends_at, exclude: TimeSlot | None = None) -> None:
    if ends_at <= starts_at:
        raise SetupError(_("A time slot must end after it starts."))
    others = event.time_slots.all()
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    for other in others:
        if starts_at < other.ends_at and other.starts_at < ends_at:
            raise SetupError(
                _("This time overlaps %(label)s (%(start)s–%(end)s).")
                % {
                    "label": other.label,
                    "start": other.starts_at.strftime("%H:%M"),
                    "end": other.ends_at.strftime("%H:%M"),
                }
            )


@transaction.atomic
def add_time_slot(*, event: Event, label: str, starts_at, ends_at) -> TimeSlot:
    _check_slot(event, starts_at, ends_at)
    number = (event.time_slots.aggregate(last=Max("number"))["last"] or 0) + 1
    slot = TimeSlot.objects.create(
        event=event,
        label=label or _("Round %(number)s") % {"number": number},
        starts_at=starts_at,
        ends_at=ends_at,
        number=number,
    )
    event.touch()
    return slot


@transaction.atomic
def update_time_slot(*, slot: TimeSlot, label: str, starts_at, ends_at) -> TimeSlot:
    _check_slot(slot.event, starts_at, ends_at, exclude=slot)
    slot.label, slot.starts_at, slot.ends_at = label or slot.label, starts_at, ends_at
    slot.save()
    slot.event.touch()
    return slot


@transaction.atomic
def delete_time_slot(*, slot: TimeSlot) -> None:
    slot.topics.update(room=None, time_slot=None)
    slot.delete()
    slot.event.touch()


@transaction.atomic
def renumber_time_slots(*, event: Event) -> None:
    """Number the rounds 1, 2, 3 … by start time."""
    slots = list(event.time_slots.order_by("starts_at", "pk"))
    for slot in slots:
        TimeSlot.objects.filter(pk=slot.pk).update(number=10_000 + slot.pk)
    for number, slot in enumerate(slots, start=1):
        TimeSlot.objects.filter(pk=slot.pk).update(number=number)
    event.touch()


# -- run sheet ---------------------------------------------------------------


def _check_run_sheet_item(*, phase: str, label: str, starts_at, ends_at) -> None:
    if ends_at <= starts_at:
        raise SetupError(_("An item of the run sheet must end after it starts."))
    if not phase and not label.strip():  # a break ("Lunch") has a label and no phase
        raise SetupError(_("Give the item a label, or choose its phase."))


@transaction.atomic
def add_run_sheet_item(*, event: Event, phase: str, label: str, starts_at, ends_at):
    _check_run_sheet_item(phase=phase, label=label, starts_at=starts_at, ends_at=ends_at)
    item = RunSheetItem.objects.create(
        event=event, phase=phase, label=label, starts_at=starts_at, ends_at=ends_at
    )
    event.touch()
    return item


@transaction.atomic
def update_run_sheet_item(
    *, item: RunSheetItem, phase: str, label: str, starts_at, ends_at
) -> RunSheetItem:
    """A time moved or a label corrected (item.event: the event it is in)."""
    _check_run_sheet_item(phase=phase, label=label, starts_at=starts_at, ends_at=ends_at)
    item.phase, item.label, item.starts_at, item.ends_at = phase, label, starts_at, ends_at
    item.save()
    item.event.touch()
    return item


@transaction.atomic
def delete_run_sheet_item(*, item: RunSheetItem) -> None:
    item.delete()
    item.event.touch()


# -- series ------------------------------------------------------------------


@transaction.atomic
def duplicate_event(*, event: Event, user, slug: str, title: str, date: datetime.date) -> Event:
    """The next meeting of a series: same texts, rooms, slots, run sheet; no people."""
    if event.series is None:
        event.series = Series.objects.create(name=event.title)
        event.save(update_fields=["series"])
    copy = Event.objects.create(
        slug=slug,
        title=title,
        date=date,
        series=event.series,
        phase=Phase.PREPARATION,
        **{
            name: getattr(event, name)
            for name in (
                "theme_question",
                "purpose",
                "description",
                "start_time",
                "end_time",
                "venue",
                "language",
                "principles",
                "participant_visibility",
                "privacy_controller",
                "privacy_notice",
                "retention_days",
                "accessibility_statement_url",
            )
        },
    )
    copy.facilitators.set(event.facilitators.all())
    Room.objects.bulk_create(
        Room(
            event=copy,
            name=r.name,
            code=r.code,
            location_hint=r.location_hint,
            capacity=r.capacity,
            position=r.position,
        )
        for r in event.rooms.all()
    )
    TimeSlot.objects.bulk_create(
        TimeSlot(
            event=copy, label=s.label, starts_at=s.starts_at, ends_at=s.ends_at, number=s.number
        )
        for s in event.time_slots.all()
    )
    RunSheetItem.objects.bulk_create(
        RunSheetItem(
            event=copy,
            phase=i.phase,
            label=i.label,
            starts_at=i.starts_at,
            ends_at=i.ends_at,
            position=i.position,
        )
        for i in event.run_sheet.all()
    )
    return copy


# -- participants --------------------------------------------------------------


def join_event(*, event: Event, name: str, organisation: str = "") -> Participant:
    # One INSERT, atomic by itself: no transaction of its own, and no savepoint inside
    # the caller's (openspace.idempotency's), two round trips fewer on PostgreSQL.
    if not event.accepts_participants:
        raise SetupError(_("This event is closed: it no longer takes new participants."))
    participant = Participant(event=event, name=name, organisation=organisation)
    prepared.insert(participant)
    return participant


@transaction.atomic
def rename_participant(*, participant: Participant, name: str, organisation: str) -> Participant:
    """A new name, also where the app wrote the old one down as text: the "who" of their
    initiatives (unless they typed another), their comments, and "Last edited by" on
    every report they edited last (their own sessions' or others', by write link).
    Deleting their data later looks for the name they have then (events/privacy.py), so
    a copy of an old name left here would stay on the board after they were forgotten."""
    # As stored: a ModelForm's is_valid() has already put the new name on `participant`.
    was_name, was_organisation = (
        Participant.objects.filter(pk=participant.pk).values_list("name", "organisation").get()
    )
    old = {was_name, participant_display_name(was_name, was_organisation)}
    participant.name, participant.organisation = name, organisation
    participant.save(update_fields=["name", "organisation"])
    new = participant.display_name
    Initiative.objects.filter(created_by=participant, who__in=old).update(who=new[:200])
    ReportComment.objects.filter(participant=participant, author_name__in=old).update(
        author_name=new[:200]
    )
    # Reports saved before editors were recorded name no one: their convener's, as
    # before; the migration linked the rest whose name was one participant's alone.
    Report.objects.filter(
        Q(last_editor=participant) | Q(last_editor__isnull=True, topic__convener=participant),
        last_edited_by__in=old,
    ).update(last_edited_by=new[:200])
    participant.event.touch()
    return participant


@transaction.atomic
def remove_participant(*, participant: Participant) -> None:
    """A facilitator removes a participant: their cookie stops working at once."""
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    participant.event.touch()


# -- co-facilitators -------------------------------------------------------------


@transaction.atomic
def create_invite(*, event: Event, user) -> FacilitatorInvite:
    return FacilitatorInvite.objects.create(event=event, created_by=user)


@transaction.atomic
def accept_invite(*, invite: FacilitatorInvite, user) -> Event:
    locked = FacilitatorInvite.objects.select_for_update().get(pk=invite.pk)
    if locked.accepted_at is not None and locked.accepted_by_id != user.pk:
        raise SetupError(_("This invitation has already been used."))
    locked.accepted_by, locked.accepted_at = user, timezone.now()
    locked.save(update_fields=["accepted_by", "accepted_at"])
    locked.event.facilitators.add(user)
    return locked.event
