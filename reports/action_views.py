"""Pages of the action plan: the board, the ladder, the projector wall and the closing circle.

Every write goes through reports/action_plan.py; every object is fetched through
a permission-checked getter below (another event's initiative: 404; someone
else's initiative: 403).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import trigger_client_event

from events.access import Viewer, event_view
from events.identity import get_participant
from events.models import Event
from events.views import absolute_url, join_address
from openspace import concurrency, idempotency, live
from openspace.idempotency import idempotent
from openspace.live import no_extra, with_etag
from openspace.ratelimit import rate_limit

from . import action_plan, action_queries
from .action_forms import (
    InitiativeForm,
    LadderForm,
    MergeForm,
    ReflectionForm,
    StateForm,
    SummaryForm,
)
from .models import Initiative, InitiativeState, LadderStep, Reflection

BOARD_VIEWS = ("levels", "table")


# -- permission-checked getters ---------------------------------------------------------------


def get_initiative_for_viewer(event: Event, pk: int) -> Initiative:
    """An active initiative of this event, or 404."""
    initiative = Initiative.objects.active().filter(event=event, pk=pk).first()
    if initiative is None:
        raise Http404
    initiative.event = event
    return initiative


def can_edit(viewer: Viewer, initiative: Initiative) -> bool:
    if viewer.is_facilitator:
        return True
    return viewer.participant is not None and initiative.created_by_id == viewer.participant.pk


def get_initiative_for_editor(event: Event, viewer: Viewer, pk: int) -> Initiative:
    """An active initiative of this event that the viewer initiated or facilitates; else 404/403."""
    initiative = get_initiative_for_viewer(event, pk)
    if not can_edit(viewer, initiative):
        raise PermissionDenied
    return initiative


def get_follow_up_initiative_for_editor(request, event: Event, viewer: Viewer, pk: int):
    """An initiative of the previous meeting in the series, for whoever may update its state.

    A facilitator of this meeting or of the previous one, or the participant who
    raised it (still known by their cookie from that meeting).
    """
    previous = action_queries.previous_event(event)
    if previous is None:
        raise Http404
    initiative = get_initiative_for_viewer(previous, pk)
    if viewer.is_facilitator or previous.is_facilitator(request.user):
        return initiative
    initiator = get_participant(request, previous)
    if initiator is not None and initiative.created_by_id == initiator.pk:
        return initiative
    raise PermissionDenied


def get_reflection_for_facilitator(event: Event, pk: int) -> Reflection:
    reflection = Reflection.objects.filter(event=event, pk=pk).first()
    if reflection is None:
        raise Http404
    reflection.event = event
    return reflection


def _require_participant(viewer: Viewer):
    if viewer.participant is None:
        raise PermissionDenied
    return viewer.participant


# -- helpers ----------------------------------------------------------------------------------


def _board_view(request) -> str:
    view = request.POST.get("view") or request.GET.get("view") or "levels"
    return view if view in BOARD_VIEWS else "levels"


def _board_url(event: Event, view: str = "levels", anchor: str = "") -> str:
    url = reverse("reports:actions", kwargs={"slug": event.slug})
    if view != "levels":
        url += f"?view={view}"
    return url + (f"#{anchor}" if anchor else "")


def _next_url(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _items(event: Event, viewer: Viewer, initiatives):
    return action_queries.board_items(
        initiatives,
        participant=viewer.participant,
        is_facilitator=viewer.is_facilitator,
        visibility=event.participant_visibility,
    )


def _listing_context(event: Event, viewer, view: str, items, actions_open: bool) -> dict:
    return {
        "event": event,
        "viewer": viewer,
        "view": view,
        "items": items,
        "groups": action_queries.group_by_level(items),
        "actions_open": actions_open,
        "state_choices": InitiativeState.choices,
        "merge_possible": len(items) > 1,
    }


def _board_html(request, event: Event, viewer: Viewer, view: str, *, since: int | None = None):
    """The board's initiatives as HTML, and the event version they show.

    For participants the board is rendered once per event version, language, view
    and role and shared (openspace.live.shared_render); their own initiatives (joined
    or raised) are put in afresh, and their CSRF token. A facilitator, who may change
    every initiative, gets a render of their own.
    """
    actions_open = action_plan.actions_open(event)
    if viewer.is_facilitator:
        items = _items(event, viewer, action_queries.board_initiatives(event))
        context = {**_listing_context(event, viewer, view, items, actions_open), "mark": ""}
        html = render_to_string("reports/actions/board.html#listing", context, request=request)
        return html, event.version  # a SafeString: the output of an autoescaping template
    role = live.Role(participant=viewer.participant is not None, is_facilitator=False)
    key = (
        f"action-board:{event.pk}:{translation.get_language()}:{view}:{int(role.participant)}"
        f":{int(actions_open)}:{event.participant_visibility}"
    )
    me = viewer.participant
    shared = live.shared_render(key, event, since=since)
    if shared is None:
        initiatives = action_queries.board_initiatives(event)
        items = action_queries.board_items(
            initiatives,
            participant=None,
            is_facilitator=False,
            visibility=event.participant_visibility,
        )
        parts, csrf = live.render_shared(
            "reports/actions/board.html#listing",
            _listing_context(event, role, view, items, actions_open),
        )
        shared = live.share_render(key, event, parts=parts, csrf=csrf)
        mine = [i for i in initiatives if me and action_queries.is_own(i, me)]
    else:
        mine = action_queries.own_initiatives(event, me) if me else []
    own = {}
    if mine:
        own = live.render_own(
            "reports/actions/board.html#own",
            _listing_context(event, viewer, view, _items(event, viewer, mine), actions_open),
            shared["csrf"],
        )
    return live.personalise(request, shared["parts"], shared["csrf"], own), shared["version"]


def _render_board(request, event, viewer, *, error: str = "", status: int = 200):
    """The board after the viewer's write (a join, a leave, …), showing that write.

    Event.touch bumped the version of another copy of the event (the initiative's):
    `event` still holds the one read before the write, and a shared render of that
    version, made before the write, would be taken as current (who just left still
    listed). So the board is no older than the version this request's write made.
    """
    event.version = max(event.version, live.written_version(event.pk))
    view = _board_view(request)
    board_html, _version = _board_html(request, event, viewer, view)
    context = {"event": event, "view": view, "board_html": board_html, "error": error}
    return render(request, "reports/actions/board.html#board", context, status=status)


# -- the board --------------------------------------------------------------------------------


def _board_extra(request) -> str:
    return f"-{_board_view(request)}"


@require_safe
@vary_on_headers("HX-Request", "If-None-Match")
@event_view(poll_etag_extra=_board_extra)
def board(request, *, event, viewer, etag):
    """Phones poll the board every 10 s (static/js/agenda.js): 304 while nothing changed."""
    view = _board_view(request)
    since = live.coalesce_since(request, viewer)
    if since is not None and viewer.participant is not None:
        # A poll too gets no render older than the viewer's own latest write: one of a
        # moment ago (another process's) would take back what they just changed.
        since = max(since, live.wrote_version(request, event.pk))
    board_html, version = _board_html(request, event, viewer, view, since=since)
    etag, response = live.render_etag(request, event, viewer, etag, version, _board_extra(request))
    if response:
        return response
    # The page carries its version too, so that the first poll is a 304 when nothing changed.
    context = {
        "event": event,
        "viewer": viewer,
        "view": view,
        "board_html": board_html,
        "etag": etag,
    }
    if request.htmx:
        return with_etag(render(request, "reports/actions/board.html#board", context), etag)
    previous = action_queries.previous_event(event)
    context.update(
        {
            "nav": "actions",
            "tab": view,
            "actions_open": action_plan.actions_open(event),
            "previous_event": previous,
            "follow_up": action_queries.follow_up_initiatives(previous),
            "can_update_follow_up": viewer.is_facilitator,
            "state_choices": InitiativeState.choices,
        }
    )
    return with_etag(render(request, "reports/actions/board.html", context), etag)


@require_http_methods(["GET", "POST"])
@event_view()
@rate_limit("initiative")
@idempotent
def initiative_new(request, *, event, viewer):
    closed_message = ""
    if not viewer.is_facilitator and not action_plan.actions_open(event):
        closed_message = (
            _("The event is closed: the action plan can no longer be changed.")
            if event.is_closed
            else _("The action plan opens when the facilitator starts the action planning.")
        )
    if request.method == "POST":
        form = InitiativeForm(request.POST, event=event)
        if form.is_valid():
            data = form.cleaned_data
            try:
                initiative = action_plan.raise_initiative(
                    event=event,
                    participant=viewer.participant,
                    who=data["who"],
                    what=data["what"],
                    levels=data["levels"],
                    when=data["when"],
                    topic=data["topic"],
                    guests=data["guests"],
                    idempotency_key=data["key"],
                    as_facilitator=viewer.is_facilitator,
                )
            except action_plan.ActionPlanError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                idempotency.done(request)
                messages.success(request, _("Your initiative is on the board."))
                return HttpResponseRedirect(_board_url(event, anchor=f"initiative-{initiative.pk}"))
    else:
        initial = {}
        topic_id = request.GET.get("topic", "")
        # ASCII digits, a few: "²".isdigit() is true but int() refuses it (a 500).
        if topic_id.isascii() and topic_id.isdigit() and len(topic_id) <= 18:
            initial["topic"] = int(topic_id)
        if viewer.participant is not None:
            initial["who"] = viewer.participant.display_name
        form = InitiativeForm(initial=initial, event=event)
    return render(
        request,
        "reports/actions/form.html",
        {
            "event": event,
            "viewer": viewer,
            "nav": "actions",
            "form": form,
            "initiative": None,
            "closed_message": closed_message,
            "who_default": viewer.participant.display_name if viewer.participant else "",
        },
    )


@require_http_methods(["GET", "POST"])
@event_view()
def initiative_edit(request, pk, *, event, viewer):
    initiative = get_initiative_for_editor(event, viewer, pk)
    conflict = None
    if request.method == "POST":
        form = InitiativeForm(request.POST, event=event)
        if form.is_valid():
            data = form.cleaned_data
            try:
                action_plan.edit_initiative(
                    initiative=initiative,
                    who=data["who"],
                    what=data["what"],
                    levels=data["levels"],
                    when=data["when"],
                    topic=data["topic"],
                    guests=data["guests"],
                    as_facilitator=viewer.is_facilitator,
                    base=data["base"],
                )
            except action_plan.ActionPlanError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            except concurrency.EditConflict as error:
                stored = error.current
                conflict = concurrency.conflict_context(
                    form,
                    _("Someone else changed this initiative while you were editing it."),
                    {
                        "what": stored.what,
                        "levels": list(stored.levels),
                        "who": stored.who,
                        "when": stored.when,
                        "topic": stored.topic,
                        "guests": stored.guests,
                    },
                    error.base,
                )
            else:
                messages.success(request, _("The initiative is saved."))
                return HttpResponseRedirect(_board_url(event, anchor=f"initiative-{initiative.pk}"))
    else:
        form = InitiativeForm(
            initial={
                "who": initiative.who,
                "what": initiative.what,
                "levels": initiative.level_list,
                "when": initiative.when,
                "topic": initiative.topic_id,
                "guests": initiative.guests,
                "base": action_plan.initiative_base(initiative),
            },
            event=event,
        )
    return render(
        request,
        "reports/actions/form.html",
        {
            "event": event,
            "viewer": viewer,
            "nav": "actions",
            "form": form,
            "initiative": initiative,
            "closed_message": "",
            "conflict": conflict,
        },
    )


def _after_write(request, event, viewer, *, anchor: str = "", error: str = ""):
    """HTMX: the board again (with the error, if any); otherwise back to the board."""
    if request.htmx:
        return _render_board(request, event, viewer, error=error)
    if error:
        messages.error(request, error)
    return HttpResponseRedirect(_next_url(request, _board_url(event, _board_view(request), anchor)))


@require_POST
@vary_on_headers("HX-Request")
@event_view()
def initiative_withdraw(request, pk, *, event, viewer):
    initiative = get_initiative_for_editor(event, viewer, pk)
    error = ""
    try:
        action_plan.withdraw_initiative(initiative=initiative, as_facilitator=viewer.is_facilitator)
    except action_plan.ActionPlanError as exc:
        error = exc.message
    else:
        if not request.htmx:
            messages.success(request, _("The initiative is withdrawn."))
    return _after_write(request, event, viewer, error=error)


@require_POST
@vary_on_headers("HX-Request")
@event_view()
def initiative_join(request, pk, *, event, viewer):
    participant = _require_participant(viewer)
    initiative = get_initiative_for_viewer(event, pk)
    error = ""
    try:
        action_plan.join_initiative(initiative=initiative, participant=participant)
    except action_plan.ActionPlanError as exc:
        error = exc.message
    return _after_write(request, event, viewer, anchor=f"initiative-{pk}", error=error)


@require_POST
@vary_on_headers("HX-Request")
@event_view()
def initiative_leave(request, pk, *, event, viewer):
    participant = _require_participant(viewer)
    initiative = get_initiative_for_viewer(event, pk)
    error = ""
    try:
        action_plan.leave_initiative(initiative=initiative, participant=participant)
    except action_plan.ActionPlanError as exc:
        error = exc.message
    return _after_write(request, event, viewer, anchor=f"initiative-{pk}", error=error)


@require_http_methods(["GET", "POST"])
@event_view(facilitator_required=True)
def initiative_merge(request, pk, *, event, viewer):
    source = get_initiative_for_viewer(event, pk)
    others = [i for i in action_queries.board_initiatives(event) if i.pk != source.pk]
    choices = [(i.pk, f"{i.who}: {i.what[:80]}") for i in others]
    form = MergeForm(request.POST or None, choices=choices)
    if request.method == "POST" and form.is_valid():
        target = get_initiative_for_viewer(event, form.cleaned_data["target"])
        try:
            action_plan.merge_initiatives(source=source, target=target)
        except action_plan.ActionPlanError as error:
            form.add_error("target", error.message)
        else:
            messages.success(request, _("The initiatives are merged."))
            return HttpResponseRedirect(_board_url(event, anchor=f"initiative-{target.pk}"))
    return render(
        request,
        "reports/actions/merge.html",
        {"event": event, "viewer": viewer, "nav": "actions", "form": form, "source": source},
    )


@require_POST
@vary_on_headers("HX-Request")
@event_view()
def initiative_state(request, pk, *, event, viewer):
    initiative = get_initiative_for_editor(event, viewer, pk)
    form = StateForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            action_plan.set_state(initiative=initiative, state=form.cleaned_data["state"])
        except action_plan.ActionPlanError as exc:
            error = exc.message
    else:
        error = _("Choose one of the states.")
    return _after_write(request, event, viewer, anchor=f"initiative-{pk}", error=error)


@require_POST
@vary_on_headers("HX-Request")
@event_view()
def follow_up_state(request, pk, *, event, viewer):
    initiative = get_follow_up_initiative_for_editor(request, event, viewer, pk)
    form = StateForm(request.POST)
    error = ""
    if form.is_valid():
        action_plan.set_state(initiative=initiative, state=form.cleaned_data["state"])
        # This meeting's walls show the follow-up too.
        event.touch()
    else:
        error = _("Choose one of the states.")
    return _after_write(request, event, viewer, anchor="follow-up", error=error)


# -- the collaboration ladder -----------------------------------------------------------------


def _ladder_context(event: Event, viewer: Viewer, error: str = "", kept=None) -> dict:
    """`kept`: (initiative id, text, base) of a "what it takes" not saved for a
    conflict, shown again in its form with the stored text's base."""
    items = _items(event, viewer, action_queries.board_initiatives(event))
    for item in items:
        if kept and item.initiative.pk == kept[0]:
            item.kept_next_step, item.next_step_base = kept[1], kept[2]
        else:
            item.next_step_base = action_plan.next_step_base(item.initiative)
    return {
        "event": event,
        "viewer": viewer,
        "nav": "actions",
        "tab": "ladder",
        "rungs": action_queries.ladder_rungs(items),
        "step_choices": LadderStep.choices,
        "top_step": max(LadderStep.values),
        "error": error,
    }


@require_safe
@vary_on_headers("HX-Request")
@event_view()
def ladder(request, *, event, viewer):
    context = _ladder_context(event, viewer)
    if request.htmx:
        return render(request, "reports/actions/ladder.html#ladder", context)
    return render(request, "reports/actions/ladder.html", context)


@require_POST
@vary_on_headers("HX-Request")
@event_view()
def ladder_move(request, pk, *, event, viewer):
    initiative = get_initiative_for_editor(event, viewer, pk)
    form = LadderForm(request.POST)
    error, kept = "", None
    if form.is_valid():
        data = form.cleaned_data
        try:
            action_plan.move_on_ladder(
                initiative=initiative,
                step=data["step"],
                position=data["position"],
                next_step=data["next_step"] if "next_step" in request.POST else None,
                base=data["base"],
            )
        except action_plan.ActionPlanError as exc:
            error = exc.message
        except concurrency.EditConflict as conflict:
            error = _(
                "Someone else changed “What it takes to climb one step” meanwhile. It now "
                "reads: “%(theirs)s”. Yours is kept in the form: save it again to replace "
                "theirs."
            ) % {"theirs": conflict.current.next_step or "—"}
            kept = (initiative.pk, data["next_step"], conflict.base)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.htmx:
        context = _ladder_context(event, viewer, error, kept)
        response = render(request, "reports/actions/ladder.html#ladder", context)
        if not error:
            step = initiative.ladder_step
            where = LadderStep(step).label if step else _("Not on the ladder")
            message = _("Moved to: %(step)s") % {"step": where}
            trigger_client_event(response, "initiativeMoved", {"id": pk, "message": message})
        return response
    if error:  # the ladder again, with what they typed kept in its form
        return render(
            request, "reports/actions/ladder.html", _ladder_context(event, viewer, error, kept)
        )
    url = reverse("reports:ladder", kwargs={"slug": event.slug})
    return HttpResponseRedirect(f"{url}#ladder-{pk}")


# -- the projector wall -----------------------------------------------------------------------


@require_safe
@vary_on_headers("HX-Request", "If-None-Match")
@event_view(poll_etag_extra=no_extra)
def wall(request, *, event, viewer, etag):
    """The action plan on the projector, polled by the shared live poller (static/js/agenda.js).

    While Event.version is unchanged the poll is answered 304 from the ETag,
    before anything is queried or rendered.
    """
    items = _items(event, viewer, action_queries.board_initiatives(event))
    context = {
        "event": event,
        "viewer": viewer,
        "nav": "actions",
        "items": items,
        "board_url": absolute_url(request, _board_url(event)),
        "join_address": join_address(request),
    }
    template = "reports/actions/wall.html#wall" if request.htmx else "reports/actions/wall.html"
    return with_etag(render(request, template, context), etag)


# -- the closing circle -----------------------------------------------------------------------


def _closing_context(event: Event, viewer: Viewer, **extra) -> dict:
    own = action_queries.own_reflection(event, viewer.participant)
    summary = action_queries.closing_summary(event)
    context = {
        "event": event,
        "viewer": viewer,
        "nav": "actions",
        "tab": "closing",
        "reflections": action_queries.reflections(event, include_hidden=viewer.is_facilitator),
        "own": own,
        "summary": summary,
        "actions_open": action_plan.actions_open(event),
        "form": ReflectionForm(
            initial={"text": own.text, "anonymous": own.anonymous} if own else None
        ),
        "summary_form": SummaryForm(initial={"text": summary.text if summary else ""}),
    }
    context.update(extra)
    return context


@require_http_methods(["GET", "POST"])
@event_view()
@rate_limit("reflection")
def closing(request, *, event, viewer):
    if request.method == "POST":
        participant = _require_participant(viewer)
        form = ReflectionForm(request.POST)
        if form.is_valid():
            try:
                action_plan.leave_reflection(
                    event=event,
                    participant=participant,
                    text=form.cleaned_data["text"],
                    anonymous=form.cleaned_data["anonymous"],
                )
            except action_plan.ActionPlanError as error:
                form.add_error("text" if error.field == "text" else None, error.message)
            else:
                messages.success(request, _("Thank you for your reflection."))
                return HttpResponseRedirect(reverse("reports:closing", kwargs={"slug": event.slug}))
        return render(
            request, "reports/actions/closing.html", _closing_context(event, viewer, form=form)
        )
    return render(request, "reports/actions/closing.html", _closing_context(event, viewer))


@require_POST
@event_view(facilitator_required=True)
def reflection_hide(request, pk, *, event, viewer):
    reflection = get_reflection_for_facilitator(event, pk)
    hidden = request.POST.get("hidden", "1") == "1"
    action_plan.hide_reflection(reflection=reflection, hidden=hidden)
    url = reverse("reports:closing", kwargs={"slug": event.slug})
    return HttpResponseRedirect(f"{url}#reflection-{pk}")


@require_POST
@event_view(facilitator_required=True)
def closing_summary(request, *, event, viewer):
    form = SummaryForm(request.POST)
    if form.is_valid():
        action_plan.write_summary(event=event, text=form.cleaned_data["text"], user=request.user)
        messages.success(request, _("The summary is saved."))
        return HttpResponseRedirect(reverse("reports:closing", kwargs={"slug": event.slug}))
    return render(
        request, "reports/actions/closing.html", _closing_context(event, viewer, summary_form=form)
    )
