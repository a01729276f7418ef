"""Session reports, their photos and comments (the news wall)."""

import secrets

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agenda.models import Topic
from events.models import Event, Participant

__all__ = ["Report", "ReportComment", "ReportPhoto", "REPORT_SECTIONS"]


def new_write_token() -> str:
    return secrets.token_urlsafe(18)


# The text fields of the report template, in the order people fill them in.
REPORT_SECTIONS = [
    ("discussion", _("What was discussed")),
    ("insights", _("Conclusions or insights")),
    ("proposals", _("Proposals and next steps")),
    ("other", _("Anything else")),
]


class ReportQuerySet(models.QuerySet):
    def published(self):
        return self.filter(
            published_at__isnull=False, hidden_at__isnull=True, topic__withdrawn_at__isnull=True
        )


class Report(models.Model):
    """The report of one session (rapportblad). Plain text: blank lines make
    paragraphs, lines starting with "- " make bullet lists (docs/reports.md)."""

    topic = models.OneToOneField(Topic, on_delete=models.CASCADE, related_name="report")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="reports")
    participant_count = models.PositiveIntegerField(_("how many took part"), null=True, blank=True)
    participant_names = models.TextField(_("who took part"), max_length=3000, blank=True)
    discussion = models.TextField(_("what was discussed"), max_length=20000, blank=True)
    insights = models.TextField(_("conclusions or insights"), max_length=20000, blank=True)
    proposals = models.TextField(_("proposals and next steps"), max_length=20000, blank=True)
    other = models.TextField(_("anything else"), max_length=20000, blank=True)
    # Every save bumps the version; a save based on an older version is a conflict.
    version = models.PositiveIntegerField(default=1)
    # The link the convener hands to the person at the flipchart.
    write_token = models.CharField(max_length=40, unique=True, default=new_write_token)
    published_at = models.DateTimeField(null=True, blank=True)
    # Hidden by a facilitator (reports/moderation.py): not shown as published to anyone
    # but its writers and the facilitators; publishing again does not show it.
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_edited_by = models.CharField(max_length=200, blank=True)
    # Who that is, when a participant: a new name or deleting their data must reach
    # every report they edited, and only theirs (two people may share a name).
    last_editor = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports_edited",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self) -> str:
        return str(self.topic)

    def get_absolute_url(self) -> str:
        return reverse("reports:report", kwargs={"slug": self.event.slug, "pk": self.topic_id})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.hidden_at is None

    def sections(self) -> list[tuple[str, str, str]]:
        """(field name, heading, text) of the filled-in text sections, in order."""
        return [
            (name, heading, getattr(self, name))
            for name, heading in REPORT_SECTIONS
            if getattr(self, name).strip()
        ]

    def get_write_url(self) -> str:
        url = reverse("reports:report-edit", kwargs={"slug": self.event.slug, "pk": self.topic_id})
        return f"{url}?key={self.write_token}"


def photo_path(instance, filename: str) -> str:
    return f"reports/{instance.report.event_id}/{secrets.token_hex(12)}.jpg"


def thumbnail_path(instance, filename: str) -> str:
    return f"reports/{instance.report.event_id}/{secrets.token_hex(12)}-thumb.jpg"


class ReportPhoto(models.Model):
    """A photo of a flipchart, re-encoded: no metadata survives the upload."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to=photo_path, width_field="width", height_field="height")
    thumbnail = models.ImageField(upload_to=thumbnail_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    position = models.PositiveIntegerField(default=0)
    # Who added it, when a participant: a photo may show people, and the person who took
    # it is to find it among their data (events/privacy.py). None for a facilitator.
    uploaded_by = models.ForeignKey(
        Participant,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="photos_uploaded",
        editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("photo")
        verbose_name_plural = _("photos")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.caption or self.image.name


class ReportComment(models.Model):
    """A short comment on a report (DA: the sheet hung back with its comments)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="comments")
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.SET_NULL, related_name="comments"
    )
    author_name = models.CharField(max_length=200, blank=True)
    text = models.TextField(_("comment"), max_length=1000)
    hidden = models.BooleanField(_("hidden by a facilitator"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
