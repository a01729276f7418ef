"""Every URL that takes a POST, with what its form reads and who may post it.

Field names come from the views' own form classes (with their prefixes), so a field
added to a form is fuzzed without touching this file; `extras` are the keys a view
reads from request.POST by hand. test_every_post_route_is_registered fails when a
URL pattern accepts POST and is missing here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from agenda import queries as agenda_queries
from agenda.forms import MoveForm, TopicChoiceForm, TopicForm
from events.forms import (
    DeleteEventForm,
    DuplicateForm,
    EventForm,
    JoinCodeForm,
    ParticipantForm,
    PrivacySettingsForm,
    RoomForm,
    RunSheetItemForm,
    TimeSlotForm,
)
from events.models import Phase
from reports.action_forms import (
    InitiativeForm,
    LadderForm,
    MergeForm,
    ReflectionForm,
    StateForm,
    SummaryForm,
)
from reports.documentation_views import DocumentationSettingsForm, ImportForm
from reports.forms import CommentForm, PhotoForm, ReportForm

from .world import World

Fields = dict[str, forms.Field | None]


def fields_of(form: forms.BaseForm) -> Fields:
    return {form.add_prefix(name): f for name, f in form.fields.items()}


# Text the person typed that a rejected form must show again (not passwords, not hidden).
def echoed(form: forms.BaseForm) -> set[str]:
    return {
        form.add_prefix(name)
        for name, f in form.fields.items()
        if isinstance(f, forms.CharField | forms.IntegerField)
        and not isinstance(f.widget, forms.HiddenInput | forms.PasswordInput)
    }


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: Callable[[World], dict] = lambda w: {"slug": w.event.slug}
    form: Callable[[World], forms.BaseForm] | None = None
    extras: dict[str, list[str]] = field(default_factory=dict)
    roles: tuple[str, ...] = ("participant", "facilitator")
    # Answers JSON (the report autosave), not a page.
    json: bool = False

    def fields(self, world: World) -> Fields:
        return fields_of(self.form(world)) if self.form else {}

    def echo(self, world: World) -> set[str]:
        return echoed(self.form(world)) if self.form else set()


def topic_pk(w):
    return {"slug": w.event.slug, "pk": w.topic.pk}


def initiative_pk(w):
    return {"slug": w.event.slug, "pk": w.initiative.pk}


def grid(w):
    return agenda_queries.grid(w.event)


NEXT = ["/", "//evil.example/", "https://evil.example/", "topic", "agenda", "javascript:x"]
PHASES = [*Phase.values, "nonsense"]
CONFIRM = ["yes", "no", "YES", ""]

ROUTES = [
    # -- the project and Django's own --
    Route("login", kwargs=lambda w: {}, form=lambda w: AuthenticationForm(), roles=("anonymous",)),
    Route("logout", kwargs=lambda w: {}, extras={"next": NEXT}),
    Route(
        "set_language",
        kwargs=lambda w: {},
        extras={"language": ["sv", "da", "nb", "no", "en", "xx", ""], "next": NEXT},
        roles=("anonymous", "participant", "facilitator"),
    ),
    # -- events: participants --
    Route(
        "events:join",
        kwargs=lambda w: {},
        form=lambda w: JoinCodeForm(),
        roles=("anonymous", "participant"),
    ),
    Route(
        "events:join-event",
        form=lambda w: ParticipantForm(),
        extras={"next": NEXT},
        roles=("anonymous",),
    ),
    Route(
        "events:resume",
        kwargs=lambda w: {"slug": w.event.slug, "token": w.other_participant.token},
        roles=("anonymous", "participant"),
    ),
    Route("events:me", form=lambda w: ParticipantForm(), extras={"action": ["forget", "save"]}),
    # -- events: facilitators --
    Route(
        "events:event-new",
        kwargs=lambda w: {},
        form=lambda w: EventForm(),
        roles=("facilitator",),
    ),
    Route(
        "events:invite-accept",
        kwargs=lambda w: {"token": w.invite.token},
        form=lambda w: UserCreationForm(),
        roles=("anonymous", "facilitator"),
    ),
    Route("events:event-details", form=lambda w: EventForm(instance=w.event)),
    Route("events:event-phase", extras={"phase": PHASES}),
    Route("events:event-lock", extras={"locked": ["0", "1", "", "yes"]}),
    # -- events: privacy --
    Route("events:my-data-delete", extras={"confirm": CONFIRM}),
    Route("events:privacy-settings", form=lambda w: PrivacySettingsForm(instance=w.event)),
    Route("events:event-anonymise", extras={"confirm": CONFIRM}),
    Route("events:event-delete", form=lambda w: DeleteEventForm(), extras={"confirm": CONFIRM}),
    Route("events:event-duplicate", form=lambda w: DuplicateForm()),
    Route("events:room-add", form=lambda w: RoomForm(prefix="room")),
    Route("events:rooms-renumber"),
    Route(
        "events:room-edit",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.room.pk},
        form=lambda w: RoomForm(prefix=f"room-{w.room.pk}"),
        extras={"action": ["save", "delete", "up", "down"]},
    ),
    Route("events:slot-add", form=lambda w: TimeSlotForm(prefix="slot")),
    Route("events:slots-renumber"),
    Route(
        "events:slot-edit",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.slot.pk},
        form=lambda w: TimeSlotForm(prefix=f"slot-{w.slot.pk}"),
        extras={"action": ["save", "delete"]},
    ),
    Route("events:run-sheet-add", form=lambda w: RunSheetItemForm(prefix="item")),
    Route(
        "events:run-sheet-edit",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.run_sheet_item.pk},
        form=lambda w: RunSheetItemForm(prefix=f"item-{w.run_sheet_item.pk}"),
    ),
    Route(
        "events:run-sheet-delete",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.run_sheet_item.pk},
    ),
    Route(
        "events:participant-remove",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.other_participant.pk},
    ),
    Route("events:invite-create"),
    # -- agenda --
    Route("agenda:schedule", extras={"fingerprint": ["", "0" * 64, "x"]}),
    Route(
        "agenda:topic-new",
        form=lambda w: TopicForm(places=agenda_queries.places(w.event), with_cell=True),
    ),
    Route("agenda:topic-edit", kwargs=topic_pk, form=lambda w: TopicForm(instance=w.topic)),
    Route("agenda:topic-withdraw", kwargs=topic_pk),
    Route(
        "agenda:signup",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.other_topic.pk},
        extras={"action": ["join", "leave"], "next": NEXT},
    ),
    Route(
        "agenda:topic-arrange",
        kwargs=topic_pk,
        form=lambda w: _combined(
            MoveForm(grid=grid(w)),
            TopicChoiceForm(topics=grid(w).topics, exclude=w.topic),
        ),
        extras={"action": ["move", "swap", "merge", "lock", "unlock", "fly"], "next": NEXT},
    ),
    # -- reports --
    Route(
        "reports:report-edit",
        kwargs=topic_pk,
        form=lambda w: ReportForm(instance=w.report),
        extras={"action": ["publish", "save"], "key": ["", "wrong"]},
    ),
    Route(
        "reports:report-autosave",
        kwargs=topic_pk,
        form=lambda w: ReportForm(instance=w.report),
        json=True,
    ),
    Route("reports:photo-upload", kwargs=topic_pk, form=lambda w: PhotoForm()),
    Route(
        "reports:photo-edit",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.topic.pk, "photo_pk": w.photo.pk},
        extras={"action": ["caption", "delete", "up", "down"], "caption": ["Ny bildtext"]},
    ),
    Route("reports:comment-add", kwargs=topic_pk, form=lambda w: CommentForm()),
    Route(
        "reports:comment-moderate",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.comment.pk},
        extras={"action": ["hide", "show", "delete", "explode"]},
    ),
    Route(
        "reports:documentation-settings",
        form=lambda w: DocumentationSettingsForm(),
    ),
    Route(
        "reports:event-import",
        kwargs=lambda w: {},
        form=lambda w: ImportForm(),
        roles=("facilitator",),
    ),
    Route("reports:action-new", form=lambda w: InitiativeForm(event=w.event)),
    Route(
        "reports:action-edit", kwargs=initiative_pk, form=lambda w: InitiativeForm(event=w.event)
    ),
    Route(
        "reports:action-withdraw", kwargs=initiative_pk, extras={"next": NEXT, "view": ["table"]}
    ),
    Route(
        "reports:action-join",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.other_initiative.pk},
        extras={"next": NEXT},
    ),
    Route("reports:action-leave", kwargs=initiative_pk, extras={"next": NEXT}),
    Route(
        "reports:action-merge",
        kwargs=initiative_pk,
        form=lambda w: MergeForm(choices=[(w.other_initiative.pk, "x")]),
    ),
    Route("reports:action-state", kwargs=initiative_pk, form=lambda w: StateForm()),
    Route("reports:ladder-move", kwargs=initiative_pk, form=lambda w: LadderForm()),
    Route(
        "reports:follow-up-state",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.follow_up.pk},
        form=lambda w: StateForm(),
    ),
    Route("reports:closing", form=lambda w: ReflectionForm()),
    Route("reports:closing-summary", form=lambda w: SummaryForm()),
    Route(
        "reports:moderate",
        kwargs=lambda w: {"slug": w.event.slug, "kind": "comment", "pk": w.comment.pk},
        extras={"hidden": ["0", "1", ""], "next": NEXT},
    ),
    Route(
        "reports:reflection-hide",
        kwargs=lambda w: {"slug": w.event.slug, "pk": w.reflection.pk},
        extras={"hidden": ["0", "1", ""]},
    ),
]
BY_NAME = {route.name: route for route in ROUTES}


class _Combined(forms.Form):
    pass


def _combined(*parts: forms.BaseForm) -> forms.BaseForm:
    """One form with the fields of several (a view that picks its form by `action`)."""
    form = _Combined()
    for part in parts:
        form.fields.update(part.fields)
    return form
