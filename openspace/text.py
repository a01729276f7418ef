"""Text helpers every app needs."""

import unicodedata

from django.utils import text

# Letters that Unicode does not decompose into a base letter and a mark, so Django's
# slugify drops them: "Fremtidens ældrepleje" would become "fremtidens-ldrepleje" and
# "Møde på Ærø" "mde-pa-r". Spelled as people write them without the letter (å, ä, ö
# and é decompose, and slugify keeps their base letter).
_SPELLED_OUT = str.maketrans(
    {"æ": "ae", "Æ": "Ae", "ø": "oe", "Ø": "Oe", "œ": "oe", "Œ": "Oe", "ß": "ss",
     "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "Th", "ł": "l", "Ł": "L"}
)  # fmt: skip


def slugify(value) -> str:
    """Django's slugify, keeping the Nordic letters it would drop (æ → ae, ø → oe)."""
    return text.slugify(str(value).translate(_SPELLED_OUT))


# Unicode's explicit direction controls: embeddings and overrides (U+202A-U+202E) and
# isolates (U+2066-U+2069). One typed into a name turns around the text after it wherever
# the name stands in a line: a participant named "Bo\u202e" made a comment's time 18:13
# read "31:81" under their name. Nobody types them on a phone, and Arabic or Hebrew needs
# none of them (dir="auto" on the page does that); the marks U+200E and U+200F stay.
_DIRECTION_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


# Control characters (C0, DEL, C1): a name typed with ESC or BEL in it (pasted from a
# terminal, or sent on purpose) showed as empty boxes in the documentation PDF. NUL
# stays: Django's form fields refuse it with a message of their own. _LINE_CONTROLS keeps the
# white space ones (one_line makes them spaces), TEXT_CONTROLS only tab and line feed
# (openspace.forms.Textarea, after turning CR LF into LF).
_ALL_CONTROLS = [*range(0x01, 0x20), *range(0x7F, 0xA0)]
_LINE_CONTROLS = dict.fromkeys(code for code in _ALL_CONTROLS if not chr(code).isspace())
TEXT_CONTROLS = dict.fromkeys(code for code in _ALL_CONTROLS if chr(code) not in "\t\n")


def visible(value: str) -> bool:
    """Whether anything in `value` shows: a name of zero-width spaces, joiners or marks
    only (U+200B, U+200D, U+2060, U+FEFF) is as blank as one of spaces."""
    return any(unicodedata.category(char)[0] not in "CZ" for char in value)


def one_line(value: str) -> str:
    """A one-line field as it is kept: no direction or other control characters, each run
    of white space one space, none at the ends (a value with nothing visible becomes '')."""
    value = " ".join(value.translate(_DIRECTION_CONTROLS).translate(_LINE_CONTROLS).split())
    return value if visible(value) else ""
