"""The participants' way in: the join code, the name, coming back on another phone,
their own page, and the join QR code and poster; with the site's addresses that other
apps' views print. The facilitators' pages are in events/setup_views.py."""

import io

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods, require_safe

from openspace import idempotency, live, ratelimit
from openspace.idempotency import idempotent, new_key

from . import services
from .access import (
    event_for_join_code,
    event_view,
    get_event_or_404,
)
from .forms import (
    JoinCodeForm,
    ParticipantForm,
)
from .identity import forget_participant, get_participant, remember_participant
from .models import Participant


def _safe_next(request, fallback: str) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: redirect() would take "topic" for a URL name (a 500).
    if candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def site_url(request) -> str:
    """The app's public address: SITE_URL, or the scheme and host the request came to."""
    return settings.SITE_URL or f"{request.scheme}://{request.get_host()}"


def absolute_url(request, path: str) -> str:
    return site_url(request) + path


def join_address(request) -> str:
    """Where to type a join code, as posters and walls print it: without "https://"."""
    return absolute_url(request, reverse("events:join")).split("://", 1)[-1]


# -- participants ----------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])  # HEAD: the address printed on posters
def join(request):
    """Type the short join code from the wall or poster."""
    form = JoinCodeForm(request.POST or None)
    # The same page for everyone who speaks the language: rendered once per process.
    store = live.kept(f"join-code-page:{translation.get_language()}", None)
    if page := live.framed_form(request, store, "events/join_code.html", {"form": form}, {}):
        return page
    if request.method == "POST":
        # Only wrong codes count: a whole venue types the right one through one address.
        if wait := ratelimit.blocked(request, "join-code"):
            return ratelimit.too_many(request, wait)
        if form.is_valid():
            event = event_for_join_code(form.cleaned_data["code"])
            if event is not None:
                return redirect("events:join-event", slug=event.slug)
            ratelimit.count(request, "join-code")
            form.add_error(
                "code", _("No event has that code. Check the letters on the wall or the poster.")
            )
    return render(request, "events/join_code.html", {"form": form})


def _rejoin(request, record, response):
    """A replayed join sets the cookie again: the first answer, and its cookie, were lost."""
    participant = Participant.objects.active().filter(pk=record.object_id).first()
    if participant is not None:
        remember_participant(request, response, participant)
    return response


@require_http_methods(["GET", "HEAD", "POST"])  # HEAD: the address printed on posters
@idempotent(replay=_rejoin)
def join_event(request, slug):
    """Give a name (and organisation) and you are in. No account, no password."""
    event = get_event_or_404(slug)
    home = reverse("agenda:home", kwargs={"slug": event.slug})
    next_url = _safe_next(request, home)
    if get_participant(request, event) is not None:
        return redirect(next_url)
    form = ParticipantForm(request.POST or None)
    if request.method == "POST" and (wait := ratelimit.count(request, "join")):
        return ratelimit.too_many(request, wait)
    if request.method == "POST" and event.accepts_participants and form.is_valid():
        try:
            participant = services.join_event(
                event=event,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
            )
        except services.SetupError as error:
            form.add_error(None, str(error))
        else:
            response = redirect(next_url)
            remember_participant(request, response, participant)
            messages.success(request, _("Welcome, %(name)s!") % {"name": participant.name})
            idempotency.done(request, participant)
            return response
    context = {"event": event, "form": form, "next": next_url if next_url != home else ""}
    # The same page for everyone until the event itself changes: only the form's key
    # and the CSRF token are put in per request.
    key = f"join-page:{event.pk}:{translation.get_language()}"
    store = live.kept(key, live.event_values(event))
    holes = {"form_key": new_key()}
    if page := live.framed_form(request, store, "events/join.html", context, holes):
        return page
    return render(request, "events/join.html", context)


@require_http_methods(["GET", "POST"])
def resume(request, slug, token):
    """The personal resume link: continue as yourself on another device."""
    event = get_event_or_404(slug)
    participant = Participant.objects.active().filter(event=event, token=token).first()
    if participant is None:
        messages.error(request, _("This link no longer works. Join again with your name."))
        return redirect("events:join-event", slug=event.slug)
    current = get_participant(request, event)
    if current is not None and current.pk != participant.pk and request.method == "GET":
        return render(
            request,
            "events/resume_confirm.html",
            {"event": event, "participant": participant, "current": current},
        )
    response = redirect("agenda:home", slug=event.slug)
    remember_participant(request, response, participant)
    return response


@require_http_methods(["GET", "POST"])
@event_view(while_locked=True)
def me(request, *, event, viewer):
    """Your name, your resume link, and leaving this device."""
    participant = viewer.participant
    if participant is None:  # a facilitator who has not joined as a participant
        return redirect("events:join-event", slug=event.slug)
    form = ParticipantForm(instance=participant)
    if request.method == "POST":
        if request.POST.get("action") == "forget":
            response = redirect("events:join-event", slug=event.slug)
            forget_participant(request, response, event)
            return response
        form = ParticipantForm(request.POST, instance=participant)
        if form.is_valid():
            services.rename_participant(
                participant=participant,
                name=form.cleaned_data["name"],
                organisation=form.cleaned_data["organisation"],
            )
            messages.success(request, _("Saved."))
            return redirect("events:me", slug=event.slug)
        participant.refresh_from_db()
    return render(
        request,
        "events/me.html",
        {
            "event": event,
            "viewer": viewer,
            "form": form,
            "nav": "me",
            "resume_url": absolute_url(request, participant.get_resume_url()),
        },
    )


@require_safe
@cache_control(public=True, max_age=3600)
def qr_svg(request, slug):
    """The QR code of the event's join link, for the wall and the poster."""
    event = get_event_or_404(slug)
    url = absolute_url(request, reverse("events:join-event", kwargs={"slug": event.slug}))
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=10, border=2, dark="#000", light="#fff", xmldecl=False
    )
    return HttpResponse(buffer.getvalue(), content_type="image/svg+xml")


@require_safe
@event_view(facilitator_required=True)
def poster(request, *, event, viewer):
    """An A4 join poster to print: title, theme, QR code, address and join code."""
    # Without "https://": shorter to read off the wall and to type.
    join_url = join_address(request)
    return render(
        request,
        "events/poster.html",
        {
            "event": event,
            # Set large inside one translatable sentence, so translators choose the word order.
            "join_url_html": format_html('<span class="poster__url">{}</span>', join_url),
            "join_code_html": format_html('<span class="poster__code">{}</span>', event.join_code),
            "event_url": absolute_url(
                request, reverse("events:join-event", kwargs={"slug": event.slug})
            ),
        },
    )
