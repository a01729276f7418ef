import datetime
import secrets
from dataclasses import dataclass
from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from events.access import event_view
from events.models import Phase
from events.views import join_address, site_url
from openspace import concurrency, idempotency, live
from openspace.idempotency import idempotent, new_key
from openspace.live import no_extra, with_etag
from openspace.ratelimit import rate_limit

from . import queries, services
from .forms import MoveForm, TopicChoiceForm, TopicForm, move_value
from .models import SignUp, Topic
from .queries import MySignUp


def get_topic(event, pk) -> Topic:
    """A live topic of this event, or 404 (ids of other events never leak)."""
    return get_object_or_404(
        Topic.objects.active().select_related("event", "convener", "room", "time_slot"),
        pk=pk,
        event=event,
    )


def get_topic_for_editor(viewer, pk) -> Topic:
    """The topic if the viewer convenes it or facilitates the event; 403 otherwise."""
    topic = get_topic(viewer.event, pk)
    topic.event = viewer.event
    is_convener = viewer.participant is not None and topic.convener_id == viewer.participant.pk
    if not (is_convener or viewer.is_facilitator):
        raise PermissionDenied
    return topic


# The agenda grid as everyone with the same role sees it, and the wall, are rendered
# once per event version, language and round on now, and kept in memory
# (openspace.live.shared_render). A request that finds them fresh skips the grid's
# queries and puts in only the viewer's own sessions (sign-up state, clash notes) and
# their CSRF token. Every write a participant can see bumps Event.version
# (agenda/services.py), and the version and the rounds' states are checked on every
# read, so a change shows on the next request. With the render of the current version
# come its sessions and their counts, so a viewer's own sessions are read as one small
# query of their sign-ups; each own session, as one state of one session is the same
# for everyone, is rendered once per version ("own"), and so is the page around the
# grid ("frames", openspace.live.render_framed).


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


def _cached_render(key: str, event, *, since: int | None = None) -> dict | None:
    """The shared render under `key`, if current (or as old as `since` allows:
    live.shared_render) and no round began or ended since."""

    def same_rounds(shared) -> bool:
        return queries.round_states(event, shared["slots"]) == shared["states"]

    return live.shared_render(key, event, since=since, fresh=same_rounds)


def _cache_render(key: str, event, grid, **values) -> dict:
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
    return _cache_render(
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


def _agenda_context(request, event, viewer) -> tuple[dict, dict]:
    """The agenda page's context, and the shared render it was made from."""
    me = viewer.participant
    role = live.Role.of(viewer)
    show = _show(request)
    # A phone gets the newest topics without a place (and those with sign-ups), not
    # all 2,000 of a big marketplace; facilitators, who place them, and the filters
    # that need them all get every one.
    every = viewer.is_facilitator or show in ("my-topics", "unplaced")
    key = f"agenda-grid:{event.pk}:{translation.get_language()}:{role.key}{int(every)}"
    since = live.coalesce_since(request, viewer)
    shared = _cached_render(key, event, since=None if since is None else 0)
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


def _show(request) -> str:
    # Only a known filter goes into the ETag header: a newline in it was a 500.
    show = request.GET.get("show", "")
    return show if show in ("mine", "my-topics", "unplaced") else ""


@require_safe
@vary_on_headers("HX-Request", "If-None-Match")
@event_view(poll_etag_extra=_show)
def home(request, *, event, viewer, etag):
    """The agenda: a grid on laptops, a list per round on phones. Polls for changes."""
    context, shared = _agenda_context(request, event, viewer)
    etag, response = live.render_etag(
        request, event, viewer, etag, context["version"], context["etag_extra"]
    )
    if response:
        return response
    context["etag"] = etag
    if request.htmx:
        return with_etag(render(request, "agenda/home.html#agenda", context), etag)
    # The page around the grid is the same for every viewer of this render and filter;
    # the messages to show, once, to this viewer are put in (live.render_framed).
    empty = context["visible"] is not None and not context["visible"]
    html = live.render_framed(
        request,
        shared,
        ("agenda", context["show"], empty),
        "agenda/home.html",
        context,
        {"grid_html": context["grid_html"], "etag": escape(etag)},
    )
    return with_etag(HttpResponse(html), etag)


@require_safe
@event_view()
def topic_detail(request, pk, *, event, viewer):
    try:
        topic = queries.topic_page(event, pk)
    except Topic.DoesNotExist:
        raise Http404 from None
    with_urls(event, [topic])
    signups = topic.signup_list
    mine = next(
        (s for s in signups if viewer.participant and s.participant_id == viewer.participant.pk),
        None,
    )
    convenes = viewer.participant is not None and topic.convener_id == viewer.participant.pk
    arrange = {}
    if viewer.is_facilitator:
        grid = queries.grid(event)
        arrange = {
            # Each option says what this page showed in its cell (forms.move_value).
            "arrange_cells": [
                (cell, move_value(cell)) for round_ in grid.rounds for cell in round_.cells
            ],
            "merge_candidates": [t for t in grid.topics if t.pk != topic.pk],
        }
    return render(
        request,
        "agenda/topic.html",
        {
            **arrange,
            "event": event,
            "viewer": viewer,
            "topic": topic,
            "signups": signups,
            "my_signup": mine,
            "can_edit": viewer.is_facilitator or convenes,
            "can_change_topic": services.topics_changeable(
                event, by_facilitator=viewer.is_facilitator
            ),
            # Once the event is closed its reports are the documentation's: only
            # facilitators change them (reports.services.writing_open).
            "can_write_report": viewer.is_facilitator or (convenes and not event.is_closed),
            "nav": "agenda",
        },
    )


@require_http_methods(["GET", "POST"])
@event_view()
@rate_limit("topic")
@idempotent
def topic_new(request, *, event, viewer):
    if not (event.marketplace_open or viewer.is_facilitator):
        messages.warning(request, _("The marketplace is closed: new topics cannot be posted now."))
        return redirect("agenda:home", slug=event.slug)
    if page := _new_topic_page(request, event, viewer):
        return page
    # The free cells are looked up only if the form needs them (a place was chosen, or
    # the form is shown): most topics are posted without one.
    form = TopicForm(request.POST or None, places=partial(queries.places, event), with_cell=True)
    if request.method == "POST" and form.is_valid():
        room, slot = form.cleaned_data["cell"]
        try:
            topic = services.post_topic(
                event=event,
                participant=viewer.participant,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                co_convener=form.cleaned_data["co_convener"],
                room=room,
                time_slot=slot,
                idempotency_key=form.cleaned_data["idempotency_key"],
                by_facilitator=viewer.is_facilitator,
            )
        except services.AgendaError as error:
            form.add_error("cell" if isinstance(error, services.CellTaken) else None, str(error))
            # Offer the places that are still free, keeping what was typed.
            form.fields["cell"] = TopicForm(places=queries.places(event), with_cell=True).fields[
                "cell"
            ]
        else:
            idempotency.done(request)
            messages.success(request, _("Your topic is on the agenda."))
            return redirect(topic)
    return render(request, "agenda/topic_form.html", _new_topic_context(event, viewer, form))


def _new_topic_context(event, viewer, form, convener_name=None) -> dict:
    if convener_name is None and viewer.participant is not None:
        convener_name = viewer.participant.display_name
    return {
        "event": event,
        "viewer": viewer,
        "form": form,
        "nav": "agenda",
        "is_new": True,
        "convener_name": convener_name,
    }


def _new_topic_page(request, event, viewer) -> HttpResponse | None:
    """The empty topic form from a frame shared by everyone with the viewer's role and
    language (openspace.live.framed_form); only the convener's name, the form's key and
    the CSRF token are put in per request. The frame lists the free cells of the
    event's current version or, like the agenda (live.coalesce_since), of one of the
    last moment: a cell taken since is refused on posting, with the text kept."""
    if request.method != "GET":
        return None
    role = live.Role.of(viewer)
    key = f"topic-form:{event.pk}:{translation.get_language()}:{role.key}"
    store = live.shared_render(key, event, since=live.coalesce_since(request, viewer))
    if store is None:
        store = live.share_render(key, event)

    def context(marks):
        form = TopicForm(
            places=partial(queries.places, event),
            with_cell=True,
            initial={"idempotency_key": marks["form_key"]},
        )
        return _new_topic_context(event, viewer, form, marks["convener_name"])

    name = viewer.participant.display_name if viewer.participant is not None else ""
    holes = {"form_key": new_key(), "convener_name": escape(name)}
    return live.framed_form(request, store, "agenda/topic_form.html", context, holes)


@require_http_methods(["GET", "POST"])
@event_view()
def topic_edit(request, pk, *, event, viewer):
    topic = get_topic_for_editor(viewer, pk)
    base = services.topic_base(topic)
    form = TopicForm(request.POST or None, instance=topic, initial={"base": base})
    conflict = None
    status = 200
    if not services.topics_changeable(event, by_facilitator=viewer.is_facilitator):
        if request.method != "POST":
            return redirect(topic)  # its page says why it can no longer be changed
        # Sent from a page opened before the event was closed: the text is kept.
        form.is_valid()
        form.add_error(None, services.closed_topic_message())
        status = 403
    elif request.method == "POST" and form.is_valid():
        try:
            services.edit_topic(
                topic=topic,
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                co_convener=form.cleaned_data["co_convener"],
                base=form.cleaned_data["base"],
                by_facilitator=viewer.is_facilitator,
            )
        except services.AgendaError as error:  # closed while the form was sent
            form.add_error(None, str(error))
            status = 403
        except concurrency.EditConflict as error:
            conflict = concurrency.conflict_context(
                form,
                _("Someone else changed this topic while you were editing it."),
                {name: getattr(error.current, name) for name in services.TOPIC_EDITED},
                error.base,
            )
        else:
            messages.success(request, _("Saved."))
            return redirect(topic)
    return render(
        request,
        "agenda/topic_form.html",
        {
            "event": event,
            "viewer": viewer,
            "form": form,
            "topic": topic,
            "conflict": conflict,
            "closed": not services.topics_changeable(event, by_facilitator=viewer.is_facilitator),
            "nav": "agenda",
        },
        status=status,
    )


@require_POST
@event_view()
def topic_withdraw(request, pk, *, event, viewer):
    topic = get_topic_for_editor(viewer, pk)
    try:
        services.withdraw_topic(topic=topic, by_facilitator=viewer.is_facilitator)
    except services.AgendaError as error:
        messages.error(request, str(error))
        return redirect(topic)
    messages.success(request, _("The topic “%(title)s” was withdrawn.") % {"title": topic.title})
    return redirect("agenda:home", slug=event.slug)


@require_POST
@vary_on_headers("HX-Request")
@event_view()
@rate_limit("signup")
def signup(request, pk, *, event, viewer):
    """Sign up for or leave a session: one tap, with or without JavaScript."""
    if viewer.participant is None:
        raise PermissionDenied
    error, my_signup = "", None
    try:
        if request.POST.get("action") == "leave":
            topic = services.leave(topic=pk, participant=viewer.participant)
            queries.with_counts(topic)
        else:
            my_signup = services.sign_up(topic=pk, participant=viewer.participant)
            topic = my_signup.topic  # locked, read and counted by the sign-up itself
    except Topic.DoesNotExist:
        raise Http404 from None
    except services.AgendaError as exc:
        error = str(exc)
        # Nothing changed: show where they stand.
        topic = queries.with_counts(get_topic(event, pk))
        my_signup = SignUp.objects.filter(topic=topic, participant=viewer.participant).first()
    if request.htmx:
        # The button and the counts only: not the session page's list of names.
        topic.signup_url = reverse("agenda:signup", kwargs={"slug": event.slug, "pk": topic.pk})
        return render(
            request,
            "agenda/home.html#signup",
            {
                "event": event,
                "viewer": viewer,
                "topic": topic,
                "my_signup": my_signup,
                "error": error,
            },
        )
    if error:
        messages.error(request, error)
    next_url = request.POST.get("next", "")
    if next_url == "agenda":
        return redirect("agenda:home", slug=event.slug)
    return redirect(topic)


@require_POST
@event_view(facilitator_required=True)
@idempotent
def topic_arrange(request, pk, *, event, viewer):
    """Facilitators arrange the grid: move, swap, merge, lock and unlock.

    Idempotent per form key: a drop on a taken cell swaps the two topics, and the same
    drop sent twice by a flaky network must not swap them back. A drop (or a choice in
    the "Move to…" menu, its no-JS path) on a cell its page showed free, or held by
    another session, that someone else has filled since moves nothing: a swap would
    send their session away unseen."""
    topic = get_topic(event, pk)
    topic.event = event
    action = request.POST.get("action", "move")
    grid = queries.grid(event)
    done = _("The agenda was updated.")
    try:
        if action == "move":
            form = MoveForm(request.POST, grid=grid)
            # Drag and drop may drop on a taken cell: then the two topics swap.
            if form.is_valid():
                room, slot = form.cleaned_data["cell"]
                occupant = next(
                    (c.topic for c in grid.placed_cells() if c.room == room and c.slot == slot),
                    None,
                )
                seen = form.cleaned_data["seen"]  # what the mover's page showed there
                if occupant is not None and occupant.pk != topic.pk:
                    if seen is not None and seen != str(occupant.pk):
                        raise services.AgendaError(
                            _(
                                "Someone else has just put “%(title)s” in %(code)s. Nothing "
                                "was moved: look at the agenda as it is now and move again."
                            )
                            % {"title": occupant.title, "code": occupant.code}
                        )
                    services.swap_topics(first=topic, second=occupant)
                else:
                    services.move_topic(topic=topic, room=room, time_slot=slot)
            else:
                raise services.AgendaError(_("That place does not exist in this event."))
        elif action in ("swap", "merge"):
            form = TopicChoiceForm(request.POST, topics=grid.topics, exclude=topic)
            if not form.is_valid():
                raise services.AgendaError(_("Choose another topic of this event."))
            other = form.cleaned_data["other"]
            if action == "swap":
                services.swap_topics(first=topic, second=other)
            else:
                services.merge_topics(keep=other, duplicate=topic)
                done = _("“%(duplicate)s” was merged into “%(kept)s”.") % {
                    "duplicate": topic.title,
                    "kept": other.title,
                }
                topic = other
        elif action in ("lock", "unlock"):
            services.set_locked(topic=topic, locked=action == "lock")
        else:
            raise services.AgendaError(_("Unknown action."))
    except services.AgendaError as error:
        messages.error(request, str(error))
    else:
        idempotency.done(request)
        messages.success(request, done)
    if request.POST.get("next") == "topic":
        return redirect("agenda:topic", slug=event.slug, pk=topic.pk)
    return redirect("agenda:home", slug=event.slug)


@require_safe
@vary_on_headers("HX-Request", "If-None-Match")
@event_view(poll_etag_extra=no_extra)
def wall(request, *, event, viewer, etag):
    """The projector wall: the grid, phase, round and time left, QR code and join code."""
    key = f"agenda-wall:{event.pk}:{translation.get_language()}"
    shared = _cached_render(key, event)
    if shared is None:
        grid = queries.grid(event, unplaced_shown=0)  # the wall counts them
        # At the opening circle the facilitator presents the principles and the plan
        # for the day: the wall shows them instead of the still empty grid.
        opening = event.phase == Phase.OPENING
        # The same for every viewer: nothing of theirs (not even a CSRF token) is in it.
        html = render_to_string(
            "agenda/wall.html#content",
            {
                "event": event,
                "grid": grid,
                "join_address": join_address(request),
                "opening": opening,
                "run_sheet": list(event.run_sheet.all()) if opening else [],
            },
        )
        shared = _cache_render(key, event, grid, html=html)
    context = {"event": event, "viewer": viewer, "wall_html": shared["html"], "etag": etag}
    template = "agenda/wall.html#wall" if request.htmx else "agenda/wall.html"
    return with_etag(render(request, template, context), etag)


def _cell_name(cell, rooms, slots) -> str:
    if cell is None:
        return _("unplaced")
    return f"{rooms[cell.room].code}{slots[cell.slot].number}"


@require_http_methods(["GET", "POST"])
@event_view(facilitator_required=True)
def schedule(request, *, event, viewer):
    """Suggest a placement with fewer clashes; apply it only when the facilitator accepts."""
    from . import scheduler

    if request.method == "POST":
        try:
            count = services.apply_schedule(
                event=event, fingerprint=request.POST.get("fingerprint", "")
            )
        except services.AgendaError as error:
            messages.error(request, str(error))
            return redirect("agenda:schedule", slug=event.slug)
        messages.success(
            request,
            ngettext(
                "The suggestion is applied: %(count)s session moved.",
                "The suggestion is applied: %(count)s sessions moved.",
                count,
            )
            % {"count": count},
        )
        return redirect("agenda:home", slug=event.slug)
    problem, topics, rooms, slots = queries.scheduling_problem(event)
    suggestion = scheduler.suggest(problem)
    moves = [
        (topics[pk], _cell_name(old, rooms, slots), _cell_name(new, rooms, slots))
        for pk, old, new in suggestion.moves
    ]
    return render(
        request,
        "agenda/schedule.html",
        {
            "event": event,
            "viewer": viewer,
            "suggestion": suggestion,
            "moves": moves,
            "fingerprint": scheduler.fingerprint(problem),
            "unplaced_left": [
                topics[pk] for pk, cell in suggestion.placement.items() if cell is None
            ],
            "nav": "facilitate",
        },
    )


@require_safe
@event_view()
def agenda_ics(request, *, event, viewer):
    """The whole agenda, or with ?mine=1 my sessions (signed up or convened), as .ics."""
    from django.db.models import Q

    from .exporters import agenda_ics as export

    topics = queries.topics_with_counts(event)
    suffix = ""
    if request.GET.get("mine") and viewer.participant is not None:
        me = viewer.participant
        topics = topics.filter(Q(signups__participant=me) | Q(convener=me)).distinct()
        suffix = "-mine"
    body, content_type, filename = export(
        event, topics, host=request.get_host().split(":")[0], name_suffix=suffix
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _pdf_response(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
@event_view(facilitator_required=True)
def topic_sheets_pdf(request, *, event, viewer):
    """All topic sheets, one A4 page each, in code order, to print for the wall."""
    from .exporters import topic_sheets_pdf as export

    topics = queries.grid(event).topics
    return _pdf_response(*export(event, topics, site=site_url(request)))


@require_safe
@event_view()
def topic_sheet_pdf(request, pk, *, event, viewer):
    """One topic's sheet, for its convener or a facilitator."""
    from .exporters import topic_sheets_pdf as export

    topic = get_topic_for_editor(viewer, pk)
    return _pdf_response(*export(event, [topic], site=site_url(request)))


@require_safe
@event_view(facilitator_required=True)
def agenda_poster_pdf(request, *, event, viewer):
    """The grid on an A3 landscape poster."""
    from .exporters import agenda_poster_pdf as export

    return _pdf_response(*export(event, queries.grid(event)))
