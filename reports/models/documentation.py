"""The documentation of an event: the organisers' texts and the rendered PDF files.

DocumentationSettings holds what the organisers write or choose for the document
(the summary is the action plan's ClosingSummary, edited on the same page).
DocumentationRender is one rendered PDF per event and variant, reused while the
event has not changed (its key is Event.version plus the settings' revision).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from events.models import Event

__all__ = ["DocumentationRender", "DocumentationSettings", "PdfVariant", "RenderStatus"]


class DocumentationSettings(models.Model):
    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="documentation")
    intro = models.TextField(
        _("introduction"),
        max_length=5000,
        blank=True,
        help_text=_("A few words to the reader, printed after the cover."),
    )
    # Blank means "use the event's purpose": the document follows the event
    # until the organisers decide to word it differently for the readers.
    purpose = models.TextField(
        _("purpose"),
        max_length=5000,
        blank=True,
        help_text=_("Leave empty to use the purpose written for the event."),
    )
    include_comments = models.BooleanField(_("include comments on the reports"), default=False)
    published = models.BooleanField(
        _("participants may read and download the documentation"),
        default=False,
        help_text=_("Once the event is closed, participants can always read it."),
    )
    # Bumped on every save, so a cached PDF made with older texts is not reused.
    revision = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("documentation settings")
        verbose_name_plural = _("documentation settings")

    def __str__(self) -> str:
        return str(self.event)


class PdfVariant(models.TextChoices):
    # Tagged PDF/UA-1: the default, for reading with assistive technology.
    ACCESSIBLE = "accessible", _("Accessible PDF (PDF/UA)")
    # PDF/A-2b: for archives (diarium, e-archive).
    ARCHIVAL = "archival", _("Archival PDF (PDF/A)")


class RenderStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Being made")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class DocumentationRender(models.Model):
    """The latest rendered PDF of one variant of an event's documentation."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documentation_pdfs")
    variant = models.CharField(max_length=20, choices=PdfVariant, default=PdfVariant.ACCESSIBLE)
    # "<event version>.<settings revision>" at the time the render was asked for.
    key = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=RenderStatus, default=RenderStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    file = models.FileField(upload_to="documentation/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    error = models.TextField(blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("documentation PDF")
        verbose_name_plural = _("documentation PDFs")
        constraints = [
            models.UniqueConstraint(fields=["event", "variant"], name="one_render_per_variant")
        ]

    def __str__(self) -> str:
        return f"{self.event} ({self.variant}, {self.key})"
