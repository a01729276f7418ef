"""The facilitators' pages: their dashboard, a new event, its setup page and every
form on it (details, phase, rooms, time slots, run sheet, participants, invites),
and a duplicate of an event for the next meeting of a series."""

from functools import partial

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from agenda.models import Room, TimeSlot
from openspace import idempotency, ratelimit
from openspace.idempotency import idempotent

from . import services
from .access import (
    get_event_for_facilitator,
    get_viewer,
)
from .forms import (
    DuplicateForm,
    EventForm,
    RoomForm,
    RunSheetItemForm,
    TimeSlotForm,
)
from .models import Event, FacilitatorInvite, Participant, Phase, RunSheetItem
from .views import absolute_url


@require_safe
@login_required
def dashboard(request):
    events = Event.objects.for_facilitator(request.user).annotate(
        participant_count=Count("participants", filter=Q(participants__removed_at__isnull=True))
    )
    return render(
        request,
        "events/dashboard.html",
        {"upcoming": list(events.upcoming()), "past": list(events.past())},
    )


@require_http_methods(["GET", "POST"])
@login_required
@idempotent
def event_new(request):
    form = EventForm(request.POST or None, initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        event = services.create_event(user=request.user, **fields)
        idempotency.done(request)
        messages.success(request, _("The event is created. Now add rooms and time slots."))
        _warn_if_past(request, event)
        return redirect("events:facilitate", slug=event.slug)
    return render(request, "events/event_new.html", {"form": form})


def _setup_context(
    request, event, room_errors=None, slot_errors=None, run_sheet_errors=None, **forms
):
    viewer = get_viewer(request, event)
    rooms = list(event.rooms.all())
    for room in rooms:
        room.form = (room_errors or {}).get(room.pk) or RoomForm(
            instance=room, prefix=f"room-{room.pk}"
        )
    slots = list(event.time_slots.all())
    for slot in slots:
        slot.form = (slot_errors or {}).get(slot.pk) or TimeSlotForm(
            instance=slot, prefix=f"slot-{slot.pk}"
        )
        # Allowed (an evening session after the day's programme), but more often a typo.
        slot.outside_hours = slot.starts_at < event.start_time or slot.ends_at > event.end_time
    # One item of the run sheet at a time is changed in place (?edit-item=<id>), or
    # one whose change was refused, with what was typed.
    run_sheet = list(event.run_sheet.all())
    editing = request.GET.get("edit-item", "")
    for item in run_sheet:
        item.form = (run_sheet_errors or {}).get(item.pk)
        if item.form is None and editing == str(item.pk):
            item.form = RunSheetItemForm(instance=item, prefix=f"item-{item.pk}")
            item.form.fields["phase"].widget.attrs["autofocus"] = True
    # Anonymised participants keep their sign-ups (the counts) but have no name left to
    # show or remove: they are counted, not listed.
    everyone = list(event.participants.active())
    context = {
        "event": event,
        "viewer": viewer,
        "nav": "facilitate",
        "rooms": rooms,
        "slots": slots,
        "run_sheet": run_sheet,
        "participants": [p for p in everyone if p.anonymised_at is None],
        "anonymised_count": sum(p.anonymised_at is not None for p in everyone),
        "phases": Phase.choices,
        "join_url": absolute_url(
            request, reverse("events:join-event", kwargs={"slug": event.slug})
        ),
        "invites": list(event.invites.filter(accepted_at__isnull=True)),
        "co_facilitators": list(event.facilitators.all()),
        "details_form": EventForm(instance=event),
        "room_form": RoomForm(prefix="room"),
        "slot_form": TimeSlotForm(prefix="slot"),
        "run_sheet_form": RunSheetItemForm(prefix="item"),
    }
    context.update(forms)
    return context


def _setup_response(request, event, section: str, status=200, **forms):
    """The whole setup page, or only `section` of it for HTMX."""
    context = _setup_context(request, event, **forms)
    template = f"events/setup.html#{section}" if request.htmx else "events/setup.html"
    return render(request, template, context, status=status)


def _warn_if_past(request, event) -> None:
    """A date that has passed is allowed (an event documented afterwards), but it is
    more often a typo, and after the date the action plan is open to participants."""
    if event.date < timezone.localdate():
        messages.warning(
            request,
            _(
                "The date, %(date)s, has already passed. If that is a typo, correct it: "
                "once the event's date has passed, participants can raise and join "
                "initiatives on the action plan."
            )
            % {"date": date_format(event.date)},
        )


def _after_write(request, event, section: str):
    if request.htmx:
        return _setup_response(request, event, section)
    return redirect(reverse("events:facilitate", kwargs={"slug": event.slug}) + f"#{section}")


@require_safe
@login_required
def facilitate(request, slug):
    event = get_event_for_facilitator(request, slug)
    # "Change" on a run-sheet item asks for that section with the item's form.
    return _setup_response(request, event, "run-sheet" if "edit-item" in request.GET else "details")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def event_details(request, slug):
    event = get_event_for_facilitator(request, slug)
    form = EventForm(request.POST, instance=Event.objects.get(pk=event.pk))
    if form.is_valid():
        with transaction.atomic():
            if form.unchanged_since_drawn(Event.objects.select_for_update().get(pk=event.pk)):
                fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
                services.update_event(event=event, fields=fields)
    if form.errors:
        # 200, not 422: htmx 2 does not swap 4xx answers, and the errors must show.
        return _setup_response(request, event, "details", details_form=form)
    if "date" in form.changed_data:
        _warn_if_past(request, event)
    if event.slug != slug:
        # Every form on the page posts to the old address: load the page at the new one.
        messages.warning(
            request,
            _(
                "Saved. The event's address is now %(address)s: links and QR codes with "
                "the old address no longer work, so print the poster again."
            )
            % {"address": event.get_absolute_url()},
        )
        url = reverse("events:facilitate", kwargs={"slug": event.slug})
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    messages.success(request, _("Saved."))
    return _after_write(request, event, "details")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def event_phase(request, slug):
    event = get_event_for_facilitator(request, slug)
    try:
        services.set_phase(event=event, phase=request.POST.get("phase", ""))
    except services.SetupError as error:
        messages.error(request, str(error))
    return _after_write(request, event, "phase")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def event_lock(request, slug):
    """Lock the event (participants read, nobody but facilitators posts) or unlock it."""
    event = get_event_for_facilitator(request, slug)
    locked = request.POST.get("locked") == "1"
    services.set_locked(event=event, locked=locked)
    if locked:
        messages.warning(request, _("The event is locked: participants can only read."))
    else:
        messages.success(request, _("The event is unlocked: participants can post again."))
    return _after_write(request, event, "phase")


def _save_unchanged(form, model, pk, save, *, error_field=None) -> None:
    """Validate `form` and `save(**cleaned_data)` with its row locked, unless someone
    changed the row since the form was drawn (the form then says what is stored now);
    a SetupError becomes the form's error, on `error_field` or the whole form."""
    if not form.is_valid():
        return
    try:
        with transaction.atomic():
            stored = get_object_or_404(model.objects.select_for_update(), pk=pk)
            if form.unchanged_since_drawn(stored):
                save(**form.cleaned_data)
    except services.SetupError as error:
        form.add_error(error_field, str(error))


def _room(event, pk) -> Room:
    room = get_object_or_404(Room, pk=pk, event=event)
    room.event = event
    return room


@require_POST
@vary_on_headers("HX-Request")
@login_required
@idempotent
def room_add(request, slug):
    event = get_event_for_facilitator(request, slug)
    form = RoomForm(request.POST, prefix="room")
    if form.is_valid():
        try:
            services.add_room(event=event, **form.cleaned_data)
        except services.SetupError as error:
            form.add_error("name", str(error))
    if form.errors:
        return _setup_response(request, event, "rooms", room_form=form)
    idempotency.done(request)
    return _after_write(request, event, "rooms")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def room_edit(request, slug, pk):
    event = get_event_for_facilitator(request, slug)
    room = _room(event, pk)
    action = request.POST.get("action", "save")
    if action == "delete":
        services.delete_room(room=room)
    elif action in ("up", "down"):
        services.move_room(room=room, offset=-1 if action == "up" else 1)
    else:
        form = RoomForm(request.POST, prefix=f"room-{room.pk}", instance=Room.objects.get(pk=pk))
        save = partial(services.update_room, room=room)
        _save_unchanged(form, Room, pk, save, error_field="name")
        if form.errors:
            room_errors = {room.pk: form}
            return _setup_response(request, event, "rooms", room_errors=room_errors)
    return _after_write(request, event, "rooms")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def rooms_renumber(request, slug):
    event = get_event_for_facilitator(request, slug)
    services.renumber_rooms(event=event)
    return _after_write(request, event, "rooms")


@require_POST
@vary_on_headers("HX-Request")
@login_required
@idempotent
def slot_add(request, slug):
    event = get_event_for_facilitator(request, slug)
    form = TimeSlotForm(request.POST, prefix="slot")
    if form.is_valid():
        try:
            services.add_time_slot(event=event, **form.cleaned_data)
        except services.SetupError as error:
            form.add_error(None, str(error))
    if form.errors:
        return _setup_response(request, event, "slots", slot_form=form)
    idempotency.done(request)
    return _after_write(request, event, "slots")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def slot_edit(request, slug, pk):
    event = get_event_for_facilitator(request, slug)
    slot = get_object_or_404(TimeSlot, pk=pk, event=event)
    slot.event = event
    if request.POST.get("action") == "delete":
        services.delete_time_slot(slot=slot)
        return _after_write(request, event, "slots")
    form = TimeSlotForm(
        request.POST, prefix=f"slot-{slot.pk}", instance=TimeSlot.objects.get(pk=pk)
    )
    _save_unchanged(form, TimeSlot, pk, partial(services.update_time_slot, slot=slot))
    if form.errors:
        return _setup_response(request, event, "slots", slot_errors={slot.pk: form})
    return _after_write(request, event, "slots")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def slots_renumber(request, slug):
    event = get_event_for_facilitator(request, slug)
    services.renumber_time_slots(event=event)
    return _after_write(request, event, "slots")


@require_POST
@vary_on_headers("HX-Request")
@login_required
@idempotent
def run_sheet_add(request, slug):
    event = get_event_for_facilitator(request, slug)
    form = RunSheetItemForm(request.POST, prefix="item")
    if form.is_valid():
        services.add_run_sheet_item(event=event, **form.cleaned_data)
        idempotency.done(request)
        return _after_write(request, event, "run-sheet")
    return _setup_response(request, event, "run-sheet", run_sheet_form=form)


@require_POST
@vary_on_headers("HX-Request")
@login_required
def run_sheet_edit(request, slug, pk):
    event = get_event_for_facilitator(request, slug)
    item = get_object_or_404(RunSheetItem, pk=pk, event=event)
    item.event = event
    form = RunSheetItemForm(
        request.POST, prefix=f"item-{item.pk}", instance=RunSheetItem.objects.get(pk=pk)
    )
    _save_unchanged(form, RunSheetItem, pk, partial(services.update_run_sheet_item, item=item))
    if form.errors:
        return _setup_response(request, event, "run-sheet", run_sheet_errors={item.pk: form})
    return _after_write(request, event, "run-sheet")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def run_sheet_delete(request, slug, pk):
    event = get_event_for_facilitator(request, slug)
    item = get_object_or_404(RunSheetItem, pk=pk, event=event)
    item.event = event
    services.delete_run_sheet_item(item=item)
    return _after_write(request, event, "run-sheet")


@require_POST
@vary_on_headers("HX-Request")
@login_required
def participant_remove(request, slug, pk):
    event = get_event_for_facilitator(request, slug)
    participant = get_object_or_404(Participant.objects.active(), pk=pk, event=event)
    participant.event = event
    services.remove_participant(participant=participant)
    messages.success(request, _("%(name)s was removed.") % {"name": participant.name})
    return _after_write(request, event, "participants")


@require_POST
@vary_on_headers("HX-Request")
@login_required
@idempotent
def invite_create(request, slug):
    event = get_event_for_facilitator(request, slug)
    services.create_invite(event=event, user=request.user)
    idempotency.done(request)
    return _after_write(request, event, "facilitators")


@require_http_methods(["GET", "POST"])
def invite_accept(request, token):
    """A colleague opens the invitation: log in or create an account, and co-facilitate."""
    invite = get_object_or_404(FacilitatorInvite.objects.select_related("event"), token=token)
    if invite.accepted_at is not None and invite.accepted_by_id != request.user.pk:
        messages.error(request, _("This invitation has already been used."))
        return redirect("login")
    signup_form = None
    if request.user.is_authenticated:
        if request.method == "POST":
            event = services.accept_invite(invite=invite, user=request.user)
            messages.success(
                request, _("You now co-facilitate %(title)s.") % {"title": event.title}
            )
            return redirect("events:facilitate", slug=event.slug)
    else:
        if request.method == "POST" and (wait := ratelimit.count(request, "account")):
            return ratelimit.too_many(request, wait)
        signup_form = UserCreationForm(request.POST or None)
        if request.method == "POST" and signup_form.is_valid():
            user = signup_form.save()
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            event = services.accept_invite(invite=invite, user=user)
            messages.success(
                request, _("You now co-facilitate %(title)s.") % {"title": event.title}
            )
            return redirect("events:facilitate", slug=event.slug)
    return render(request, "events/invite.html", {"invite": invite, "signup_form": signup_form})


@require_http_methods(["GET", "POST"])
@login_required
@idempotent
def event_duplicate(request, slug):
    """The next meeting of a series, from this one."""
    event = get_event_for_facilitator(request, slug)
    form = DuplicateForm(request.POST or None, initial={"title": event.title, "date": event.date})
    if request.method == "POST" and form.is_valid():
        copy = services.duplicate_event(event=event, user=request.user, **form.cleaned_data)
        idempotency.done(request)
        messages.success(request, _("The new meeting is created."))
        return redirect("events:facilitate", slug=copy.slug)
    return render(request, "events/duplicate.html", {"event": event, "form": form})
