from functools import partial

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
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
from .rendering import agenda_context, cache_render, cached_render, show_filter, with_urls


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


@require_safe
@vary_on_headers("HX-Request", "If-None-Match")
@event_view(poll_etag_extra=show_filter)
def home(request, *, event, viewer, etag):
    """The agenda: a grid on laptops, a list per round on phones. Polls for changes."""
    context, shared = agenda_context(request, event, viewer)
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
    shared = cached_render(key, event)
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
        shared = cache_render(key, event, grid, html=html)
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
