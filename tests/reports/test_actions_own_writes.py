"""A participant's own join or leave shows at once on the board the write answers with,
even when a shared render of the board made before the write is still kept
(reports/action_views.py, _render_board; docs/live-updates.md)."""

import re

import pytest
from django.urls import reverse

from events.models import Phase
from reports import action_plan
from tests.factories import ParticipantFactory

pytestmark = pytest.mark.django_db

# What htmx sends with the join/leave form (templates/reports/actions/board.html).
HTMX = {"HX-Request": "true", "HX-Target": "action-board"}


@pytest.fixture(autouse=True)
def coalesce(settings):
    """Shared renders stay reusable for the whole test, as within the 2 s of a burst."""
    settings.POLL_COALESCE_SECONDS = 60


@pytest.fixture
def initiative(event):
    event.phase = Phase.ACTION_PLANNING
    event.save()
    initiator = ParticipantFactory(event=event, name="Ingrid Initiativ", organisation="Regionen")
    return action_plan.raise_initiative(
        event=event, participant=initiator, what="Gemensam kompetensdag", levels="F"
    )


def url(name, event, **kwargs):
    return reverse(f"reports:{name}", kwargs={"slug": event.slug, **kwargs})


def card(page: str, pk: int) -> str:
    return re.search(rf'<li class="[^"]*" id="initiative-{pk}">.*?</li>', page, re.S)[0]


def tap(client, name, event, initiative, view="levels") -> str:
    response = client.post(url(name, event, pk=initiative.pk), {"view": view}, headers=HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_joining_shows_the_name_at_once(participant_client, event, initiative):
    before = participant_client.get(url("actions", event))  # a shared render is kept
    assert "Anna Andersson" not in card(before.content.decode(), initiative.pk)

    board = card(tap(participant_client, "action-join", event, initiative), initiative.pk)

    assert "Anna Andersson (Kommunen)" in board
    assert url("action-leave", event, pk=initiative.pk) in board


def test_leaving_takes_the_name_away_at_once(participant_client, event, initiative):
    participant_client.get(url("actions", event))
    tap(participant_client, "action-join", event, initiative)
    participant_client.get(url("actions", event))  # the render with the name is kept

    board = card(tap(participant_client, "action-leave", event, initiative), initiative.pk)

    assert "Anna Andersson" not in board
    assert url("action-join", event, pk=initiative.pk) in board
    assert "0 people" in board


def test_leaving_in_the_table_view_takes_the_name_away_at_once(
    participant_client, event, initiative
):
    board = url("actions", event) + "?view=table"
    participant_client.get(board)
    tap(participant_client, "action-join", event, initiative, view="table")
    assert "Anna Andersson" in participant_client.get(board).content.decode()

    page = tap(participant_client, "action-leave", event, initiative, view="table")

    row = re.search(rf'<tr id="initiative-{initiative.pk}">.*?</tr>', page, re.S)[0]
    assert "Anna Andersson" not in row


def test_a_poll_right_after_leaving_does_not_bring_the_name_back(
    participant_client, event, initiative
):
    """Another process may still hold the render from before the leave; the leaver's
    poll gets none older than their own write (their `wrote` cookie)."""
    from openspace import live

    participant_client.get(url("actions", event))
    tap(participant_client, "action-join", event, initiative)
    participant_client.get(url("actions", event))
    with_name = dict(live._shared)  # what another process would still hold
    tap(participant_client, "action-leave", event, initiative)
    live._shared.update(with_name)

    poll = participant_client.get(url("actions", event), headers={"HX-Request": "true"})

    assert poll.status_code == 200
    assert "Anna Andersson" not in card(poll.content.decode(), initiative.pk)
