import uuid

from django import forms
from django.utils.formats import time_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from openspace.concurrency import BaseField
from openspace.forms import Textarea
from openspace.text import one_line

from .models import Topic

UNPLACED = ""


def cell_value(room, slot) -> str:
    return f"{room.pk}-{slot.pk}"


def cell_label(room, slot) -> str:
    return _("%(code)s · %(room)s, %(slot)s %(start)s–%(end)s") % {
        "code": f"{room.code}{slot.number}",
        "room": room.name,
        "slot": slot.label,
        "start": time_format(slot.starts_at),
        "end": time_format(slot.ends_at),
    }


class CellChoiceField(forms.ChoiceField):
    """A room × time slot of the event, as "roomid-slotid", or unplaced.

    `places` (agenda.queries.Places), or a function giving it, gives the cells offered.
    A function is called only when the cells are needed: posting an unplaced topic,
    the common case in a marketplace, then costs no query for them. Any room and slot
    of the event is accepted, and the database's one-topic-per-cell rule settles the
    rest.
    """

    def __init__(self, *, places, unplaced_label=None, **kwargs):
        self._places = places
        unplaced = (UNPLACED, unplaced_label or _("No place yet: the facilitator places it"))

        def choices():
            cells = self.places.cells
            return [unplaced] + [
                (cell_value(room, slot), cell_label(room, slot)) for room, slot in cells
            ]

        super().__init__(choices=choices, required=False, **kwargs)

    @cached_property
    def places(self):
        return self._places() if callable(self._places) else self._places

    def valid_value(self, value):
        # Not only the cells offered: one taken since the form was drawn is checked in
        # clean() and then by the database, which says "someone else just took it".
        return True

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None, None
        rooms = {str(room.pk): room for room in self.places.rooms}
        slots = {str(slot.pk): slot for slot in self.places.slots}
        room_id, _sep, slot_id = value.partition("-")
        if room_id not in rooms or slot_id not in slots:
            raise forms.ValidationError(_("That place does not exist in this event."))
        return rooms[room_id], slots[slot_id]


class TopicForm(forms.ModelForm):
    # A fresh key per rendered form: a double-tapped submit posts the same key twice.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    base = BaseField()  # editing: the topic as the person saw it (openspace.concurrency)

    class Meta:
        model = Topic
        fields = ["title", "description", "co_convener"]
        labels = {
            "title": _("Your topic: a question or a few words"),
            "description": _("A few words more (optional)"),
            "co_convener": _("Co-convener (optional)"),
        }
        widgets = {
            "title": forms.TextInput(attrs={"dir": "auto", "autocomplete": "off"}),
            "description": Textarea(attrs={"rows": 3, "dir": "auto"}),
            "co_convener": forms.TextInput(attrs={"dir": "auto"}),
        }

    def __init__(self, *args, places=None, with_cell=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", uuid.uuid4().hex)
        if with_cell:
            self.fields["cell"] = CellChoiceField(places=places, label=_("Where and when"))

    def clean_title(self):
        title = one_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Give your topic a title."))
        return title

    def clean_co_convener(self):
        return one_line(self.cleaned_data["co_convener"])


def move_value(cell) -> str:
    """A "Move to…" option: the cell, and the session its page showed there.

    "roomid-slotid:topicid", or "roomid-slotid:" for a cell shown free. The menu is drag
    and drop without JavaScript, and says what it saw per cell as a drop does with its
    `occupant` field: a cell filled by someone else since is not swapped away unseen.
    """
    return f"{cell_value(cell.room, cell.slot)}:{cell.topic.pk if cell.topic else ''}"


class MoveForm(forms.Form):
    """Where to move a topic, and what the mover's page showed there.

    `seen` is the id of the session the page showed in the chosen cell ("" for free),
    or None when the request does not say (an older page): then a taken cell swaps.
    """

    occupant = forms.CharField(required=False)  # drag and drop says it apart from the cell

    def __init__(self, *args, grid, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"] = CellChoiceField(
            places=grid.places(), label=_("Move to"), unplaced_label=_("Unplaced")
        )
        if self.is_bound:
            # The menu's options carry what their page saw: "roomid-slotid:topicid".
            cell, said, seen = self.data.get("cell", "").partition(":")
            if said:
                self.data = self.data.copy()
                self.data["cell"] = cell
                self.data["occupant"] = seen
            self.said = bool(said) or "occupant" in self.data

    def clean(self):
        cleaned = super().clean()
        cleaned["seen"] = cleaned.get("occupant", "") if self.said else None
        return cleaned


class TopicChoiceForm(forms.Form):
    """Pick another topic of the same event (to swap or merge with)."""

    other = forms.TypedChoiceField(coerce=int, label=_("Topic"))

    def __init__(self, *args, topics, exclude, **kwargs):
        super().__init__(*args, **kwargs)
        self.topics = {t.pk: t for t in topics if t.pk != exclude.pk}
        self.fields["other"].choices = [
            (pk, f"{t.code} {t.title}".strip()) for pk, t in self.topics.items()
        ]

    def clean_other(self):
        return self.topics[self.cleaned_data["other"]]
