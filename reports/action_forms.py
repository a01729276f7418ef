"""Forms for the action plan, the ladder and the closing circle.

They check shape and length; the domain rules live in reports/action_plan.py,
whose errors the views put back on these forms.
"""

from __future__ import annotations

import secrets

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agenda.models import Topic
from events.models import Event
from openspace.concurrency import BaseField
from openspace.forms import Textarea
from openspace.text import one_line

from . import action_plan
from .models import InitiativeState, LadderStep, Level


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Topic) -> str:
        return f"{obj.code} {obj.title}" if obj.is_placed else obj.title


class InitiativeForm(forms.Form):
    who = forms.CharField(
        label=_("Who takes it"),
        max_length=action_plan.WHO_MAX,
        required=False,
        help_text=_("Your name and organisation; change it if someone else takes it."),
    )
    what = forms.CharField(
        label=_("What"),
        max_length=action_plan.WHAT_MAX,
        widget=Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write what the initiative is.")},
    )
    levels = forms.MultipleChoiceField(
        label=_("Level"),
        # Lazy: an f-string here would fix the labels in the language active at import.
        choices=[
            (level.value, format_lazy("{} – {}", level.value, level.label)) for level in Level
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("One or more: F prepare, G carry out, U explore."),
        error_messages={
            "required": _("Choose at least one level."),
            "invalid_choice": _("Choose the level from F, G and U."),
        },
    )
    when = forms.CharField(
        label=_("When"),
        max_length=action_plan.WHEN_MAX,
        required=False,
        help_text=_("For example “next week”, “in August” or a date."),
    )
    topic = TopicChoiceField(
        label=_("Grew from the session"),
        queryset=Topic.objects.none(),
        required=False,
        empty_label=_("(none)"),
    )
    guests = forms.CharField(
        label=_("Others who join but are not in the app"),
        max_length=action_plan.GUESTS_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 2}),
        help_text=_("One name per line."),
    )
    key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    base = BaseField()  # editing: the initiative as the person saw it (openspace.concurrency)

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = (
            Topic.objects.active()
            .filter(event=event)
            .select_related("room", "time_slot")
            .order_by("room__position", "time_slot__number", "title", "pk")
        )
        if not self.is_bound and not self.initial.get("key"):
            self.initial["key"] = secrets.token_urlsafe(16)

    # One-line fields that stand in a line with others' names on the board and the wall.
    def clean_who(self):
        return one_line(self.cleaned_data["who"])

    def clean_when(self):
        return one_line(self.cleaned_data["when"])


class LadderForm(forms.Form):
    step = forms.TypedChoiceField(
        label=_("Step"),
        choices=[("", _("Not on the ladder")), *LadderStep.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    next_step = forms.CharField(
        label=_("What it takes to climb one step"),
        max_length=action_plan.LADDER_NEXT_STEP_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 2}),
    )
    # Set by dragging: the place within the step (0 = first).
    position = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    # What "what it takes" was when the form was drawn (action_plan.next_step_base).
    base = BaseField()


class StateForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=InitiativeState.choices)


class MergeForm(forms.Form):
    target = forms.TypedChoiceField(label=_("Merge into"), coerce=int)

    def __init__(self, *args, choices: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices


class ReflectionForm(forms.Form):
    text = forms.CharField(
        label=_("Your reflection"),
        max_length=action_plan.REFLECTION_MAX,
        widget=Textarea(attrs={"rows": 3}),
        help_text=_("A word or a sentence about the day."),
        error_messages={"required": _("Write a word or a sentence.")},
    )
    anonymous = forms.BooleanField(label=_("Show it without my name"), required=False)


class SummaryForm(forms.Form):
    text = forms.CharField(
        label=_("Summary"),
        max_length=action_plan.SUMMARY_MAX,
        required=False,
        widget=Textarea(attrs={"rows": 8}),
        help_text=_("Goes into the documentation before the reflections."),
    )
