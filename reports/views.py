from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import time_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django.views.decorators.vary import vary_on_headers

from agenda.models import Topic
from events.access import event_view
from events.views import absolute_url, join_address
from openspace import idempotency, live
from openspace.idempotency import idempotent
from openspace.live import no_extra, with_etag
from openspace.ratelimit import rate_limit

from . import documentation, queries, services
from .forms import CaptionForm, CommentForm, PhotoForm, ReportForm
from .models import ReportComment, ReportPhoto
from .photos import MAX_BYTES, PhotoError

SESSION_KEYS = "report_write_keys"


def _topic(event, pk) -> Topic:
    topic = get_object_or_404(
        Topic.objects.active().select_related("convener", "room", "time_slot"), pk=pk, event=event
    )
    topic.event = event
    return topic


def can_write(request, viewer, topic, report=None) -> bool:
    """Conveners, facilitators, and whoever holds the report's write link."""
    if viewer.is_facilitator:
        return True
    if viewer.participant is not None and topic.convener_id == viewer.participant.pk:
        return True
    return topic.pk in request.session.get(SESSION_KEYS, [])


def get_report_for_writer(request, viewer, event, pk):
    """The topic's report if this person may write it (403 otherwise, 404 for other events)."""
    topic = _topic(event, pk)
    report = services.report_for(topic)
    key = request.GET.get("key") or request.POST.get("key")
    if key and key == report.write_token and viewer.participant is not None:
        keys = request.session.get(SESSION_KEYS, [])
        if topic.pk not in keys:
            request.session[SESSION_KEYS] = [*keys, topic.pk]
    if not can_write(request, viewer, topic, report):
        raise PermissionDenied
    return report


def _small_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 9


def _author(viewer) -> str:
    return viewer.participant.display_name if viewer.participant else _("a facilitator")


def _cards(request, event, viewer, round_number: int | None, room_code: str | None):
    """The news wall's cards as HTML and the version they show.

    The unfiltered wall, which every phone polls, is rendered once per event version,
    language and role (openspace.live.shared_render); a filtered one is rendered for
    its request (filters are many, and need not push the shared renders from the cache).
    """
    unfiltered = round_number is None and room_code is None
    key = (
        f"news-wall:{event.pk}:{translation.get_language()}:{int(viewer.is_facilitator)}"
        if unfiltered
        else ""
    )
    if key and (
        shared := live.shared_render(key, event, since=live.coalesce_since(request, viewer))
    ):
        return shared["html"], shared["version"]
    reports = queries.news_wall(
        event,
        round_number=round_number,
        room_code=room_code,
        include_hidden=viewer.is_facilitator,
    )
    html = render_to_string("reports/wall.html#card_list", {"event": event, "reports": reports})
    if key:
        live.share_render(key, event, html=html)
    return html, event.version


def _wall_extra(request) -> str:
    return request.GET.urlencode()


@require_safe
@vary_on_headers("HX-Request", "If-None-Match")
@event_view(poll_etag_extra=_wall_extra)
def wall(request, *, event, viewer, etag):
    """The news wall: every published report, in session-code order."""
    round_number = request.GET.get("round", "")
    room_code = request.GET.get("room", "")[:4]
    cards_html, version = _cards(
        request,
        event,
        viewer,
        # ASCII digits, a few: "²".isdigit() is true but int() refuses it (a 500).
        int(round_number) if _small_number(round_number) and int(round_number) else None,
        # A room code is letters and digits (a NUL byte in a query is a 500 on PostgreSQL).
        room_code if room_code.isalnum() else None,
    )
    etag, response = live.render_etag(request, event, viewer, etag, version, _wall_extra(request))
    if response:
        return response
    context = {
        "event": event,
        "viewer": viewer,
        "cards_html": cards_html,
        # Published before the event is closed: a link here (once it is closed, every
        # page of the event has one, events/event_base.html).
        "documentation_published": not request.htmx
        and viewer.participant is not None
        and not viewer.is_facilitator
        and not event.is_closed
        and documentation.get_documentation_settings(event).published,
        "rooms": list(event.rooms.all()),
        "slots": list(event.time_slots.all()),
        "round": round_number,
        "room": room_code,
        "nav": "reports",
        "etag": etag,
    }
    template = "reports/wall.html#cards" if request.htmx else "reports/wall.html"
    return with_etag(render(request, template, context), etag)


@require_safe
@event_view()
def report(request, pk, *, event, viewer):
    """A report's own page: published for everyone, the draft for those who write it."""
    topic = _topic(event, pk)
    report = queries.report_page(event, pk, include_hidden=viewer.is_facilitator)
    writer = can_write(request, viewer, topic)
    if report is None or not (report.is_published or writer):
        if writer and services.writing_open(event, by_facilitator=viewer.is_facilitator):
            return redirect("reports:report-edit", slug=event.slug, pk=pk)
        raise Http404
    return render(
        request, "reports/report.html", _report_context(request, event, viewer, topic, report)
    )


def _report_context(request, event, viewer, topic, report, comment_form=None) -> dict:
    writer = can_write(request, viewer, topic)
    return {
        "event": event,
        "viewer": viewer,
        "topic": topic,
        "report": report,
        # Its writers read a draft; after the event is closed only facilitators change it.
        "can_write": writer,
        "can_edit": writer and services.writing_open(event, by_facilitator=viewer.is_facilitator),
        "comments_open": services.comments_open(event),
        "comment_form": comment_form if comment_form is not None else CommentForm(),
        "nav": "reports",
    }


def _closed_for(event, viewer) -> bool:
    """The event is closed and this writer is no facilitator: the report stays as it is."""
    return not services.writing_open(event, by_facilitator=viewer.is_facilitator)


def _conflict_fields(form, current):
    """(label, your text, stored text) of the fields that differ."""
    rows = []
    for name in services.FIELDS:
        mine = form.data.get(name, "").replace("\r\n", "\n")
        theirs = getattr(current, name)
        theirs = "" if theirs is None else str(theirs)
        if mine.strip() != theirs.strip():
            rows.append((form.fields[name].label, mine, theirs))
    return rows


@require_http_methods(["GET", "POST"])
@event_view()
@rate_limit("report")
def report_edit(request, pk, *, event, viewer):
    report = get_report_for_writer(request, viewer, event, pk)
    form = ReportForm(request.POST or None, instance=report, initial={"version": report.version})
    conflict = None
    if _closed_for(event, viewer):
        if request.method != "POST":
            return redirect(report)  # its page says why it can no longer be changed
        # Sent from a page opened before the event was closed: the text is shown again,
        # not saved, with why (nothing typed is lost).
        form.is_valid()
        form.add_error(None, services.closed_message())
        return _report_form_page(request, event, viewer, report, form=form, status=403)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        try:
            report = services.save_report(
                report=report,
                base_version=form.cleaned_data["version"],
                fields=form.cleaned_data,
                author=_author(viewer),
                editor=viewer.participant,
                publish=publish,
                by_facilitator=viewer.is_facilitator,
            )
        except services.ReportsClosed as error:  # closed while the form was sent
            form.add_error(None, str(error))
            return _report_form_page(request, event, viewer, report, form=form, status=403)
        except services.ReportConflict as error:
            conflict = _conflict_fields(form, error.current)
            # The next save, after merging, is based on what is stored now.
            form.data = form.data.copy()
            form.data["version"] = error.current.version
        else:
            messages.success(
                request, _("The report is published.") if publish else _("Draft saved.")
            )
            if publish:
                return redirect(report)
            return redirect("reports:report-edit", slug=event.slug, pk=pk)
    return _report_form_page(request, event, viewer, report, form=form, conflict=conflict)


def _report_form_page(
    request, event, viewer, report, *, form, conflict=None, photo_form=None, status=200
):
    return render(
        request,
        "reports/report_form.html",
        {
            "event": event,
            "viewer": viewer,
            "topic": report.topic,
            "report": report,
            "form": form,
            "conflict": conflict,
            "photos": list(report.photos.all()),
            "photo_form": photo_form if photo_form is not None else PhotoForm(),
            "max_bytes": MAX_BYTES,
            "write_url": absolute_url(request, report.get_write_url()),
            "nav": "reports",
            # Said on the page, not as a message: a message was said twice after a save
            # (before the redirect and after it), and after the event was closed too.
            "before_rounds": not (event.reports_open or event.is_closed or viewer.is_facilitator),
            "closed": _closed_for(event, viewer),
        },
        status=status,
    )


@require_POST
@event_view(json=True)
@rate_limit("report", json=True)
def report_autosave(request, pk, *, event, viewer):
    """Drafts saved as people type (JSON). 409 with the stored text on a conflict."""
    report = get_report_for_writer(request, viewer, event, pk)
    if _closed_for(event, viewer):  # the page keeps the text; it says why it was not saved
        message = services.closed_message()
        return JsonResponse(
            {"errors": {"__all__": [{"message": message, "code": "closed"}]}}, status=403
        )
    form = ReportForm(request.POST, instance=report)
    if not form.is_valid():
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    try:
        report = services.save_report(
            report=report,
            base_version=form.cleaned_data["version"],
            fields=form.cleaned_data,
            author=_author(viewer),
            editor=viewer.participant,
            by_facilitator=viewer.is_facilitator,
        )
    except services.ReportsClosed as error:  # closed while the text was sent
        return JsonResponse(
            {"errors": {"__all__": [{"message": str(error), "code": "closed"}]}}, status=403
        )
    except services.ReportConflict as error:
        current = error.current
        return JsonResponse(
            {
                "conflict": True,
                "message": str(error),
                "version": current.version,
                "fields": {
                    name: "" if getattr(current, name) is None else str(getattr(current, name))
                    for name in services.FIELDS
                },
            },
            status=409,
        )
    return JsonResponse(
        {"version": report.version, "saved_at": time_format(timezone.localtime(), "H:i")}
    )


@require_POST
@event_view()
@rate_limit("photo")
@idempotent
def photo_upload(request, pk, *, event, viewer):
    """Add a photo (JPEG, PNG, WebP, HEIC). Answers a fragment to scripts, redirects forms."""
    report = get_report_for_writer(request, viewer, event, pk)
    is_script = request.headers.get("X-Requested-With") == "fetch"
    if _closed_for(event, viewer):
        if is_script:
            return HttpResponse(
                services.closed_message(), content_type="text/plain; charset=utf-8", status=403
            )
        messages.error(request, services.closed_message())
        return redirect(report)
    # Refuse a huge body before reading it. A malformed length is none (Django's own
    # parser does the same); int() on it was a 500.
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    error = ""
    form = None
    if length > MAX_BYTES + 512 * 1024:
        error = _("The photo is larger than 20 MB. Take it again or send a smaller one.")
    else:
        form = PhotoForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.add_photo(
                    report=report,
                    upload=form.cleaned_data["photo"],
                    caption=form.cleaned_data["caption"],
                    uploader=viewer.participant,
                    by_facilitator=viewer.is_facilitator,
                )
            except PhotoError as exc:
                error = str(exc)
        else:
            # What is wrong: no file, an empty one, or a caption over 300 characters.
            error = " ".join(message for errors in form.errors.values() for message in errors)
    if not error:
        idempotency.done(request)
    if is_script:
        if error:
            return HttpResponse(
                error,
                content_type="text/plain; charset=utf-8",
                status=413 if length > MAX_BYTES else 400,
            )
        return render(
            request,
            "reports/report_form.html#photos",
            {"event": event, "report": report, "photos": list(report.photos.all())},
        )
    if error:
        return _refused_photo_page(request, event, viewer, report, form, error)
    messages.success(request, _("The photo is added."))
    return redirect("reports:report-edit", slug=event.slug, pk=pk)


def _refused_photo_page(request, event, viewer, report, form, error):
    """The report page again (a form sent without scripts), with what is wrong under the
    file field and the caption kept. A message at the top of the page said it far from
    the field and lost the caption. No browser keeps the chosen file: it is chosen again."""
    if form is None:  # too large to read: nothing of it is kept
        form = PhotoForm(data={})
        form.errors["photo"] = form.error_class([error])
    elif form.is_valid():  # the file is no photo that can be read
        form.add_error("photo", error)
    report_form = ReportForm(instance=report, initial={"version": report.version})
    return _report_form_page(request, event, viewer, report, form=report_form, photo_form=form)


@require_POST
@event_view()
@idempotent
def photo_edit(request, pk, photo_pk, *, event, viewer):
    """Caption, move or delete a photo. Idempotent per form key: "Move up" tapped twice
    by a flaky network (the same form sent twice) moves the photo once."""
    report = get_report_for_writer(request, viewer, event, pk)
    photo = get_object_or_404(ReportPhoto, pk=photo_pk, report=report)
    photo.report = report
    if _closed_for(event, viewer):
        messages.error(request, services.closed_message())
        return redirect(report)
    action = request.POST.get("action", "caption")
    if action == "delete":
        services.delete_photo(photo=photo, by_facilitator=viewer.is_facilitator)
    elif action in ("up", "down"):
        services.move_photo(
            photo=photo, offset=-1 if action == "up" else 1, by_facilitator=viewer.is_facilitator
        )
    else:
        # Through a form: a raw caption let NUL bytes through (a 500 on PostgreSQL).
        form = CaptionForm(request.POST)
        if not form.is_valid():
            messages.error(request, " ".join(form.errors["caption"]))
            return redirect("reports:report-edit", slug=event.slug, pk=pk)
        services.update_photo(
            photo=photo, caption=form.cleaned_data["caption"], by_facilitator=viewer.is_facilitator
        )
    idempotency.done(request)
    return redirect("reports:report-edit", slug=event.slug, pk=pk)


@require_http_methods(["GET", "POST"])
@event_view()
@rate_limit("comment")
@idempotent
def comment_add(request, pk, *, event, viewer):
    topic = _topic(event, pk)  # 404 for a session not of this event, GET or POST
    if request.method == "GET":
        # A refused comment is answered at this address (the report with the error); a
        # reload of it, or a link to it, goes back to the report.
        return redirect("reports:report", slug=event.slug, pk=pk)
    report = queries.report_page(event, pk)
    if report is None or not report.is_published:
        raise Http404
    if viewer.participant is None:
        raise PermissionDenied
    form = CommentForm(request.POST)
    if not services.comments_open(event):
        # Sent from a page opened before the event was closed: the page says so, and
        # shows the text that was not added.
        form.is_valid()
        return render(
            request,
            "reports/report.html",
            _report_context(request, event, viewer, topic, report, comment_form=form),
            status=403,
        )
    if form.is_valid():
        try:
            services.add_comment(
                report=report, participant=viewer.participant, text=form.cleaned_data["text"]
            )
        except services.ReportError as error:
            messages.error(request, str(error))
        else:
            idempotency.done(request)
            messages.success(request, _("Your comment is added."))
            return redirect(f"{report.get_absolute_url()}#comments")
    return render(
        request,
        "reports/report.html",
        _report_context(request, event, viewer, topic, report, comment_form=form),
    )


@require_POST
@event_view(facilitator_required=True)
def comment_moderate(request, pk, *, event, viewer):
    comment = get_object_or_404(
        ReportComment.objects.select_related("report"), pk=pk, report__event=event
    )
    comment.report.event = event
    action = request.POST.get("action", "hide")
    if action not in ("hide", "show", "delete"):
        action = "hide"
    services.moderate_comment(comment=comment, action=action)
    return redirect(f"{comment.report.get_absolute_url()}#comments")


@require_safe
@event_view(facilitator_required=True)
def missing(request, *, event, viewer):
    """Sessions still without a published report, with each one's write link to share."""
    topics = queries.missing_reports(event)
    rows = []
    for topic in topics:
        report = getattr(topic, "report", None) or services.report_for(topic)
        rows.append((topic, report, absolute_url(request, report.get_write_url())))
    return render(
        request,
        "reports/missing.html",
        {"event": event, "viewer": viewer, "rows": rows, "nav": "reports"},
    )


@require_safe
@vary_on_headers("HX-Request", "If-None-Match")
@event_view(poll_etag_extra=no_extra)
def vernissage(request, *, event, viewer, etag):
    """The projector shows the reports one by one, large, in rotation."""
    context = {
        "event": event,
        "viewer": viewer,
        "reports": queries.news_wall(event),
        "etag": etag,
        "join_address": join_address(request),
    }
    template = "reports/vernissage.html#slides" if request.htmx else "reports/vernissage.html"
    return with_etag(render(request, template, context), etag)
