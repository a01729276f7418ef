"""Views of the documentation and the event's data in and out.

Who may see what (docs/documentation-pdf.md):
- facilitators of the event: everything, at any time (partial documentation works);
- participants of the event: the preview, the PDF and the CSV files once the
  facilitator has published the documentation or the event is closed;
- settings, JSON export and import: facilitators only.
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe
from django.views.decorators.vary import vary_on_headers

from events.access import event_view
from openspace import idempotency
from openspace.concurrency import GuardedModelForm
from openspace.forms import Textarea
from openspace.idempotency import idempotent

from . import action_queries, csv_export, documentation, event_io
from .action_plan import SUMMARY_MAX
from .models.documentation import DocumentationSettings, PdfVariant, RenderStatus


def _may_read(event, viewer) -> bool:
    if viewer.is_facilitator:
        return True
    if viewer.participant is None:
        return False
    doc_settings = documentation.get_documentation_settings(event)
    return doc_settings.published or event.is_closed


def _check_read(event, viewer) -> None:
    if not _may_read(event, viewer):
        raise PermissionDenied(_("The documentation is not published yet."))


def _download(export, *, inline: bool = False) -> HttpResponse:
    response = HttpResponse(export.content, content_type=export.content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{export.filename}"'
    return response


def _variant(request) -> str:
    value = request.GET.get("variant", PdfVariant.ACCESSIBLE)
    return value if value in PdfVariant.values else PdfVariant.ACCESSIBLE


# -- the documentation ------------------------------------------------------------------------


@require_safe
@event_view()
def documentation_preview(request, *, event, viewer):
    _check_read(event, viewer)
    context = documentation.build_context(
        event,
        photo_src=lambda path: reverse(
            "reports:documentation-photo", kwargs={"slug": event.slug, "name": path.split("/")[-1]}
        ),
    )
    context["viewer"] = viewer
    return render(request, "reports/documentation/preview.html", context)


@require_safe
@event_view()
def documentation_pdf(request, *, event, viewer):
    _check_read(event, viewer)
    variant = _variant(request)
    pdf = documentation.request_pdf(event=event, variant=variant)
    if pdf.status == RenderStatus.DONE:
        response = FileResponse(
            pdf.file.open("rb"),
            content_type="application/pdf",
            filename=documentation.pdf_filename(event, variant),
        )
        # Personal data: never kept by shared caches.
        response["Cache-Control"] = "private, no-cache"
        return response
    url = reverse("reports:documentation-status", kwargs={"slug": event.slug})
    return redirect(f"{url}?variant={variant}")


@require_safe
@vary_on_headers("HX-Request")
@event_view()
def documentation_status(request, *, event, viewer):
    _check_read(event, viewer)
    variant = _variant(request)
    pdf = event.documentation_pdfs.filter(variant=variant).first()
    context = {
        "event": event,
        "pdf": pdf,
        "variant": variant,
        "current": pdf is not None and pdf.key == documentation.documentation_key(event),
        "pdf_url": reverse("reports:documentation-pdf", kwargs={"slug": event.slug})
        + f"?variant={variant}",
    }
    template = "reports/documentation/status.html"
    if request.htmx:
        template += "#progress"
    return render(request, template, context)


@require_safe
@event_view()
def documentation_photo(request, name, *, event, viewer):
    """A print-size photo of one of this event's reports (for the preview page)."""
    _check_read(event, viewer)
    path = documentation.print_photo_for_event(event, name)
    if path is None:  # not a photo of this event's reports (another event's: the same)
        raise Http404
    response = FileResponse(path.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    return response


class DocumentationSettingsForm(GuardedModelForm):
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        required=False,
        max_length=SUMMARY_MAX,
        widget=Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("Printed before the closing reflections."),
    )

    class Meta:
        model = DocumentationSettings
        fields = ["intro", "purpose", "summary", "include_comments", "published"]
        widgets = {
            "intro": Textarea(attrs={"rows": 4}),
            "purpose": Textarea(attrs={"rows": 4}),
        }

    def _guarded(self, obj) -> dict:
        # The summary is the action plan's closing summary, stored in its own table.
        values = super()._guarded(obj)
        if obj is self.instance and hasattr(self, "cleaned_data"):
            values["summary"] = self.cleaned_data.get("summary") or ""
        else:
            values["summary"] = action_queries.documentation_summary(self.instance.event)
        return values


@require_http_methods(["GET", "POST"])
@event_view(facilitator_required=True)
def documentation_settings(request, *, event, viewer):
    instance = documentation.get_documentation_settings(event)
    if request.method == "POST":
        form = DocumentationSettingsForm(request.POST, instance=instance)
        if form.is_valid():
            with transaction.atomic():
                stored = None  # never saved yet: nothing to compare with
                if instance.pk is not None:
                    stored = DocumentationSettings.objects.select_for_update().get(pk=instance.pk)
                if form.unchanged_since_drawn(stored):
                    documentation.save_documentation_settings(
                        event=event, user=request.user, **form.cleaned_data
                    )
        if form.is_valid() and not form.errors:
            return redirect("reports:documentation-settings", slug=event.slug)
    else:
        form = DocumentationSettingsForm(
            instance=instance,
            initial={"summary": action_queries.documentation_summary(event)},
        )
    if event.purpose:
        form.fields["purpose"].help_text = _(
            "Leave empty to use the purpose written for the event: “%(purpose)s”"
        ) % {"purpose": Truncator(event.purpose).chars(300)}
    renders = {pdf.variant: pdf for pdf in event.documentation_pdfs.all()}
    return render(
        request,
        "reports/documentation/settings.html",
        {
            "event": event,
            "form": form,
            "doc": instance,
            "renders": renders,
            "current_key": documentation.documentation_key(event),
        },
    )


# -- data in and out --------------------------------------------------------------------------


@require_safe
@event_view(facilitator_required=True)
def event_json(request, *, event, viewer):
    return _download(event_io.export_event_json(event))


@require_safe
@event_view()
def agenda_csv(request, *, event, viewer):
    _check_read(event, viewer)
    return _download(csv_export.export_agenda_csv(event))


@require_safe
@event_view()
def action_plan_csv(request, *, event, viewer):
    _check_read(event, viewer)
    return _download(csv_export.export_action_plan_csv(event))


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Exported event (JSON file)"),
        help_text=gettext_lazy("A file downloaded with “Download the event as JSON”."),
    )
    slug = forms.SlugField(
        label=gettext_lazy("Short address of the new event"),
        required=False,
        max_length=50,
        help_text=gettext_lazy("Leave empty to use the one in the file (made unique)."),
    )


@login_required
@require_http_methods(["GET", "POST"])
@idempotent
def import_event_view(request):
    """Create a new event from an exported file; the person importing facilitates it."""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > event_io.MAX_IMPORT_BYTES:
                    raise event_io.EventImportError(
                        _("The file is too large (%(size)d MB); at most %(limit)d MB.")
                        % {
                            "size": upload.size // (1024 * 1024),
                            "limit": event_io.MAX_IMPORT_BYTES // (1024 * 1024),
                        }
                    )
                event = event_io.import_event(
                    upload.read(),
                    slug=form.cleaned_data["slug"] or None,
                    facilitators=[request.user],
                )
            except event_io.EventImportError as exc:
                form.add_error("file", str(exc))
            else:
                idempotency.done(request)
                return redirect("reports:documentation-settings", slug=event.slug)
        status = 400
    else:
        form = ImportForm()
        status = 200
    return render(request, "reports/documentation/import.html", {"form": form}, status=status)
