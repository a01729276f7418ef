"""Text helpers every app needs."""

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
