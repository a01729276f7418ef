import re

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from agenda.models import Room, TimeSlot
from openspace.concurrency import GuardedModelForm
from openspace.forms import Textarea
from openspace.text import one_line, slugify

from .models import Event, Participant, Phase, RunSheetItem

# A text field, not type="time": browsers show type="time" in 12-hour form in some
# locales, and the product uses the 24-hour clock everywhere. 13:45 and 13.45 both parse.
TIME = forms.TimeInput(
    attrs={
        "placeholder": "13:45",
        "inputmode": "numeric",
        "pattern": r"[0-2]?[0-9][:.][0-5][0-9]",
        "size": 5,
        "autocomplete": "off",
    },
    format="%H:%M",
)
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# Django's message names the "slug": say what the short address may hold, with an example.
SLUG_INVALID = _("Use only the letters a–z, digits and hyphens, without spaces, as in network-5.")


def free_slug(title: str) -> str:
    """A short address made from `title` that no event has yet."""
    base = slugify(title)[:40].strip("-") or "event"
    slug = base
    while Event.objects.filter(slug=slug).exists():
        slug = f"{base}-{get_random_string(4, 'abcdefghjkmnpqrstuvwxyz23456789')}"
    return slug


class EventForm(GuardedModelForm):
    class Meta:
        model = Event
        fields = [
            "title",
            "slug",
            "theme_question",
            "purpose",
            "description",
            "date",
            "start_time",
            "end_time",
            "venue",
            "language",
            "principles",
            "participant_visibility",
        ]
        widgets = {
            "date": DATE,
            "start_time": TIME,
            "end_time": TIME,
            "theme_question": Textarea(attrs={"rows": 2}),
            "purpose": Textarea(attrs={"rows": 3}),
            "description": Textarea(attrs={"rows": 3}),
            "principles": Textarea(attrs={"rows": 6}),
        }
        error_messages = {"slug": {"invalid": SLUG_INVALID}}
        help_texts = {
            "slug": _(
                "Part of the event's address, as in /e/network-5/. Letters, digits and "
                "hyphens. Changing it stops links and QR codes with the old address from "
                "working: print the poster again."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk is None:
            self.fields["slug"].help_text = _(
                "Part of the event's address, as in /e/network-5/. "
                "Leave empty to make one from the title."
            )
            self.fields["principles"].help_text = _(
                "One per line, in the event's language: edit them as you like. "
                "Left empty, the usual principles and the law of two feet are used."
            )
        for name in ("title", "theme_question", "venue", "purpose", "description"):
            self.fields[name].widget.attrs["dir"] = "auto"
        self._offer_default_principles()

    def _offer_default_principles(self):
        """Pre-fill the principles in the event's language, and give static/js/events.js
        the text in every language, so untouched principles follow a change of language."""
        from .services import default_principles  # services imports nothing from forms

        attrs = self.fields["principles"].widget.attrs
        attrs["data-principles-for"] = self.add_prefix("language")
        for code, _name in Event._meta.get_field("language").choices:
            attrs[f"data-default-{code}"] = default_principles(code)
        if self.instance.pk is None and not self.is_bound:
            language = self.initial.get("language") or Event._meta.get_field("language").default
            self.initial.setdefault("principles", default_principles(language))

    def clean_title(self):
        title = one_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Give the event a title."))
        return title

    def clean_venue(self):
        return one_line(self.cleaned_data["venue"])

    def clean_slug(self):
        slug = self.cleaned_data.get("slug", "")
        if not slug:
            if self.instance.pk:
                return self.instance.slug
            slug = free_slug(self.data.get("title", ""))
        return slug

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The event must end after it starts."))
        return data


class RoomForm(GuardedModelForm):
    # A room for more people than any venue holds is a typo (an extra zero or two).
    MAX_CAPACITY = 10_000

    class Meta:
        model = Room
        fields = ["name", "location_hint", "capacity"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capacity = self.fields["capacity"]
        # 0 is refused by the database (an empty field means "no limit"): say so here, in
        # the person's words, rather than let the model name its constraint.
        capacity.validators.append(
            MinValueValidator(
                1, message=_("Give at least 1 place, or leave the field empty for no limit.")
            )
        )
        capacity.validators.append(MaxValueValidator(self.MAX_CAPACITY))
        capacity.widget.attrs.update(min=1, max=self.MAX_CAPACITY)

    def clean_name(self):
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Give the room a name."))
        return name

    def clean_location_hint(self):
        return one_line(self.cleaned_data["location_hint"])


class TimeSlotForm(GuardedModelForm):
    class Meta:
        model = TimeSlot
        fields = ["label", "starts_at", "ends_at"]
        widgets = {"starts_at": TIME, "ends_at": TIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["label"].required = False
        self.fields["label"].help_text = _("For example “Round 1”.")

    def clean_label(self):
        return one_line(self.cleaned_data["label"])

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("A time slot must end after it starts."))
        return data


class RunSheetItemForm(GuardedModelForm):
    class Meta:
        model = RunSheetItem
        fields = ["phase", "label", "starts_at", "ends_at"]
        widgets = {"starts_at": TIME, "ends_at": TIME}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A break or lunch is in no phase: say so rather than offer "---------".
        self.fields["phase"].choices = [("", _("None (a break)")), *Phase.choices]

    def clean_label(self):
        return one_line(self.cleaned_data["label"])

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end and end <= start:
            self.add_error("ends_at", _("An item of the run sheet must end after it starts."))
        return data


class DuplicateForm(forms.Form):
    title = forms.CharField(label=_("Title of the new meeting"), max_length=200)
    date = forms.DateField(label=_("Date"), widget=DATE)
    slug = forms.SlugField(
        label=_("Short address"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to make one from the title."),
        error_messages={"invalid": SLUG_INVALID},
    )

    def clean_title(self):
        title = one_line(self.cleaned_data["title"])
        if not title:
            raise forms.ValidationError(_("Give the event a title."))
        return title

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug and Event.objects.filter(slug=slug).exists():
            raise forms.ValidationError(_("That address is already in use."))
        if not slug:
            slug = free_slug(self.data.get("title", ""))
        return slug


class JoinCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Join code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_code(self):
        # People type codes with spaces, dashes and in lower case.
        return re.sub(r"[\s\-_.]", "", self.cleaned_data["code"]).upper()


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["name", "organisation"]
        labels = {"name": _("Your name"), "organisation": _("Organisation (optional)")}
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "name", "dir": "auto"}),
            "organisation": forms.TextInput(attrs={"autocomplete": "organization", "dir": "auto"}),
        }

    def clean_name(self):
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Write the name others will see."))
        return name

    def clean_organisation(self):
        return one_line(self.cleaned_data["organisation"])


RETENTION_MAX_DAYS = 3650


class PrivacySettingsForm(GuardedModelForm):
    """The event's privacy settings (events/privacy.py). The notice is pre-filled with
    the standard text; saved untouched, it stays the standard text."""

    class Meta:
        model = Event
        fields = [
            "privacy_controller",
            "retention_days",
            "privacy_notice",
            "accessibility_statement_url",
        ]
        widgets = {
            "privacy_notice": Textarea(attrs={"rows": 14, "dir": "auto"}),
            "privacy_controller": forms.TextInput(attrs={"dir": "auto"}),
            "retention_days": forms.NumberInput(attrs={"min": 0, "max": RETENTION_MAX_DAYS}),
        }

    def __init__(self, *args, **kwargs):
        from .privacy import privacy_notice_text  # privacy imports nothing from forms

        super().__init__(*args, **kwargs)
        self.fields["retention_days"].validators.append(MaxValueValidator(RETENTION_MAX_DAYS))
        self.fields["privacy_notice"].help_text = _(
            "Pre-filled with the standard text in the event's language. Saved unchanged or "
            "emptied, it keeps following the language, the responsible organiser and the "
            "retention period."
        )
        if not self.is_bound:
            self.initial["privacy_notice"] = privacy_notice_text(self.instance)

    def clean_privacy_controller(self):
        return one_line(self.cleaned_data["privacy_controller"])


class DeleteEventForm(forms.Form):
    confirmation = forms.CharField(
        label=_("The event's short address"),
        max_length=60,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )
