"""Form pieces every app uses."""

from django import forms

from .text import TEXT_CONTROLS, visible


class Textarea(forms.Textarea):
    """A textarea whose line breaks count as one character each, as the browser counts them.

    Browsers send a textarea's line breaks as CRLF, two characters, while its
    `maxlength` counts each as one: a comment typed right up to the limit on the phone,
    with a few line breaks in it, was refused as too long by the server. The value is
    normalised to LF before any validation sees it. Control characters other than line
    breaks and tabs go too (they showed as empty boxes in the documentation PDF); NUL
    stays, for the form field's own message. A text of which nothing shows (zero-width
    spaces, joiners) is empty, as one of spaces is: a required field then says so.
    """

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n").translate(TEXT_CONTROLS)
            if not visible(value):
                value = ""
        return value
