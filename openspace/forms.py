"""Form pieces every app uses."""

from django import forms


class Textarea(forms.Textarea):
    """A textarea whose line breaks count as one character each, as the browser counts them.

    Browsers send a textarea's line breaks as CRLF, two characters, while its
    `maxlength` counts each as one: a comment typed right up to the limit on the phone,
    with a few line breaks in it, was refused as too long by the server. The value is
    normalised to LF before any validation sees it.
    """

    def value_from_datadict(self, data, files, name):
        value = super().value_from_datadict(data, files, name)
        if isinstance(value, str):
            value = value.replace("\r\n", "\n").replace("\r", "\n")
        return value
