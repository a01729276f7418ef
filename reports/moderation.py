"""Moderation: facilitators hide any content of their event, and show it again.

Hidden content is gone for everyone else, from every page, wall, export and the
documentation PDF, but nothing is deleted: a mistake is undone on the moderation
page. Together with locking the event (events.services.set_locked: read only for
participants) this is what a facilitator has against unwanted posts.

- topic: withdrawn as well, so it leaves the grid and its cell; its sign-ups stay;
- report: no longer counts as published, and publishing it again does not show it;
- comment and closing reflection: their own hidden flags (reports/services.py,
  reports/action_plan.py), listed here too;
- initiative: left out of the board, the ladder, the wall, the CSV and the PDF.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agenda.models import Topic
from events.models import Event

from . import action_plan
from . import services as report_services
from .models import Initiative, Reflection, Report, ReportComment

KINDS = {
    "topic": gettext_lazy("Topic"),
    "report": gettext_lazy("Report"),
    "comment": gettext_lazy("Comment"),
    "initiative": gettext_lazy("Initiative"),
    "reflection": gettext_lazy("Closing reflection"),
}


class ModerationError(Exception):
    """The change could not be made as asked; the message is for the facilitator."""


# -- the permission-checked getter ------------------------------------------------------


def get_content(event: Event, kind: str, pk: int):
    """The item of this event, hidden or not; None if there is none (the view: 404)."""
    if kind == "topic":
        # Not withdrawn by its convener (withdrawn_at alone): that is theirs to undo.
        return (
            Topic.objects.filter(event=event, pk=pk)
            .exclude(withdrawn_at__isnull=False, hidden_at__isnull=True)
            .first()
        )
    if kind == "report":
        return Report.objects.filter(event=event, pk=pk).select_related("topic").first()
    if kind == "comment":
        return ReportComment.objects.filter(report__event=event, pk=pk).first()
    if kind == "initiative":
        return Initiative.objects.filter(
            event=event, pk=pk, withdrawn_at__isnull=True, merged_into__isnull=True
        ).first()
    if kind == "reflection":
        return Reflection.objects.filter(event=event, pk=pk).first()
    return None


# -- writes -------------------------------------------------------------------------------


@transaction.atomic
def set_hidden(*, event: Event, kind: str, item, hidden: bool) -> str:
    """Hide or show one item; returns a sentence for the facilitator."""
    if kind == "topic":
        return _set_topic_hidden(event, item, hidden)
    if kind == "comment":
        item.report.event = event
        report_services.moderate_comment(comment=item, action="hide" if hidden else "show")
    elif kind == "reflection":
        item.event = event
        action_plan.hide_reflection(reflection=item, hidden=hidden)
    else:  # report, initiative
        item.hidden_at = timezone.now() if hidden else None
        item.save(update_fields=["hidden_at", "updated_at"])
        event.touch()
    return _("It is hidden.") if hidden else _("It is shown again.")


def _set_topic_hidden(event: Event, topic: Topic, hidden: bool) -> str:
    now = timezone.now()
    if hidden:
        if topic.hidden_at is None:
            Topic.objects.filter(pk=topic.pk).update(
                hidden_at=now, withdrawn_at=now, updated_at=now
            )
            event.touch()
        return _("It is hidden.")
    if topic.hidden_at is None:
        return _("It is shown again.")
    message = _("It is shown again.")
    try:
        with transaction.atomic():  # its cell may have been taken while it was hidden
            Topic.objects.filter(pk=topic.pk).update(
                hidden_at=None, withdrawn_at=None, updated_at=now
            )
    except IntegrityError:
        Topic.objects.filter(pk=topic.pk).update(
            hidden_at=None, withdrawn_at=None, updated_at=now, room=None, time_slot=None
        )
        message = _("It is shown again, without a place: its place was taken meanwhile.")
    event.touch()
    return message


# -- reads --------------------------------------------------------------------------------


@dataclass
class HiddenItem:
    kind: str
    pk: int
    text: str
    author: str
    hidden_at: object

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])


def hidden_content(event: Event) -> list[HiddenItem]:
    """Everything hidden at this event, the latest first (five queries)."""
    items = [
        HiddenItem(
            "topic", t.pk, t.title, t.convener.display_name if t.convener else "", t.hidden_at
        )
        for t in Topic.objects.filter(event=event, hidden_at__isnull=False).select_related(
            "convener"
        )
    ]
    items += [
        HiddenItem("report", r.pk, r.topic.title, r.last_edited_by, r.hidden_at)
        for r in Report.objects.filter(event=event, hidden_at__isnull=False).select_related("topic")
    ]
    items += [
        HiddenItem("comment", c.pk, c.text, c.author_name, c.created_at)
        for c in ReportComment.objects.filter(report__event=event, hidden=True)
    ]
    items += [
        HiddenItem("initiative", i.pk, i.what, i.who, i.hidden_at)
        for i in Initiative.objects.filter(event=event, hidden_at__isnull=False)
    ]
    items += [
        HiddenItem("reflection", r.pk, r.text, "", r.hidden_at)
        for r in Reflection.objects.filter(event=event, hidden_at__isnull=False)
    ]
    return sorted(items, key=lambda item: item.hidden_at, reverse=True)
