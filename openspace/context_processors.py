import functools

from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import get_language_info

# What each language is called in itself, in the language menu. Django's "norsk (bokmål)"
# is the longest entry and was cut off on a phone with large text; Norwegians write
# "norsk bokmål" (as Språkrådet and the operating systems do).
NAMES_LOCAL = {"nb": "Norsk bokmål"}


@functools.cache
def language_choices(codes: tuple[str, ...]) -> list[tuple[str, str]]:
    """Each language by its own name, the same on every page: worked out once."""
    return [
        (code, NAMES_LOCAL.get(code) or capfirst(get_language_info(code)["name_local"]))
        for code in codes
    ]


def site(request):
    return {
        "LANGUAGE_CHOICES": language_choices(tuple(code for code, _name in settings.LANGUAGES)),
        "ACCESSIBILITY_STATEMENT_URL": getattr(settings, "ACCESSIBILITY_STATEMENT_URL", ""),
    }
