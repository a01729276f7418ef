"""The moderation page: the lock, and everything hidden, to show again; and the one
endpoint that hides or shows any item (reports/moderation.py)."""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST, require_safe

from events.access import event_view

from . import moderation


@require_safe
@event_view(facilitator_required=True)
def moderation_page(request, *, event, viewer):
    return render(
        request,
        "reports/moderation.html",
        {
            "event": event,
            "viewer": viewer,
            "nav": "facilitate",
            "hidden": moderation.hidden_content(event),
        },
    )


@require_POST
@event_view(facilitator_required=True)
def moderate(request, kind, pk, *, event, viewer):
    """Hide (hidden=1) or show (hidden=0) one item of this event; 404 for another's."""
    if kind not in moderation.KINDS:
        raise Http404
    item = moderation.get_content(event, kind, pk)
    if item is None:
        raise Http404
    hidden = request.POST.get("hidden", "1") == "1"
    messages.success(
        request, moderation.set_hidden(event=event, kind=kind, item=item, hidden=hidden)
    )
    target = request.POST.get("next", "")
    if not (
        target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        target = reverse("reports:moderation", kwargs={"slug": event.slug})
    return HttpResponseRedirect(target)
