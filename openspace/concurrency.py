"""Edits that must not silently overwrite each other, for rows without a version column.

An edit form carries `base`: a fingerprint of the editable fields as the person saw
them. The save locks the row and compares: if someone else changed those fields
since, and this save would change them again, it raises EditConflict instead of
writing. The view then shows what is stored now beside what the person typed (kept
in the form) and hands them the new fingerprint, so that saving again is a choice.
Reports have a version column and their own check (reports/services.py).
"""

import datetime
import hashlib
import json
from collections.abc import Iterable

from django import forms
from django.db import models
from django.template.defaultfilters import yesno
from django.utils import formats
from django.utils.text import Truncator
from django.utils.translation import gettext as _


def fingerprint(values: Iterable) -> str:
    """A short digest of `values` (str() of each; None as "")."""
    text = json.dumps(["" if value is None else str(value) for value in values])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class EditConflict(Exception):
    """Someone changed the row since `base`; `current` is the row as stored now."""

    def __init__(self, current: models.Model, base: str):
        super().__init__("edit conflict")
        self.current = current
        self.base = base  # the fingerprint of `current`: what a deliberate second save sends


def check_base(current: models.Model, base: str, stored: list, wanted: list) -> None:
    """Raise EditConflict if the fields (`stored` from the locked row `current`) changed
    since `base` and this save (`wanted`, the same fields) would change them again.
    An empty base (a form from before this check) is not checked."""
    now = fingerprint(stored)
    if base and base != now and fingerprint(wanted) != now:
        raise EditConflict(current, now)


class BaseField(forms.CharField):
    """The hidden `base` of an edit form."""

    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, required=False, max_length=64, **kwargs)


def conflict_context(form: forms.Form, message: str, theirs: dict, base: str) -> dict:
    """For templates/includes/edit_conflict.html: `message`, and (label, what is stored
    now) for each field of `theirs` whose stored value differs from what the person
    typed (kept in the form). The form gets the new base: saving again is deliberate."""
    rows = [
        (form.fields[name].label, _text(value))
        for name, value in theirs.items()
        if _text(form.cleaned_data.get(name)) != _text(value)
    ]
    rebase(form, base)
    return {"message": message, "rows": rows}


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value)
    return str(value).replace("\r\n", "\n")  # browsers send a textarea's lines with CRLF


def rebase(form: forms.Form, base: str) -> None:
    """Put the new fingerprint into a bound form, so its next save is deliberate."""
    form.data = form.data.copy()
    form.data[form.add_prefix("base")] = base


class GuardedModelForm(forms.ModelForm):
    """A ModelForm that does not save over a change made since it was drawn.

    Drawn for a stored row, it carries `base`. After is_valid() the view locks the row
    and asks unchanged_since_drawn(stored) right before writing: if someone else
    changed the form's fields meanwhile, the answer is False and the form has an error
    saying what is stored now, keeps what was typed, and takes the new fingerprint.
    `base` is not in cleaned_data (views pass cleaned_data on to services).
    """

    base = BaseField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_value = ""
        if self.instance.pk is not None and not self.is_bound:
            self.initial["base"] = fingerprint(self._guarded(self.instance).values())

    def _guarded(self, obj) -> dict:
        """The form's model fields on `obj`, by name, in the form's order. A form with
        fields stored elsewhere adds them (`obj` is self.instance for what was typed)."""
        names = {field.name for field in obj._meta.concrete_fields}
        return {
            name: obj._meta.get_field(name).value_from_object(obj)
            for name in self._meta.fields
            if name in names
        }

    def clean(self):
        cleaned = super().clean()
        self.base_value = cleaned.pop("base", "") or ""
        return cleaned

    def unchanged_since_drawn(self, stored) -> bool:
        """False (with the error put on the form) if `stored`, the row locked for this
        save, changed since the form was drawn; True if it may be saved. None: no row."""
        if stored is None:
            return True
        theirs, mine = self._guarded(stored), self._guarded(self.instance)
        try:
            check_base(stored, self.base_value, list(theirs.values()), list(mine.values()))
        except EditConflict as conflict:
            summary = "; ".join(
                f"{self.fields[name].label}: {_shown(stored, name, theirs[name]) or '—'}"
                for name in theirs
                if _text(theirs[name]) != _text(mine[name])
            )
            self.add_error(
                None,
                _(
                    "Someone else saved this while you were editing it. What you typed is "
                    "kept: save again to keep it. Stored now: %(stored)s"
                )
                % {"stored": summary},
            )
            rebase(self, conflict.base)
            return False
        return True


def _shown(obj, name: str, value) -> str:
    """A field's stored `value` as a person reads it (a choice by its label), cut short."""
    display = getattr(obj, f"get_{name}_display", None)
    if display:
        text = str(display())
    elif isinstance(value, bool):
        text = yesno(value)
    elif isinstance(value, datetime.date | datetime.time):
        text = formats.localize(value)
    else:
        text = _text(value)
    return Truncator(text).chars(160)
