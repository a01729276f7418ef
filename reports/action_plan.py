"""Writes for the action plan, the collaboration ladder and the closing circle.

Each function is one transaction, checks the domain rules (phase, lengths,
levels, same event) and marks the event as changed for the walls polling it.
Who may call them (the initiator, a facilitator) is decided by the
permission-checked getters in reports/action_views.py before they are called.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agenda.models import Topic
from events.models import Event, Participant, Phase
from openspace.concurrency import check_base, fingerprint

from .models import (
    LADDER_NEXT_STEP_MAX,
    LEVEL_ORDER,
    ClosingSummary,
    Initiative,
    InitiativeMember,
    InitiativeState,
    LadderStep,
    Reflection,
)

WHO_MAX = 200
WHAT_MAX = 2000
WHEN_MAX = 100
GUESTS_MAX = 1000
REFLECTION_MAX = 500
SUMMARY_MAX = 10000


class ActionPlanError(Exception):
    """A domain rule said no; `field` names the form field it belongs to, if any."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


# -- rules ------------------------------------------------------------------------------------


def event_has_ended(event: Event, *, now: datetime.datetime | None = None) -> bool:
    now = timezone.localtime(now)
    ends = timezone.make_aware(datetime.datetime.combine(event.date, event.end_time))
    return now >= ends


def actions_open(event: Event) -> bool:
    """Can participants raise and join initiatives (and leave reflections) now?

    During action planning and the closing circle, and after the event until a
    facilitator closes it. Facilitators may always.
    """
    if event.phase == Phase.CLOSED:
        return False
    return event.action_planning_open or event_has_ended(event)


def _check_open(event: Event, *, as_facilitator: bool) -> None:
    if as_facilitator:
        return
    if event.phase == Phase.CLOSED:
        raise ActionPlanError(_("The event is closed: the action plan can no longer be changed."))
    if not actions_open(event):
        raise ActionPlanError(
            _("The action plan opens when the facilitator starts the action planning.")
        )


def normalise_levels(levels: Iterable[str] | str) -> str:
    """ "F/U", ["U", "F"] or "fu" -> "FU"; raises ActionPlanError on an unknown or no level."""
    if isinstance(levels, str):
        letters = [c for c in levels.upper() if c not in "/, "]
    else:
        letters = [str(c).strip().upper() for c in levels]
    unknown = [c for c in letters if c not in LEVEL_ORDER]
    if unknown:
        raise ActionPlanError(_("Choose the level from F, G and U."), "levels")
    if not letters:
        raise ActionPlanError(_("Choose at least one level."), "levels")
    return "".join(c for c in LEVEL_ORDER if c in letters)


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ActionPlanError(_("This field cannot be empty."), field)
    if len(text) > limit:
        raise ActionPlanError(
            _("Keep it to %(limit)d characters (it has %(count)d).")
            % {"limit": limit, "count": len(text)},
            field,
        )
    return text


def _guests(value: str | None) -> str:
    text = _text(value, field="guests", limit=GUESTS_MAX)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _check_topic(event: Event, topic: Topic | None) -> None:
    if topic is not None and topic.event_id != event.pk:
        raise ActionPlanError(_("Choose a session of this event."), "topic")


def _check_active(initiative: Initiative) -> None:
    if not initiative.is_active:
        raise ActionPlanError(_("This initiative has been withdrawn or merged."))


# -- initiatives ------------------------------------------------------------------------------


def raise_initiative(
    *,
    event: Event,
    participant: Participant | None,
    what: str,
    levels: Iterable[str] | str,
    who: str = "",
    when: str = "",
    topic: Topic | None = None,
    guests: str = "",
    idempotency_key: str = "",
    as_facilitator: bool = False,
) -> Initiative:
    """Raise an initiative; the same idempotency key twice gives the first one back."""
    _check_open(event, as_facilitator=as_facilitator)
    if participant is not None and participant.event_id != event.pk:
        raise ActionPlanError(_("You are not a participant of this event."))
    what = _text(what, field="what", limit=WHAT_MAX, required=True)
    level_value = normalise_levels(levels)
    who = _text(who, field="who", limit=WHO_MAX)
    if not who and participant is not None:
        who = participant.display_name[:WHO_MAX]
    if not who:
        raise ActionPlanError(_("Say who takes the initiative."), "who")
    when = _text(when, field="when", limit=WHEN_MAX)
    guests = _guests(guests)
    _check_topic(event, topic)
    key = (idempotency_key or "")[:64]
    with transaction.atomic():
        if key:
            existing = Initiative.objects.filter(event=event, idempotency_key=key).first()
            if existing is not None:
                return existing
        try:
            with transaction.atomic():
                initiative = Initiative.objects.create(
                    event=event,
                    created_by=participant,
                    who=who,
                    what=what,
                    levels=level_value,
                    when=when,
                    topic=topic,
                    guests=guests,
                    idempotency_key=key,
                )
        except IntegrityError:
            if not key:
                raise
            return Initiative.objects.get(event=event, idempotency_key=key)
        event.touch()
    return initiative


# What the edit form changes, and so what a concurrent edit is checked on.
INITIATIVE_EDITED = ("who", "what", "levels", "when", "topic_id", "guests")


def initiative_base(initiative: Initiative) -> str:
    """The fingerprint of the initiative's editable fields, for the edit form's `base`."""
    return fingerprint(getattr(initiative, name) for name in INITIATIVE_EDITED)


def edit_initiative(
    *,
    initiative: Initiative,
    what: str,
    levels: Iterable[str] | str,
    who: str,
    when: str = "",
    topic: Topic | None = None,
    guests: str = "",
    as_facilitator: bool = False,
    base: str = "",
) -> Initiative:
    """Save the edit, unless someone else changed the initiative since `base` (the
    form's fingerprint): then EditConflict, with the initiative as stored now."""
    event = initiative.event
    _check_open(event, as_facilitator=as_facilitator)
    _check_active(initiative)
    values = {
        "who": _text(who, field="who", limit=WHO_MAX, required=True),
        "what": _text(what, field="what", limit=WHAT_MAX, required=True),
        "levels": normalise_levels(levels),
        "when": _text(when, field="when", limit=WHEN_MAX),
        "topic_id": topic.pk if topic else None,
        "guests": _guests(guests),
    }
    _check_topic(event, topic)
    with transaction.atomic():
        stored = Initiative.objects.select_for_update().get(pk=initiative.pk)
        check_base(
            stored,
            base,
            [getattr(stored, name) for name in INITIATIVE_EDITED],
            [values[name] for name in INITIATIVE_EDITED],
        )
        for name, value in values.items():
            setattr(initiative, name, value)
        initiative.topic = topic
        initiative.save(
            update_fields=["what", "levels", "who", "when", "guests", "topic", "updated_at"]
        )
        event.touch()
    return initiative


def withdraw_initiative(*, initiative: Initiative, as_facilitator: bool = False) -> None:
    _check_open(initiative.event, as_facilitator=as_facilitator)
    if initiative.withdrawn_at is not None:
        return
    with transaction.atomic():
        initiative.withdrawn_at = timezone.now()
        initiative.save(update_fields=["withdrawn_at", "updated_at"])
        initiative.event.touch()


def join_initiative(*, initiative: Initiative, participant: Participant) -> InitiativeMember:
    """Join once: a second tap keeps the one sign-up."""
    if participant.event_id != initiative.event_id:
        raise ActionPlanError(_("You can only join initiatives of your own event."))
    _check_open(initiative.event, as_facilitator=False)
    _check_active(initiative)
    with transaction.atomic():
        member, created = InitiativeMember.objects.get_or_create(
            initiative=initiative, participant=participant
        )
        if created:
            initiative.event.touch()
    return member


def leave_initiative(*, initiative: Initiative, participant: Participant) -> None:
    _check_open(initiative.event, as_facilitator=False)
    with transaction.atomic():
        deleted, _rows = InitiativeMember.objects.filter(
            initiative=initiative, participant=participant
        ).delete()
        if deleted:
            initiative.event.touch()


def merge_initiatives(*, source: Initiative, target: Initiative) -> Initiative:
    """Merge a duplicate (`source`) into `target`.

    Its people, guests, levels and session move over; whoever took the
    duplicate joins the one that remains.
    """
    if source.pk == target.pk:
        raise ActionPlanError(_("Choose another initiative to merge with."), "target")
    if source.event_id != target.event_id:
        raise ActionPlanError(_("Choose an initiative of this event."), "target")
    _check_active(source)
    _check_active(target)
    with transaction.atomic():
        have = set(
            InitiativeMember.objects.filter(initiative=target).values_list(
                "participant_id", flat=True
            )
        )
        moving = {
            m.participant_id
            for m in InitiativeMember.objects.filter(initiative=source)
            if m.participant_id not in have
        }
        names = target.guest_list + [g for g in source.guest_list if g not in target.guest_list]
        initiator = source.created_by_id
        if initiator and initiator != target.created_by_id and initiator not in have:
            moving.add(initiator)
        elif not initiator and source.who.strip() not in [*names, target.who.strip()]:
            names.append(source.who.strip())
        InitiativeMember.objects.bulk_create(
            [InitiativeMember(initiative=target, participant_id=pk) for pk in sorted(moving)]
        )
        target.guests = "\n".join(names)[:GUESTS_MAX]
        target.levels = normalise_levels(target.levels + source.levels)
        if target.topic_id is None:
            target.topic_id = source.topic_id
        target.save(update_fields=["guests", "levels", "topic", "updated_at"])
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        target.event.touch()
    return target


def next_step_base(initiative: Initiative) -> str:
    """The fingerprint of "what it takes to climb one step" as a form shows it."""
    return fingerprint([initiative.next_step])


def move_on_ladder(
    *,
    initiative: Initiative,
    step: int | None,
    position: int | None = None,
    next_step: str | None = None,
    base: str = "",
) -> Initiative:
    """Place the initiative on a step (None takes it off the ladder) at `position` (0 = first).

    `next_step`, if given, is saved only if nobody changed it since the form's `base`
    (next_step_base) or it is what is stored now: else EditConflict, nothing saved."""
    if step is not None and step not in LadderStep.values:
        raise ActionPlanError(_("Choose one of the four steps."), "step")
    _check_active(initiative)
    with transaction.atomic():
        if next_step is not None:
            next_step = _text(next_step, field="next_step", limit=LADDER_NEXT_STEP_MAX)
            stored = Initiative.objects.select_for_update().get(pk=initiative.pk)
            check_base(stored, base, [stored.next_step], [next_step])
            initiative.next_step = next_step
        initiative.ladder_step = step
        if step is not None:
            others = list(
                Initiative.objects.active()
                .filter(event_id=initiative.event_id, ladder_step=step)
                .exclude(pk=initiative.pk)
                .order_by("ladder_position", "pk")
            )
            index = len(others) if position is None else max(0, min(position, len(others)))
            others.insert(index, initiative)
            for number, item in enumerate(others):
                item.ladder_position = number
            Initiative.objects.bulk_update(
                [o for o in others if o.pk != initiative.pk], ["ladder_position"]
            )
        initiative.save(update_fields=["ladder_step", "ladder_position", "next_step", "updated_at"])
        initiative.event.touch()
    return initiative


def set_state(*, initiative: Initiative, state: str) -> Initiative:
    """What became of it: open, in progress, done or dropped (also after the event is closed)."""
    if state not in InitiativeState.values:
        raise ActionPlanError(_("Choose one of the states."), "state")
    _check_active(initiative)
    with transaction.atomic():
        initiative.state = state
        initiative.save(update_fields=["state", "updated_at"])
        initiative.event.touch()
    return initiative


# -- the closing circle -----------------------------------------------------------------------


def leave_reflection(
    *, event: Event, participant: Participant, text: str, anonymous: bool = False
) -> Reflection:
    """Leave (or change) this participant's reflection."""
    if participant.event_id != event.pk:
        raise ActionPlanError(_("You are not a participant of this event."))
    _check_open(event, as_facilitator=False)
    text = _text(text, field="text", limit=REFLECTION_MAX, required=True)
    with transaction.atomic():
        reflection, _created = Reflection.objects.update_or_create(
            event=event, participant=participant, defaults={"text": text, "anonymous": anonymous}
        )
        event.touch()
    return reflection


def hide_reflection(*, reflection: Reflection, hidden: bool = True) -> Reflection:
    with transaction.atomic():
        reflection.hidden_at = timezone.now() if hidden else None
        reflection.save(update_fields=["hidden_at", "updated_at"])
        reflection.event.touch()
    return reflection


def write_summary(*, event: Event, text: str, user=None) -> ClosingSummary:
    text = _text(text, field="text", limit=SUMMARY_MAX)
    with transaction.atomic():
        summary, _created = ClosingSummary.objects.update_or_create(
            event=event, defaults={"text": text, "updated_by": user}
        )
        event.touch()
    return summary
