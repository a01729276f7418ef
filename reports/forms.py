from django import forms
from django.utils.translation import gettext_lazy as _

from openspace.forms import Textarea
from openspace.text import one_line

from .models import Report, ReportComment


class ReportForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Report
        fields = [
            "participant_count",
            "participant_names",
            "discussion",
            "insights",
            "proposals",
            "other",
        ]
        widgets = {
            "participant_names": Textarea(attrs={"rows": 2, "dir": "auto"}),
            "discussion": Textarea(attrs={"rows": 6, "dir": "auto"}),
            "insights": Textarea(attrs={"rows": 4, "dir": "auto"}),
            "proposals": Textarea(attrs={"rows": 4, "dir": "auto"}),
            "other": Textarea(attrs={"rows": 3, "dir": "auto"}),
            "participant_count": forms.NumberInput(
                attrs={"min": 0, "max": 5000, "inputmode": "numeric"}
            ),
        }
        help_texts = {
            "discussion": _(
                "A blank line starts a new paragraph; lines starting with “- ” become a list."
            ),
        }

    def clean_participant_count(self):
        count = self.cleaned_data.get("participant_count")
        if count is not None and count > 5000:
            raise forms.ValidationError(_("That is more people than the event has."))
        return count


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif,.heic"}
        ),
        error_messages={
            "required": _("Choose a photo to send."),
            # A photo that never finished saving on the phone, or a failed copy.
            "empty": _("The file is empty (0 bytes). Choose the photo again."),
        },
    )
    caption = forms.CharField(label=_("Caption (optional)"), max_length=300, required=False)

    def clean_caption(self):
        return one_line(self.cleaned_data["caption"])


class CaptionForm(forms.Form):
    """A new caption for a photo already added."""

    caption = forms.CharField(label=_("Caption"), max_length=300, required=False)

    def clean_caption(self):
        return one_line(self.cleaned_data["caption"])


class CommentForm(forms.ModelForm):
    class Meta:
        model = ReportComment
        fields = ["text"]
        labels = {"text": _("Your comment")}
        widgets = {"text": Textarea(attrs={"rows": 2, "maxlength": 1000, "dir": "auto"})}

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Write a comment first."))
        return text
