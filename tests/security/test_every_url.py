"""Every URL pattern of the project, for every role, GET and POST: no 500, and no
private page for anonymous visitors. A new view cannot escape this walk."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from reports import services as report_services
from tests.conftest import login_participant
from tests.factories import ParticipantFactory, TopicFactory

pytestmark = pytest.mark.django_db

# Pages anyone may open without joining or logging in.
PUBLIC = {
    "healthz",
    "livez",
    "home",
    "login",
    "events:join",
    "events:join-event",
    "events:qr",
    "events:privacy",
    "events:resume",
    "events:invite-accept",
    "set_language",
}


def patterns(resolvers=None, prefix="", namespace=""):
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from patterns(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern)


def concrete(route: str, values: dict) -> str | None:
    import re

    path = route.lstrip("^").rstrip("$")
    for name, value in values.items():
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    if "<" in path or "(" in path:
        return None
    return "/" + path


@pytest.fixture
def world(event, participant, facilitator, other_event):
    topic = TopicFactory(event=event, convener=participant)
    report = report_services.report_for(topic)
    return {
        "slug": event.slug,
        "pk": topic.pk,
        "photo_pk": 999999,
        "token": "not-a-token",
        "name": "nothing.jpg",
        "path": "nothing.jpg",
        "report": report,
    }


ROLES = ["anonymous", "participant", "stranger", "facilitator", "other_facilitator"]


@pytest.mark.parametrize("role", ROLES)
def test_no_url_answers_500_and_anonymous_sees_only_public_pages(
    client, world, role, participant, facilitator, other_facilitator, other_event
):
    if role == "participant":
        login_participant(client, participant)
    elif role == "stranger":
        login_participant(client, ParticipantFactory(event=other_event))
    elif role == "facilitator":
        client.force_login(facilitator)
    elif role == "other_facilitator":
        client.force_login(other_facilitator)
    checked = 0
    for name, route in patterns():
        path = concrete(route, world)
        if path is None:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(path)
            checked += 1
            assert response.status_code < 500, f"{role} {method.upper()} {path} ({name})"
            if role == "anonymous" and method == "get" and name not in PUBLIC:
                assert response.status_code in (302, 403, 404, 405), (
                    f"anonymous GET {path} ({name})"
                )
            if (
                role in ("stranger", "other_facilitator")
                and method == "post"
                and name not in PUBLIC
            ):
                assert response.status_code in (302, 403, 404, 405, 400, 413), (
                    f"{role} POST {path} ({name}) -> {response.status_code}"
                )
    assert checked > 80
