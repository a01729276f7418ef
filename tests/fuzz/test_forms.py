"""Hostile input at every form POST of the project, as a participant and as a facilitator.

For each route (tests/fuzz/routes.py) hypothesis draws who posts, the phase of the
event, HTMX or not, and a body: each field of the view's form plausible, hostile,
missing, sent twice or sent as a file, plus junk keys. Properties:
- no 500 (the test client re-raises any exception a view lets through);
- a form that is shown again with errors still holds what the person typed;
- the JSON endpoint answers JSON;
- nothing stored holds a NUL byte or a lone surrogate.
"""

import json
import re

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape
from hypothesis import assume, given
from hypothesis import strategies as st

from events.models import Event, Phase
from openspace.text import TEXT_CONTROLS, visible
from tests.security.test_every_url import concrete, patterns

from .conftest import FUZZ, FUZZ_MORE, rolled_back
from .routes import BY_NAME
from .strategies import payloads, raw_bodies
from .world import ROLES, bad_stored_text

pytestmark = pytest.mark.django_db


def test_every_post_route_is_registered(world):
    """A URL pattern that takes POST and is not in routes.py would escape the fuzzing."""
    values = {
        "slug": world.event.slug,
        "pk": world.topic.pk,
        "photo_pk": world.photo.pk,
        "token": world.invite.token,
        "name": "nothing.jpg",
        "path": "nothing.jpg",
    }
    takes_post, names = set(), set()
    for name, route in patterns():
        names.add(name)
        # Arguments not known here get a placeholder: a GET-only view answers 405 anyway.
        path = concrete(route, values)
        if path is None:
            path = re.sub(r"<int:\w+>", "1", route)
            path = "/" + re.sub(r"<(?:\w+:)?\w+>", "x", path).lstrip("^").rstrip("$")
        for role in ("anonymous", "participant", "facilitator"):
            with rolled_back():
                if world.client(role).post(path).status_code != 405:
                    takes_post.add(name)
                    break
    assert takes_post - set(BY_NAME) == set(), "add these to tests/fuzz/routes.py"
    assert (set(BY_NAME) & names) - takes_post == set(), "these no longer take POST"


def path_of(name: str, world) -> str:
    try:
        return reverse(name, kwargs=BY_NAME[name].kwargs(world))
    except NoReverseMatch:  # registered ahead of a view still being written
        pytest.skip(f"{name} is not in the URL patterns")


def assert_typed_text_kept(response, payload: dict, echo: set[str]) -> None:
    """A page showing a rejected form shows each typed text again (escaped)."""
    if response.status_code not in (200, 400, 422):
        return
    if not response["Content-Type"].startswith("text/html"):
        return
    html = response.content.decode()
    if 'aria-invalid="true"' not in html:
        return
    for name in echo:
        value = payload.get(name)
        if isinstance(value, str) and value.strip() and f'name="{name}"' in html:
            # A textarea gives its line breaks back as the browser sends them, "\n",
            # without other control characters (openspace.forms.Textarea); a one-line
            # field gives back what it got.
            lines = value.replace("\r\n", "\n").replace("\r", "\n").translate(TEXT_CONTROLS)
            if not visible(lines):
                continue
            kept = escape(value) in html or escape(lines) in html
            assert kept, f"{name}: what was typed is lost"


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_hostile_form_posts(world, name):
    route = BY_NAME[name]
    path = path_of(name, world)
    fields, echo = route.fields(world), route.echo(world)
    script = st.booleans() if name == "reports:photo-upload" else st.just(False)

    @FUZZ
    @given(
        role=st.sampled_from(route.roles),
        phase=st.sampled_from(Phase.values),
        htmx=st.booleans(),
        script=script,
        payload=payloads(fields, route.extras),
    )
    def post(role, phase, htmx, script, payload):
        headers = {"HX-Request": "true"} if htmx else {}
        if script:
            headers["X-Requested-With"] = "fetch"
        with rolled_back():
            Event.objects.filter(pk=world.event.pk).update(phase=phase)
            response = world.client(role).post(path, payload, headers=headers)
            assert response.status_code < 500
            if route.json and response.status_code in (200, 400, 409):
                assert isinstance(json.loads(response.content), dict)
            assert_typed_text_kept(response, payload, echo)
            assert bad_stored_text() == []

    post()


# None that parses to more than the body: the test client refuses to read past its end.
BAD_LENGTHS = [None, "abc", "-1", "1e3", "0", "0x10", "½"]


@FUZZ_MORE
@given(
    name=st.sampled_from(sorted(BY_NAME)),
    role=st.sampled_from(ROLES),
    body=raw_bodies(),
    length=st.sampled_from(BAD_LENGTHS),
)
def test_malformed_bodies(world, name, role, body, length):
    """Broken multipart, wrong and unknown charsets, surrogate and overlong UTF-8 bytes,
    malformed Content-Length, at every route (drawn: one example each would be mostly the
    same empty form)."""
    try:
        path = reverse(name, kwargs=BY_NAME[name].kwargs(world))
    except NoReverseMatch:  # registered ahead of a view still being written
        assume(False)
    content, content_type = body
    extra = {} if length is None else {"CONTENT_LENGTH": length}
    with rolled_back():
        client = world.client(role)
        response = client.generic("POST", path, content, content_type, **extra)
        assert response.status_code < 500
        assert bad_stored_text() == []
