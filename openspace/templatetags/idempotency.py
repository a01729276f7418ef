"""{% idempotency_key %}: the hidden key of a create form (openspace/idempotency.py)."""

from django import template
from django.utils.html import format_html

from openspace.idempotency import FIELD, new_key

register = template.Library()


@register.simple_tag
def idempotency_key(key="") -> str:
    """<input type="hidden" name="idempotency_key" value="…">, a fresh key each time
    (or `key`: the stand-in of a page frame, openspace.live.render_framed)."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, key or new_key())
