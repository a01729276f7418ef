"""Reads for the action plan, the ladder, the follow-up and the closing circle.

Each function fetches its relations itself, so the number of queries does not
grow with the number of initiatives or people. The documentation (PDF, CSV)
reads through the `documentation_*` functions at the end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from events.models import Event, Participant, ParticipantVisibility, participant_display_name

from .models import (
    ClosingSummary,
    Initiative,
    InitiativeMember,
    LadderStep,
    Level,
    Reflection,
)


@dataclass(frozen=True)
class Joiner:
    """A participant who joined an initiative: as much of them as the board shows."""

    participant_id: int
    name: str
    organisation: str

    @property
    def display_name(self) -> str:
        return participant_display_name(self.name, self.organisation)


def _with_joiners(initiatives: list[Initiative]) -> list[Initiative]:
    """Give each initiative its `joiners`, oldest first, from one query.

    Plain rows, not model instances: a large board (60 initiatives with 20 people
    each) spent most of its time making 2,400 InitiativeMember and Participant objects.
    """
    by_initiative = {initiative.pk: initiative for initiative in initiatives}
    for initiative in initiatives:
        initiative.joiners = []
    rows = (
        InitiativeMember.objects.filter(initiative__in=list(by_initiative))
        .order_by("created_at", "pk")
        .values_list(
            "initiative_id", "participant_id", "participant__name", "participant__organisation"
        )
    )
    for initiative_id, participant_id, name, organisation in rows:
        by_initiative[initiative_id].joiners.append(Joiner(participant_id, name, organisation))
    return initiatives


def _with_relations(queryset):
    return queryset.select_related("topic__room", "topic__time_slot", "created_by")


def board_initiatives(event: Event) -> list[Initiative]:
    """The active initiatives of the event, oldest first, with who joins and session."""
    return _with_joiners(list(_with_relations(Initiative.objects.active().filter(event=event))))


def get_initiative(event: Event, pk: int) -> Initiative | None:
    initiative = _with_relations(Initiative.objects.filter(event=event, pk=pk)).first()
    return _with_joiners([initiative])[0] if initiative is not None else None


def own_initiatives(event: Event, participant: Participant) -> list[Initiative]:
    """The active initiatives the participant raised or joined, as board_initiatives
    gives them."""
    mine = Initiative.objects.active().filter(
        Q(created_by=participant) | Q(members__participant=participant), event=event
    )
    return _with_joiners(list(_with_relations(mine.distinct())))


def is_own(initiative: Initiative, participant: Participant) -> bool:
    """Raised or joined by the participant (what own_initiatives finds)."""
    return initiative.created_by_id == participant.pk or is_member(initiative, participant)


def member_ids(initiative: Initiative) -> set[int]:
    return {joiner.participant_id for joiner in initiative.joiners}


def is_member(initiative: Initiative, participant: Participant | None) -> bool:
    return participant is not None and participant.pk in member_ids(initiative)


def joined_count(initiative: Initiative) -> int:
    return len(initiative.joiners) + len(initiative.guest_list)


def joined_names(
    initiative: Initiative, visibility: str = ParticipantVisibility.NAMES
) -> list[str]:
    """Who joins, as the event lets participants be shown (names, organisations or nothing)."""
    members = initiative.joiners
    if visibility == ParticipantVisibility.NAMES:
        return [p.display_name for p in members] + initiative.guest_list
    if visibility == ParticipantVisibility.ORGANISATIONS:
        seen: list[str] = []
        for p in members:
            if p.organisation and p.organisation not in seen:
                seen.append(p.organisation)
        return seen
    return []


def joins_text(initiative: Initiative, visibility: str = ParticipantVisibility.NAMES) -> str:
    """One line for a table cell: "Anna (Kommunen), Bo" or "3 people"."""
    names = joined_names(initiative, visibility)
    count = joined_count(initiative)
    if visibility == ParticipantVisibility.NAMES:
        return ", ".join(names)
    if not count:
        return ""
    people = ngettext("%(count)d person", "%(count)d people", count) % {"count": count}
    return f"{people}: {', '.join(names)}" if names else people


@dataclass
class BoardItem:
    """An initiative as one viewer sees it on the board."""

    initiative: Initiative
    joined: bool
    count: int
    names: list[str]
    can_edit: bool
    # The ladder's form (reports/action_views.py, _ladder_context): the fingerprint of
    # "what it takes" as shown, and what the viewer typed if a conflict kept it back.
    next_step_base: str = ""
    kept_next_step: str | None = None


@dataclass
class LevelGroup:
    level: str
    label: str
    items: list[BoardItem] = field(default_factory=list)


def board_items(
    initiatives: list[Initiative],
    *,
    participant: Participant | None,
    is_facilitator: bool,
    visibility: str,
) -> list[BoardItem]:
    items = []
    for initiative in initiatives:
        items.append(
            BoardItem(
                initiative=initiative,
                joined=is_member(initiative, participant),
                count=joined_count(initiative),
                names=joined_names(initiative, visibility),
                can_edit=is_facilitator
                or (participant is not None and initiative.created_by_id == participant.pk),
            )
        )
    return items


def group_by_level(items: list[BoardItem]) -> list[LevelGroup]:
    """One group per level, F, G, U; an "F/U" initiative is listed once, under its first level."""
    groups = [LevelGroup(level=level.value, label=str(level.label)) for level in Level]
    by_level = {group.level: group for group in groups}
    for item in items:
        by_level[item.initiative.levels[0]].items.append(item)
    return groups


@dataclass
class Rung:
    step: int | None
    label: str
    items: list[BoardItem] = field(default_factory=list)


def ladder_rungs(items: list[BoardItem]) -> list[Rung]:
    """The four steps, top step first, then the initiatives not placed yet."""
    rungs = [Rung(step=s.value, label=str(s.label)) for s in reversed(LadderStep)]
    by_step = {rung.step: rung for rung in rungs}
    unplaced = Rung(step=None, label=_("Not on the ladder yet"))
    ordered = sorted(
        items,
        key=lambda i: (i.initiative.ladder_position, i.initiative.created_at, i.initiative.pk),
    )
    for item in ordered:
        by_step.get(item.initiative.ladder_step, unplaced).items.append(item)
    return [*rungs, unplaced]


# -- series follow-up -------------------------------------------------------------------------


def previous_event(event: Event) -> Event | None:
    """The meeting before this one in the same series."""
    if not event.series_id:
        return None
    return (
        Event.objects.filter(series_id=event.series_id)
        .filter(Q(date__lt=event.date) | Q(date=event.date, start_time__lt=event.start_time))
        .exclude(pk=event.pk)
        .order_by("-date", "-start_time", "-pk")
        .first()
    )


def follow_up_initiatives(previous: Event | None) -> list[Initiative]:
    if previous is None:
        return []
    return board_initiatives(previous)


# -- the closing circle -----------------------------------------------------------------------


def reflections(event: Event, *, include_hidden: bool = False) -> list[Reflection]:
    queryset = Reflection.objects.filter(event=event).select_related("participant")
    if not include_hidden:
        queryset = queryset.visible()
    return list(queryset.order_by("created_at", "pk"))


def own_reflection(event: Event, participant: Participant | None) -> Reflection | None:
    if participant is None:
        return None
    return Reflection.objects.filter(event=event, participant=participant).first()


def closing_summary(event: Event) -> ClosingSummary | None:
    return ClosingSummary.objects.filter(event=event).first()


# -- for the documentation (PDF, CSV) ---------------------------------------------------------


@dataclass
class DocumentationInitiative:
    """One row of the printed action plan."""

    who: str
    what: str
    level: str  # "F/U"
    level_label: str  # "Prepare, Explore"
    when: str
    joins: str  # as the event's participant_visibility allows
    session: str  # "A1 Title", or ""
    step: int | None  # 1-4 on the collaboration ladder, or None
    step_label: str
    next_step: str
    state: str
    state_label: str


def documentation_initiatives(event: Event) -> list[DocumentationInitiative]:
    """The action plan in the order it was raised (2 queries at any size)."""
    rows = []
    for initiative in board_initiatives(event):
        topic = initiative.topic
        session = ""
        if topic is not None:
            session = f"{topic.code} {topic.title}".strip() if topic.is_placed else topic.title
        rows.append(
            DocumentationInitiative(
                who=initiative.who,
                what=initiative.what,
                level=initiative.level_display,
                level_label=initiative.level_labels,
                when=initiative.when,
                joins=joins_text(initiative, event.participant_visibility),
                session=session,
                step=initiative.ladder_step,
                step_label=(
                    str(LadderStep(initiative.ladder_step).label) if initiative.ladder_step else ""
                ),
                next_step=initiative.next_step,
                state=initiative.state,
                state_label=initiative.get_state_display(),
            )
        )
    return rows


@dataclass
class DocumentationReflection:
    text: str
    author: str  # "" when anonymous


def documentation_reflections(event: Event) -> list[DocumentationReflection]:
    """The visible closing reflections, oldest first (1 query)."""
    return [DocumentationReflection(text=r.text, author=r.author) for r in reflections(event)]


def documentation_summary(event: Event) -> str:
    """The organisers' closing summary ("" when none is written)."""
    summary = closing_summary(event)
    return summary.text if summary else ""
