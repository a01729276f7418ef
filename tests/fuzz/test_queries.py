"""Hostile query strings at every page (filters, tabs, ?next=, ?topic= ...): no 500.

Not forms, but read the same way: `?round=²` passed str.isdigit() and then failed int().
"""

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests.security.test_every_url import concrete, patterns

from .conftest import EXAMPLES, FUZZ, rolled_back
from .strategies import hostile_text
from .world import ROLES

pytestmark = pytest.mark.django_db

KEYS = ["round", "room", "show", "view", "variant", "topic", "next", "key", "mine", "tab", "page"]
NUMBERS = ["1", "0", "-1", "²", "٣", "１２", "9" * 5000, str(2**64), "1e3", " 2", "0x1"]
LANGUAGES = [
    "sv",
    "da",
    "nb",
    "no",
    "nn",
    "en",
    "de",
    "sv-SE,sv;q=0.9",
    "*",
    "x" * 500,
    "q=",
    ";;,,",
]
ADDRESSES = ["203.0.113.9", "203.0.113.9, 10.0.0.1", "::1", "not-an-ip", ",,,", "1.2.3.4" * 100]
# PDFs are rendered by WeasyPrint: seconds each, and they read no free-form query value.
SLOW = (".pdf",)


def as_wsgi(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


def get_paths(world) -> list[tuple[str, str]]:
    values = {
        "slug": world.event.slug,
        "pk": world.topic.pk,
        "photo_pk": world.photo.pk,
        "token": world.participant.token,
        "name": "nothing.jpg",
        "path": "nothing.jpg",
        "kind": "comment",
    }
    paths = []
    for name, route in patterns():
        path = concrete(route, values)
        if path is not None and not path.endswith(SLOW):
            paths.append((name, path))
    return paths


value = st.one_of(st.sampled_from(NUMBERS), hostile_text(), st.lists(hostile_text(), max_size=3))


@hypothesis_settings(FUZZ, max_examples=max(3, EXAMPLES // 2))
@given(
    role=st.sampled_from(ROLES),
    query=st.fixed_dictionaries(
        {}, optional={key: value for key in KEYS} | {"x\x00": value, "": value}
    ),
    htmx=st.booleans(),
    headers=st.fixed_dictionaries(
        {},
        optional={
            "Accept-Language": st.one_of(st.sampled_from(LANGUAGES), hostile_text()),
            "If-None-Match": hostile_text(),
            "X-Forwarded-For": st.one_of(st.sampled_from(ADDRESSES), hostile_text()),
            "X-Requested-With": st.sampled_from(["fetch", "XMLHttpRequest", ""]),
        },
    ),
    language_cookie=st.one_of(st.none(), st.sampled_from(LANGUAGES), hostile_text()),
)
def test_hostile_query_strings(world, role, query, htmx, headers, language_cookie):
    """The same query string and headers at every page (a page draw would rarely meet
    its key)."""
    # As a WSGI server hands them on: the bytes sent, decoded as Latin-1.
    headers = {name: as_wsgi(value) for name, value in headers.items()}
    if htmx:
        headers["HX-Request"] = "true"
    client = world.client(role)
    if language_cookie is not None:
        client.cookies["lang"] = as_wsgi(language_cookie)
    with rolled_back():
        for name, path in get_paths(world):
            response = client.get(path, query, headers=headers)
            assert response.status_code < 500, name


STR_ARGUMENTS = [
    "%00",
    "a%00b",
    "%ED%A0%80",
    "%C0%AF",
    "..%2F..%2Fetc%2Fpasswd",
    "x" * 300,
    "%F0%9F%98%80",
]


@pytest.mark.parametrize("argument", STR_ARGUMENTS)
def test_hostile_text_in_the_path(world, argument):
    """Tokens and file names in the address (<str:...>): NUL bytes reach the database and
    the file system, broken UTF-8 the decoder."""
    values = {"slug": world.event.slug, "pk": world.topic.pk, "photo_pk": world.photo.pk}
    values |= {"token": argument, "name": argument, "path": argument, "kind": argument}
    for role in ROLES:
        client = world.client(role)
        for name, route in patterns():
            if not any(
                f":{arg}>" in route or f"<{arg}>" in route
                for arg in ("token", "name", "path", "kind")
            ):
                continue
            path = concrete(route, values)
            for method in (client.get, client.post):
                with rolled_back():
                    response = method(path)
                    assert response.status_code < 500, f"{role} {name} {path}"
