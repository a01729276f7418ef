"""Privacy pages: the event's privacy notice, a participant's own data (see, download,
delete), and the facilitators' privacy settings, anonymisation and event deletion.

Writes are in events/privacy.py. Destructive actions have a confirmation page of
their own, so they work without JavaScript; their POST also needs the field the
confirmation page sends, so a stray POST deletes nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from . import privacy
from .access import event_view, get_event_for_facilitator, get_event_or_404, get_viewer
from .forms import DeleteEventForm, PrivacySettingsForm
from .identity import forget_participant
from .models import Event

CONFIRM_FIELD, CONFIRM_VALUE = "confirm", "yes"


def _confirmed(request) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def _paragraphs(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\r\n", "\n").split("\n\n") if part.strip()]


# -- everyone ---------------------------------------------------------------------------


@require_safe
def privacy_notice(request, slug):
    """The event's privacy notice: readable before joining, linked from the join page."""
    event = get_event_or_404(slug)
    return render(
        request,
        "events/privacy/notice.html",
        {
            "event": event,
            "viewer": get_viewer(request, event),
            "paragraphs": _paragraphs(privacy.privacy_notice_text(event)),
            "kept_until": privacy.names_kept_until(event),
        },
    )


# -- a participant's own data -------------------------------------------------------------


@require_safe
@never_cache
@event_view()
def my_data(request, *, event, viewer):
    """Everything stored about you at this event, with download and delete."""
    if viewer.participant is None:  # a facilitator who has not joined as a participant
        return redirect("events:join-event", slug=event.slug)
    return render(
        request,
        "events/privacy/my_data.html",
        {
            "event": event,
            "viewer": viewer,
            "nav": "me",
            "data": privacy.participant_data(viewer.participant),
        },
    )


@require_safe
@never_cache
@event_view()
def my_data_download(request, *, event, viewer):
    if viewer.participant is None:
        return redirect("events:join-event", slug=event.slug)
    export = privacy.export_participant_data(viewer.participant)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@require_http_methods(["GET", "POST"])
@never_cache
@event_view(while_locked=True)
def my_data_delete(request, *, event, viewer):
    """Delete your data: a confirmation page, then the deletion; this device forgets you."""
    if viewer.participant is None:
        return redirect("events:join-event", slug=event.slug)
    if request.method == "POST" and _confirmed(request):
        privacy.delete_participant_data(participant=viewer.participant)
        messages.success(
            request,
            _("Your data is deleted and this device no longer knows you at this event."),
        )
        response = redirect("events:privacy", slug=event.slug)
        forget_participant(request, response, event)
        return response
    return render(
        request,
        "events/privacy/delete_my_data.html",
        {
            "event": event,
            "viewer": viewer,
            "nav": "me",
            "data": privacy.participant_data(viewer.participant),
            "label": privacy.deleted_label(event),
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
    )


# -- facilitators -----------------------------------------------------------------------


def _settings_context(request, event, **extra):
    return {
        "event": event,
        "viewer": get_viewer(request, event),
        "nav": "facilitate",
        "kept_until": privacy.names_kept_until(event),
        "to_anonymise": event.participants.filter(anonymised_at__isnull=True).count(),
        **extra,
    }


@require_http_methods(["GET", "POST"])
@login_required
def privacy_settings(request, slug):
    """Who is responsible, the notice, the retention period, the accessibility statement."""
    event = get_event_for_facilitator(request, slug)
    if request.method == "POST":
        form = PrivacySettingsForm(request.POST, instance=Event.objects.get(pk=event.pk))
        if form.is_valid():
            with transaction.atomic():
                stored = Event.objects.select_for_update().get(pk=event.pk)
                if form.unchanged_since_drawn(stored):
                    privacy.update_privacy_settings(
                        event=event, **{name: form.cleaned_data[name] for name in form.Meta.fields}
                    )
        if form.is_valid() and not form.errors:
            messages.success(request, _("Saved."))
            return redirect("events:privacy-settings", slug=event.slug)
    else:
        form = PrivacySettingsForm(instance=event)
    return render(
        request, "events/privacy/settings.html", _settings_context(request, event, form=form)
    )


@require_http_methods(["GET", "POST"])
@login_required
def event_anonymise(request, slug):
    """Replace every participant's name now: a confirmation page, then the change."""
    event = get_event_for_facilitator(request, slug)
    if request.method == "POST" and _confirmed(request):
        result = privacy.anonymise_event(event=event)
        if result:
            messages.success(
                request,
                ngettext(
                    "Anonymised: %(count)s participant.",
                    "Anonymised: %(count)s participants.",
                    result.participants,
                )
                % {"count": result.participants},
            )
        else:
            messages.info(request, _("There was nothing left to anonymise."))
        return redirect("events:privacy-settings", slug=event.slug)
    return render(
        request,
        "events/privacy/anonymise.html",
        _settings_context(
            request,
            event,
            label=privacy.anonymous_label(event),
            confirm_field=CONFIRM_FIELD,
            confirm_value=CONFIRM_VALUE,
        ),
    )


@require_http_methods(["GET", "POST"])
@login_required
def event_delete(request, slug):
    """Delete the whole event, once its short address is typed."""
    event = get_event_for_facilitator(request, slug)
    form = DeleteEventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        title = event.title
        try:
            privacy.delete_event(event=event, confirmation=form.cleaned_data["confirmation"])
        except privacy.PrivacyError as error:
            form.add_error("confirmation", str(error))
        else:
            messages.success(request, _("“%(title)s” is deleted.") % {"title": title})
            return redirect("events:dashboard")
    return render(
        request, "events/privacy/delete_event.html", _settings_context(request, event, form=form)
    )
