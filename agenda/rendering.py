"""The agenda page's grid, rendered once and shared (agenda.views.home, wall).

The agenda grid as everyone with the same role sees it, and the wall, are rendered
once per event version, language and round on now, and kept in memory
(openspace.live.shared_render). A request that finds them fresh skips the grid's
queries and puts in only the viewer's own sessions (sign-up state, clash notes) and
their CSRF token. Every write a participant can see bumps Event.version
(agenda/services.py), and the version and the rounds' states are checked on every
read, so a change shows on the next request. With the render of the current version
come its sessions and their counts, so a viewer's own sessions are read as one small
query of their sign-ups; each own session, as one state of one session is the same
for everyone, is rendered once per version ("own"), and so is the page around the
grid ("frames", openspace.live.render_framed).
"""

import datetime
import secrets
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from openspace import live

from . import queries
from .queries import MySignUp


def with_urls(event, topics):
    """Give each topic its page and sign-up URLs: one reverse() each, not one per card."""
    open_pk = 2147483647  # reversed once with this id, then each topic's id put in its place

    def maker(name):
        head, tail = reverse(name, kwargs={"slug": event.slug, "pk": open_pk}).rsplit(
            str(open_pk), 1
        )
        return lambda pk: f"{head}{pk}{tail}"

    page, signup = maker("agenda:topic"), maker("agenda:signup")
    for topic in topics:
        topic.url, topic.signup_url = page(topic.pk), signup(topic.pk)
    return topics


def cached_render(key: str, event, *, since: int | None = None) -> dict | None:
    """The shared render under `key`, if current (or as old as `since` allows:
    live.shared_render) and no round began or ended since."""

    def same_rounds(shared) -> bool:
        return queries.round_states(event, shared["slots"]) == shared["states"]

    return live.shared_render(key, event, since=since, fresh=same_rounds)


def cache_render(key: str, event, grid, **values) -> dict:
    return live.share_render(
        key,
        event,
        slots=[round_.slot for round_ in grid.rounds],
        states={round_.slot.pk: round_.state for round_ in grid.rounds if round_.state},
        **values,
    )


# How many of the topics without a place a participant's agenda shows: the newest.
UNPLACED_SHOWN = 30


def _values(obj) -> tuple | None:
    """Every column of a model instance, as it was loaded."""
    if obj is None:
        return None
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def _rendered_cards(
    event, viewer, items, csrf: str, kept: dict, key, limit: int | None = None
) -> dict[int, str]:
    """Each (topic, my_signup, clash) of `items` as its card, by topic id: from `kept`
    (by `key(item)`), or rendered with the CSRF stand-in `csrf` and kept there; past
    `limit` cards, `kept` starts afresh before new ones go in."""
    # Read once into `found`: another thread of the process may clear `kept` meanwhile.
    found = {item[0].pk: kept.get(key(item)) for item in items}
    missing = [item for item in items if found[item[0].pk] is None]
    if missing:
        if limit is not None and len(kept) > limit:
            kept.clear()
        rendered = live.render_own(
            "agenda/home.html#own",
            {"event": event, "viewer": viewer, "own": missing, "next": "agenda"},
            csrf,
        )
        for item in missing:
            card = mark_safe(rendered[str(item[0].pk)])  # noqa: S308 - a template's output
            found[item[0].pk] = kept[key(item)] = card
    return found


def _cards(event, topics, role: live.Role) -> str:
    """Give each topic its `card`, the session as everyone with `role` sees it; returns
    the cards' stand-in for the CSRF token.

    A card depends only on its session, room, time slot and convener, their counts, the
    event and the role (and the language), so cards are kept by all those values and
    only a session that changed is rendered again: a sign-up re-renders one card of
    120, not the whole grid. The values are every column of each of those rows, so a
    field the card template starts to show later is covered too.
    """
    kept = live.kept(
        f"agenda-cards:{event.pk}:{translation.get_language()}:{role.key}",
        live.event_values(event),
    )
    csrf = kept.setdefault("csrf", secrets.token_hex(16))
    cards = kept.setdefault("cards", {})
    keys = {
        topic.pk: (
            _values(topic),
            _values(topic.room),
            _values(topic.time_slot),
            _values(topic.convener),
            topic.seated_count,
            topic.waiting_count,
        )
        for topic in topics
    }
    items = [(topic, None, False) for topic in topics]
    # Past four states per session (old ones, mostly), the cards start afresh.
    limit = 4 * len(topics) + 100
    found = _rendered_cards(event, role, items, csrf, cards, lambda item: keys[item[0].pk], limit)
    for topic in topics:
        topic.card = found[topic.pk]
    return csrf


def _render_grid(key: str, event, grid, role: live.Role, read_at) -> dict:
    """Render the grid to share; `read_at`: when its queries began."""
    with_urls(event, grid.topics)
    csrf = _cards(event, grid.topics, role)
    parts, csrf = live.render_shared(
        "agenda/home.html#grid", {"event": event, "grid": grid, "viewer": role}, csrf
    )
    return cache_render(
        key,
        event,
        grid,
        parts=parts,
        csrf=csrf,
        conveners={topic.pk: topic.convener_id for topic in grid.topics},
        unplaced={topic.pk for topic in grid.unplaced},
        # Where a topic that is not in this render can go (_patch): the free cells, and
        # the end of the list of topics without a place, if there is one ("unplaced").
        free={
            f"c{cell.room.pk}-{cell.slot.pk}"
            for round_ in grid.rounds
            for cell in round_.cells
            if cell.topic is None
        },
        read_at=read_at,
        rooms=grid.rooms,
        # Shared from here on: read, never changed.
        topics={topic.pk: topic for topic in grid.topics},
        own={},  # (topic id, waiting, clash) -> the session as its viewer sees it
    )


def _own_from(shared: dict, participant) -> list:
    """The participant's sessions as Grid.own() gives them, from the shared render of
    the current version and one query of their sign-ups."""
    topics = shared["topics"]
    waiting = {
        pk: waits
        for pk, waits in queries.my_signups(participant).items()
        if pk in topics  # not a withdrawn session
    }
    clashes = queries.clashing([topics[pk] for pk in waiting])
    return [(topics[pk], MySignUp(waiting=waits), pk in clashes) for pk, waits in waiting.items()]


@dataclass
class Patch:
    """A participant's own writes, to put into a render made before them (_patch)."""

    items: list  # (topic, my sign-up or None, clash), read now: their sessions and topics
    places: dict[int, str]  # topic id -> the key of the item it takes the place of
    convened: set[int]  # the topics they convene, now


def _patch(shared: dict, event, participant) -> Patch | None:
    """What the participant changed since `shared` was rendered, as read now: their
    sessions (counted afresh) and the topics they convene (posted, edited or withdrawn
    since). A topic the render holds takes its own place; a new one a free cell, or
    the end of the list of topics without a place. None when that cannot be done (a
    topic of theirs moved, or left a cell): the grid is then rendered afresh.

    So a participant's page load right after their write shows it without a render
    of the whole grid, in three small queries: in a marketplace burst every phone
    posts a topic and looks at the agenda, and each fresh grid cost ~25 ms.
    """
    rendered = shared["topics"]
    own = queries.own_sessions(event, participant)
    items = {item[0].pk: item for item in own}
    convened = set()
    # A topic without a place that the render lacks although it is older than the
    # render is not new but one of those it leaves out (UNPLACED_SHOWN): it stays out.
    # (The margin: a topic is stamped a moment before it is saved.)
    older = shared["read_at"] - datetime.timedelta(seconds=5)
    for topic in queries.convened(participant):
        if topic.withdrawn_at is None:
            convened.add(topic.pk)
            if topic.pk in items or (
                topic.pk not in rendered and not topic.is_placed and topic.created_at < older
            ):
                continue
            # Its counts are the render's: nothing the participant did changed them
            # (a topic not in the render had no sign-ups when it was made).
            before = rendered.get(topic.pk)
            topic.event, topic.convener = event, participant
            topic.seated_count = before.seated_count if before else 0
            topic.waiting_count = before.waiting_count if before else 0
            queries.give_places([topic], shared["rooms"], shared["slots"])
            items[topic.pk] = (topic, None, False)
        elif topic.pk in rendered:  # withdrawn since
            if rendered[topic.pk].is_placed:
                return None
            items[topic.pk] = (None, None, False)
    places = {}
    for pk, (topic, _signup, _clash) in items.items():
        before = rendered.get(pk)
        if before is not None:
            if topic is not None and (topic.room_id, topic.time_slot_id) != (
                before.room_id,
                before.time_slot_id,
            ):
                return None
            places[pk] = str(pk)
        elif topic.is_placed:
            places[pk] = f"c{topic.room_id}-{topic.time_slot_id}"
            if places[pk] not in shared["free"]:
                return None
        elif shared["unplaced"]:  # the render has the list
            places[pk] = "u"
        else:
            return None
    return Patch(items=list(items.values()), places=places, convened=convened)


def _grid_html(request, event, viewer, shared, own, visible, *, own_shared, patch) -> str:
    """The shared grid with the viewer's own sessions (and, with a `patch`, their own
    topics) put in, and only the topics of `visible` (ids) kept if it is given.

    own_shared: the own sessions are the shared render's, so their renders are kept
    in it for the next viewer; else (counted afresh) they are rendered for this one.
    """
    places = patch.places if patch else {}
    items = patch.items if patch else own
    cards = [item for item in items if item[0] is not None]
    topics = {topic.pk: topic for topic, _signup, _clash in cards}
    if not own_shared:
        with_urls(event, list(topics.values()))
    found = _rendered_cards(
        event,
        viewer,
        cards,
        shared["csrf"],
        shared["own"] if own_shared else {},
        lambda item: (item[0].pk, item[1], item[2]),  # topic id, sign-up (or None), clash
    )
    mine = {}
    added = []  # the new topics without a place, at the end of their list
    for pk, place in places.items():
        if place == "u":
            added.append(topics[pk])
        else:
            mine[place] = found.get(pk, "")  # "": withdrawn since
    if added:
        added.sort(key=lambda topic: (topic.created_at, topic.pk))
        mine["u"] = mark_safe(  # noqa: S308 - cards rendered by a template
            "".join(found[t.pk] for t in added if visible is None or t.pk in visible)
        )
    mine.update((str(pk), card) for pk, card in found.items() if pk not in places)
    keep = None
    if visible is not None:
        keep = {places.get(pk, str(pk)) for pk in visible}
    return live.personalise(request, shared["parts"], shared["csrf"], mine, keep)


def agenda_context(request, event, viewer) -> tuple[dict, dict]:
    """The agenda page's context, and the shared render it was made from."""
    me = viewer.participant
    role = live.Role.of(viewer)
    show = show_filter(request)
    # A phone gets the newest topics without a place (and those with sign-ups), not
    # all 2,000 of a big marketplace; facilitators, who place them, and the filters
    # that need them all get every one.
    every = viewer.is_facilitator or show in ("my-topics", "unplaced")
    key = f"agenda-grid:{event.pk}:{translation.get_language()}:{role.key}{int(every)}"
    since = live.coalesce_since(request, viewer)
    shared = cached_render(key, event, since=None if since is None else 0)
    # A render made before the participant's own latest write gets it put in.
    wrote = live.wrote_version(request, event.pk) if me is not None and since is not None else 0
    patch = None
    if shared is not None and shared["version"] < wrote:
        if not live.wrote_unpatchable(request, event.pk):
            patch = _patch(shared, event, me)
        if patch is None:
            shared = None
    own_shared = True
    if shared is None:
        read_at = timezone.now()
        grid = queries.grid(event, me, unplaced_shown=None if every else UNPLACED_SHOWN)
        shared = _render_grid(key, event, grid, role, read_at)
        own = grid.own()
    elif me is None:
        own = []
    elif patch is not None:
        own = [item for item in patch.items if item[1] is not None]
        own_shared = False
    elif shared["version"] == event.version:
        own = _own_from(shared, me)
    else:
        # A render of a moment ago: the viewer's own sessions, as they may have just
        # signed up for one, are read and counted afresh.
        own = queries.own_sessions(event, me)
        own_shared = False
    visible = None
    if show == "mine":
        visible = {topic.pk for topic, _signup, _clash in own}
    elif show == "my-topics" and me is not None:
        visible = (
            patch.convened
            if patch
            else {pk for pk, convener in shared["conveners"].items() if convener == me.pk}
        )
    elif show == "unplaced":
        visible = shared["unplaced"]
        if patch:
            visible = visible | {pk for pk, place in patch.places.items() if place == "u"}
    context = {
        "event": event,
        "viewer": viewer,
        "grid_html": _grid_html(
            request, event, viewer, shared, own, visible, own_shared=own_shared, patch=patch
        ),
        "show": show,
        "visible": visible,
        "nav": "agenda",
        "version": shared["version"],
        # A page with the viewer's own writes put in is not the render's page: its ETag
        # says so, and which of their writes it holds (live.render_etag).
        "etag_extra": show + (f"+{wrote}" if patch else ""),
    }
    return context, shared


def show_filter(request) -> str:
    # Only a known filter goes into the ETag header: a newline in it was a 500.
    show = request.GET.get("show", "")
    return show if show in ("mine", "my-topics", "unplaced") else ""
