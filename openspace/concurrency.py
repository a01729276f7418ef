"""Edits that must not silently overwrite each other, for rows without a version column.

An edit form carries `base`: a fingerprint of the editable fields as the person saw
them. The save locks the row and compares: if someone else changed those fields
since, and this save would change them again, it raises EditConflict instead of
writing. The view then shows what is stored now beside what the person typed (kept
in the form) and hands them the new fingerprint, so that saving again is a choice.
Reports have a version column and their own check (reports/services.py).
"""

import hashlib
import json
from collections.abc import Iterable

from django import forms
from django.db import models


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
    return str(value)


def rebase(form: forms.Form, base: str) -> None:
    """Put the new fingerprint into a bound form, so its next save is deliberate."""
    form.data = form.data.copy()
    form.data["base"] = base
